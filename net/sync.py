"""The sync worker: a thread that drains the local outbox to the server (imperative shell).

``net.outbox.decide`` picks each step; this module only performs it, sleeps with backoff when the
server is away, and publishes its latest status and snapshot for the frame loop to poll.
"""

from __future__ import annotations

import logging
import random
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from game.rules.content import Campaign
from game.rules.progress import month_steps
from game.store import LocalStore, OutboxEntry, Settlement
from net.api import ApiClient, ApiError, Busy, Unreachable
from net.outbox import BATCH_LIMIT, SyncPart, plan, rebuild, verdicts
from net.retry import Backoff

log = logging.getLogger(__name__)

IDLE_POLL_S = 2.0  # how soon a new action is noticed when nothing was pending
HEALTH_EVERY_S = 15.0
# Only this answer means "this device's token is no good": any other 401 (a proxy, a captive
# portal, a half-deployed server) is treated as a transient failure and the token is kept.
TOKEN_REVOKED = "invalid_token"
# Enrolment refused for good: the code is spent (with another key), expired, or for another device.
ENROLMENT_REFUSED = ("invalid_enrollment_code", "enrollment_mismatch")
ENROLL_KEY = "enroll_key"  # meta: the device-generated key sent with the enrolment code

SYNC_PLAYERS = 100  # players per sync request (the server takes up to 100)
SYNC_ACTIONS = 500  # actions per sync request (the server takes up to 1,000)
PLAYER_RETRY_S = 5.0  # a player whose answer was an error without Retry-After waits this long

T = TypeVar("T")


class LocalEnroller(Protocol):
    """The embedded server can enrol the machine it runs on without a code."""

    def enroll_local_device(self, kind: str = ..., landmark: str | None = ..., name: str = ...) -> tuple[str, str]: ...

    def rebind_local_device(self, device: str, landmark: str | None) -> bool: ...


@dataclass(frozen=True)
class SyncStatus:
    online: bool = False
    enrolled: bool = False
    pending: int = 0
    last_error: str | None = None
    busy: bool = False  # 429/503: the server is there and asked to come back after Retry-After
    needs_operator: bool = False  # enrolment refused: an operator must give this device a new code


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
        backoff: Backoff | None = None,
    ) -> None:
        self.store = store
        self.api = api
        self.campaign = campaign
        self.embedded = embedded
        self.enroll_code = enroll_code
        self.device_landmark = device_landmark
        self.rng = rng or random.Random()
        self.backoff = backoff or Backoff()  # the policy between failed rounds (its failures count is 0)
        self.status = SyncStatus(pending=store.pending_count())
        self._snapshot: object | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._enrol_lock = threading.Lock()
        self._single = False  # after a 422 on a batch, send one action at a time to isolate the bad one
        self._enroll_refused = False
        self._call_started: float | None = None  # monotonic start of the request in flight, if any
        self._deferred: dict[str, float] = {}  # local player id -> monotonic time before which it waits
        self._round_actions = SYNC_ACTIONS  # halved on a 413 (a server with a smaller body limit)
        self._thread = threading.Thread(target=self._run, name="sync", daemon=True)
        if store.get_meta("server_identity") != server_identity:
            # Another backend: its tokens and player ids mean nothing here; actions are re-sent by id.
            store.set_meta("device_token", None)
            for row in store.players():
                if row.server_id is not None:
                    store.set_server_player(row.local_id, None, None)
            store.set_meta("server_identity", server_identity)
        self.api.token = store.get_meta("device_token")
        if embedded is not None and self.api.token is not None:
            # A restart: the embedded server still has the landmark this device was last bound to.
            embedded.rebind_local_device(self.api.token, device_landmark)

    # ---- called from the frame loop ------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def latest(self) -> object | None:
        """A token that changes whenever the store was updated from the server."""
        return self._snapshot

    def in_flight_s(self) -> float:
        """How long the current request has been waiting for its answer (0 when none is in flight)."""
        started = self._call_started
        return 0.0 if started is None else time.monotonic() - started

    def set_device_landmark(self, landmark: str | None) -> None:
        """Event mode: this device now stands at ``landmark`` (picked in the kiosk admin menu).

        The server judges visit check-ins against the device's enrolled landmark. The embedded server
        serves this machine alone, so its device is rebound at once (or enrolled there later); a remote
        server keeps the landmark the device was enrolled with (docs/deploy.md: enrol one per landmark).
        Under the enrolment lock, so an enrolment in flight cannot bind the old landmark afterwards."""
        with self._enrol_lock:
            self.device_landmark = landmark
            if self.embedded is not None and self.api.token is not None:
                self.embedded.rebind_local_device(self.api.token, landmark)
        self.nudge()

    def nudge(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self.api.close()

    # ---- the worker thread ---------------------------------------------------------------------

    def _call(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        """One request, timed so the chip can say "Syncing…" while it hangs."""
        self._call_started = time.monotonic()
        try:
            return fn(*args, **kwargs)
        finally:
            self._call_started = None

    def run_once(self) -> bool:
        """Perform one round; True if there may be more to do right away. Raises Unreachable/ApiError.

        A round is one ``POST /v1/sync``: the oldest pending players' actions (up to ``SYNC_PLAYERS``
        players and ``SYNC_ACTIONS`` actions; one action while a 422 is being isolated), each player's
        in order, players without a server id created in the same request (by their stored creation
        key). All answers are settled in one local transaction. A player the server answered with an
        error waits (429: its Retry-After) while the others go on; a 404 re-links it."""
        self.store.save_unsaved()  # actions kept in memory while the database refused writes
        if self.api.token is None:
            return self.ensure_enrolled()
        now = time.monotonic()
        self._deferred = {k: t for k, t in self._deferred.items() if t > now}
        batches = self.store.next_batches(BATCH_LIMIT, 1 if self._single else SYNC_PLAYERS,
                                          max_actions=1 if self._single else self._round_actions,
                                          skip=frozenset(self._deferred))
        if not batches:
            return False
        parts = plan(batches, self.store.players_by_id([b[0].local_id for b in batches]))
        keys = self.store.meta_keys([f"create_key:{p.local_id}" for p in parts if p.server_id is None],
                                    lambda: secrets.token_urlsafe(24))
        sent: list[tuple[SyncPart, list[tuple[str, str, str | None, int | None]]]] = []
        bodies: list[dict] = []
        settlements: list[Settlement] = []
        for part in parts:
            wire, local = part.split()
            if not wire:
                settlements.append(self._settlement(part, local, None))
                continue
            sent.append((part, local))
            who = {"player_id": part.server_id} if part.server_id else {
                "create_key": keys[f"create_key:{part.local_id}"], "campaign_id": self.campaign.id}
            bodies.append(who | {"actions": wire})
        if not bodies:
            self.store.settle_many(settlements)
            return True
        try:
            response = self._call(self.api.sync, bodies)
        except ApiError as err:
            if err.status == 413 and self._round_actions > 1:
                self._round_actions //= 2  # the server takes smaller bodies: smaller rounds from now on
                log.info("sync rounds cut to %d actions (413)", self._round_actions)
                return True
            if err.status == 422 and not self._single:
                self._single = True  # isolate the action the server cannot read
                return True
            if err.status != 422:
                self.store.note_attempt([e.action_id for part, _ in sent for e in part.entries])
                raise
            part, local = sent[0]
            settlements.append(self._settlement(part, [*local, (part.entries[0].action_id, "rejected",
                                                                 f"invalid:{err.code}", None)], None))
            self.store.settle_many(settlements)
            self._single = False
            return True
        except Unreachable:
            self.store.note_attempt([e.action_id for part, _ in sent for e in part.entries])
            raise
        relink, busy = [], []
        for (part, local), answer in zip(sent, response.get("players", []), strict=False):
            results = [(v.action_id, v.status, v.reason, v.serial) for v in verdicts(answer)] + local
            created = answer.get("player_id") if part.server_id is None else None
            settlements.append(self._settlement(part, results, answer.get("progress"), created,
                                                answer.get("claim_code")))
            error = answer.get("error")
            if error:
                code, retry = str(error.get("code")), error.get("retry_after_s")
                log.warning("sync: player answered with an error", extra={"code": code, "local": part.local_id})
                if code == "player_not_found":
                    relink.append(part.local_id)
                else:
                    delay = float(retry) if retry is not None else PLAYER_RETRY_S
                    self._deferred[part.local_id] = time.monotonic() + delay
                    if code == "rate_limited":
                        busy.append(delay)
        self.store.settle_many(settlements)
        self._single = False
        self._snapshot = object()
        for local_id in relink:
            self._relink(local_id)
        rejected = [r for s in settlements for r in s.results if r[1] == "rejected"]
        if rejected:
            log.warning("server rejected actions", extra={"rejected": [(a, why) for a, _, why, _ in rejected]})
        if busy and len(busy) == len(sent):
            raise Busy(429, "rate_limited", "every player in the round was rate limited", min(busy))
        return True

    def _settlement(
        self, part: SyncPart, results: list[tuple[str, str, str | None, int | None]], progress: dict | None,
        server_id: str | None = None, claim_code: str | None = None,
    ) -> Settlement:
        """What one player's answer does to the store (the replay is skipped when it changes nothing)."""
        local_id = part.local_id
        view = progress or self.store.server_view(local_id)
        unchanged = self._progress_unchanged(local_id, results, progress)
        return Settlement(local_id, results, progress,
                          None if unchanged else (lambda all_entries: rebuild(self.campaign, all_entries, view)),
                          server_id, claim_code)

    def _key(self, meta_key: str) -> str:
        """A device-generated idempotency key, stored before its first use (so a retry after a kill reuses it)."""
        key = self.store.get_meta(meta_key)
        if key is None:
            key = secrets.token_urlsafe(24)
            self.store.set_meta(meta_key, key)
        return key

    def ensure_enrolled(self) -> bool:
        """Enrol now if not yet (also from another thread: a kiosk resuming a claimed player). One-time codes
        must not be redeemed twice, so enrolment is serialised."""
        with self._enrol_lock:
            return self.api.token is not None or self._enroll()

    def _enroll(self) -> bool:
        kind = "kiosk" if self.device_landmark else "laptop"
        name = socket.gethostname()[:60] or "device"
        if self.embedded is not None:
            _, token = self.embedded.enroll_local_device(kind=kind, landmark=self.device_landmark, name=name)
        elif self.enroll_code and not self._enroll_refused:
            try:
                token = self._call(self.api.enroll, self.enroll_code, name, kind, self.device_landmark,
                                   self._key(ENROLL_KEY))["device_token"]
            except ApiError as err:
                if err.code not in ENROLMENT_REFUSED:
                    raise
                self._enroll_refused = True  # retrying the same code cannot help: an operator must
                log.error("enrolment refused; sync needs an operator", extra={"code": err.code})
                self._publish(online=True, enrolled=False, needs_operator=True, last_error=str(err))
                return False
        elif self.enroll_code:
            return False
        else:
            self._publish(enrolled=False, last_error="not enrolled: start with --enroll-code CODE")
            return False
        self.store.set_meta("device_token", token)
        self.api.token = token
        log.info("device enrolled", extra={"kind": kind, "landmark": self.device_landmark})
        return True

    def _relink(self, local_id: str) -> None:
        """The server answered 404 for this player (say, this device was enrolled again): bind the
        same server player to this device with its claim code, so its actions are recognised.
        Only when the server does not know the claim code either is the player created again."""
        row = self.store.player(local_id)
        if row is None:
            return
        if row.claim_code:
            try:
                claimed = self._call(self.api.claim, row.claim_code)
            except ApiError as err:
                if err.status != 404:
                    raise
            else:
                self.store.set_server_player(local_id, claimed["player_id"], row.claim_code)
                log.info("player re-linked by claim code", extra={"player": claimed["player_id"]})
                return
        log.warning("server does not know this player; creating it again", extra={"local": local_id})
        self.store.set_server_player(local_id, None, None)
        self.store.set_meta(f"create_key:{local_id}", None)

    def _progress_unchanged(self, local_id: str, results: list[tuple], view: dict | None) -> bool:
        """True when the verdicts cannot change what the player sees, so the replay can be skipped:
        everything applied as shown, no serial numbers, nothing else pending for this player, and
        the server's month steps equal the local ones."""
        if not view or any(status == "rejected" or serial is not None for _, status, _, serial in results):
            return False
        if self.store.pending_count(local_id) > len(results):
            return False
        try:
            at = datetime.fromisoformat(str(view["server_time"]))
            server_steps = int(view["month_steps"])
        except (KeyError, TypeError, ValueError):
            return False
        return at.tzinfo is not None and month_steps(self.campaign, self.store.load_progress(local_id), at) == server_steps

    def _publish(self, **changes: object) -> None:
        current = self.status.__dict__ | {"pending": self.store.pending_count()} | changes
        self.status = SyncStatus(**current)  # replaced whole: readers never see a half-updated status

    def _run(self) -> None:
        backoff = self.backoff
        since_health = HEALTH_EVERY_S
        while not self._stop.is_set():
            try:
                more = self.run_once()
                if not more and since_health >= HEALTH_EVERY_S:
                    self._call(self.api.health)
                    since_health = 0.0
                self._publish(online=True, busy=False, enrolled=self.api.token is not None or self.status.enrolled,
                              last_error=self.status.last_error if self.api.token is None else None)
                backoff = backoff.reset()
                if more:
                    continue
                wait = IDLE_POLL_S
            except Unreachable as err:
                backoff = backoff.increment()
                self._publish(online=False, busy=False, last_error=f"unreachable: {err}")
                wait = backoff.delay(self.rng)
            except Busy as err:
                backoff = backoff.increment()
                self._publish(online=True, busy=True, last_error=str(err))
                log.info("server busy", extra={"status": err.status, "retry_after": err.retry_after})
                wait = backoff.delay(self.rng, err.retry_after)
            except ApiError as err:
                if err.status == 401 and err.code == TOKEN_REVOKED:
                    # This device's token is no longer valid: enrol again (a new key: a revoked
                    # device must not get its old token back by replaying its enrolment).
                    self.store.set_meta("device_token", None)
                    self.store.set_meta(ENROLL_KEY, None)
                    self.api.token = None
                backoff = backoff.increment()
                # a 401 that is not the server's invalid_token is someone else's answer: not "online"
                self._publish(online=err.status < 500 and err.status != 401, busy=False, last_error=str(err))
                log.warning("sync error", extra={"status": err.status, "code": err.code})
                wait = backoff.delay(self.rng, err.retry_after)
            except Exception:
                log.exception("sync step failed; will retry")
                self._publish(online=False, busy=False, last_error="sync step failed")
                backoff = backoff.increment()
                wait = backoff.delay(self.rng)
            since_health += wait
            self._wake.wait(wait)
            self._wake.clear()

    # ---- what the player was shown and the server did not confirm ------------------------------

    def unconfirmed(self, local_id: str) -> list[OutboxEntry]:
        """This player's actions the server rejected after the player saw them applied, not yet
        reported (each once, also across restarts: the last reported outbox sequence is stored)."""
        mark = f"rejections_shown:{local_id}"
        shown = int(self.store.get_meta(mark) or 0)
        fresh = [e for e in self.store.entries(local_id, status="rejected") if e.seq > shown]
        if fresh:
            self.store.set_meta(mark, str(max(e.seq for e in fresh)))
        return [e for e in fresh if e.reason != "not_a_client_action"]
