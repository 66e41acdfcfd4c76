"""The sync worker: a thread that drains the local outbox to the server (imperative shell).

``net.outbox.decide`` picks each step; this module only performs it, sleeps with backoff when the
server is away, and publishes its latest status and snapshot for the frame loop to poll.
"""

from __future__ import annotations

import logging
import random
import socket
import threading
from dataclasses import dataclass
from typing import Protocol

from game.rules.content import Campaign
from game.store import LocalStore, OutboxEntry
from net.api import ApiClient, ApiError, Unreachable
from net.outbox import CreatePlayer, Enroll, Idle, Send, decide, rebuild, to_wire, verdicts
from net.retry import Backoff

log = logging.getLogger(__name__)

IDLE_POLL_S = 2.0  # how soon a new action is noticed when nothing was pending
HEALTH_EVERY_S = 15.0


class LocalEnroller(Protocol):
    """The embedded server can enrol the machine it runs on without a code."""

    def enroll_local_device(self, kind: str = ..., landmark: str | None = ..., name: str = ...) -> tuple[str, str]: ...


@dataclass(frozen=True)
class SyncStatus:
    online: bool = False
    enrolled: bool = False
    pending: int = 0
    last_error: str | None = None


class SyncWorker:
    def __init__(
        self,
        store: LocalStore,
        api: ApiClient,
        campaign: Campaign,
        *,
        server_identity: str,
        embedded: LocalEnroller | None = None,
        enroll_code: str | None = None,
        device_landmark: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.api = api
        self.campaign = campaign
        self.embedded = embedded
        self.enroll_code = enroll_code
        self.device_landmark = device_landmark
        self.rng = rng or random.Random()
        self.status = SyncStatus(pending=store.pending_count())
        self._snapshot: object | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._enrol_lock = threading.Lock()
        self._single = False  # after a 422 on a batch, send one action at a time to isolate the bad one
        self._thread = threading.Thread(target=self._run, name="sync", daemon=True)
        if store.get_meta("server_identity") != server_identity:
            # Another backend: its tokens and player ids mean nothing here; actions are re-sent by id.
            store.set_meta("device_token", None)
            for row in store.players():
                if row.server_id is not None:
                    store.set_server_player(row.local_id, None, None)
            store.set_meta("server_identity", server_identity)
        self.api.token = store.get_meta("device_token")

    # ---- called from the frame loop ------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def latest(self) -> object | None:
        """A token that changes whenever the store was updated from the server."""
        return self._snapshot

    def nudge(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self.api.close()

    # ---- the worker thread ---------------------------------------------------------------------

    def run_once(self) -> bool:
        """Perform one step; True if there may be more to do right away. Raises Unreachable/ApiError."""
        if self.api.token is None and (self.embedded is not None or self.enroll_code):
            # Enrol before anything is pending: the server credits no action from before the device's
            # enrolment, so a lazily enrolled kiosk would lose its first visitor's first actions.
            return self.ensure_enrolled()
        pending = self.store.entries(status="pending", limit=1000)
        step = decide(self.api.token is not None, self.store.players(), pending)
        match step:
            case Idle():
                return False
            case Enroll():
                return self._enroll()
            case CreatePlayer(local_id=local_id):
                created = self.api.create_player(self.campaign.id)
                self.store.set_server_player(local_id, created["player_id"], created.get("claim_code"))
                return True
            case Send():
                self._send(step.local_id, step.server_id, step.entries[:1] if self._single else step.entries)
                return True
        return False

    def ensure_enrolled(self) -> bool:
        """Enrol now if not yet (also from another thread: a kiosk resuming a claimed player). One-time codes
        must not be redeemed twice, so enrolment is serialised."""
        with self._enrol_lock:
            return self.api.token is not None or self._enroll()

    def _enroll(self) -> bool:
        kind = "kiosk" if self.device_landmark else "laptop"
        if self.embedded is not None:
            _, token = self.embedded.enroll_local_device(kind=kind, landmark=self.device_landmark,
                                                         name=socket.gethostname()[:60] or "device")
        elif self.enroll_code:
            token = self.api.enroll(self.enroll_code, socket.gethostname()[:60] or "device", kind,
                                    self.device_landmark)["device_token"]
        else:
            self._publish(enrolled=False, last_error="not enrolled: start with --enroll-code CODE")
            return False
        self.store.set_meta("device_token", token)
        self.api.token = token
        log.info("device enrolled", extra={"kind": kind, "landmark": self.device_landmark})
        return True

    def _send(self, local_id: str, server_id: str, entries: tuple[OutboxEntry, ...]) -> None:
        wire, local_rejects = [], []
        for e in entries:
            body = to_wire(e)
            if body is None:
                local_rejects.append((e.action_id, "rejected", "not_a_client_action", None))
            else:
                wire.append(body)
        self.store.note_attempt([e.action_id for e in entries])
        response: dict = {}
        try:
            if wire:
                response = self.api.post_actions(server_id, wire)
        except ApiError as err:
            if err.status == 422 and len(wire) > 1:
                self._single = True
                return
            if err.status == 422:
                local_rejects.append((wire[0]["action_id"], "rejected", f"invalid:{err.code}", None))
                response = {}
            else:
                raise
        results = [(v.action_id, v.status, v.reason, v.serial) for v in verdicts(response)] + local_rejects
        view = response.get("progress") or self.store.server_view(local_id)
        self.store.settle(local_id, results, response.get("progress"),
                          lambda all_entries: rebuild(self.campaign, all_entries, view))
        self._single = False
        rejected = [r for r in results if r[1] == "rejected"]
        if rejected:
            log.warning("server rejected actions", extra={"rejected": [(a, why) for a, _, why, _ in rejected]})
        self._snapshot = object()

    def _publish(self, **changes: object) -> None:
        current = self.status.__dict__ | {"pending": self.store.pending_count()} | changes
        self.status = SyncStatus(**current)  # replaced whole: readers never see a half-updated status

    def _run(self) -> None:
        backoff = Backoff()
        since_health = HEALTH_EVERY_S
        while not self._stop.is_set():
            retry_after = None
            try:
                more = self.run_once()
                if not more and since_health >= HEALTH_EVERY_S:
                    self.api.health()
                    since_health = 0.0
                self._publish(online=True, enrolled=self.api.token is not None or self.status.enrolled,
                              last_error=self.status.last_error if self.api.token is None else None)
                backoff = backoff.reset()
                if more:
                    continue
                wait = IDLE_POLL_S
            except Unreachable as err:
                backoff = backoff.increment()
                self._publish(online=False, last_error=f"unreachable: {err}")
                wait = backoff.delay(self.rng)
            except ApiError as err:
                if err.status == 401:
                    self.store.set_meta("device_token", None)  # revoked or unknown: enrol again
                    self.api.token = None
                elif err.status == 404:
                    self._forget_player_ids()
                backoff = backoff.increment()
                retry_after = err.retry_after
                self._publish(online=err.status < 500, last_error=str(err))
                log.warning("sync error", extra={"status": err.status, "code": err.code})
                wait = backoff.delay(self.rng, retry_after)
            except Exception:
                log.exception("sync step failed; will retry")
                self._publish(online=False, last_error="sync step failed")
                backoff = backoff.increment()
                wait = backoff.delay(self.rng)
            since_health += wait
            self._wake.wait(wait)
            self._wake.clear()

    def _forget_player_ids(self) -> None:
        """The server no longer knows our players (a reset database): create them again."""
        for row in self.store.players():
            if row.server_id is not None:
                self.store.set_server_player(row.local_id, None, None)
