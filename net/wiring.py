"""Chooses and starts the sync side for ``--server embedded|offline|URL`` (composition helper)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from game.i18n import Translator
from game.rules.content import Campaign

if TYPE_CHECKING:
    from game.config import Config
    from game.store import LocalStore

log = logging.getLogger(__name__)


STALL_S = 1.5  # a request unanswered this long shows "Syncing…" (until it times out: Offline)


class SyncHandle(Protocol):
    def status_text(self, i18n: Translator) -> str: ...
    def poll(self, player_id: str) -> bool: ...
    def unconfirmed_notes(self, i18n: Translator, player_id: str) -> list[str]: ...
    def set_device_landmark(self, landmark: str | None) -> None: ...
    def stop(self) -> None: ...


def unconfirmed_notes(i18n: Translator, entries: list) -> list[str]:
    """One line per kind of action the server did not confirm after the player saw it applied:
    "1 check-in could not be confirmed: …" (the reason in the player's words)."""
    from game.rules.progress import CheckIn

    groups: dict[tuple[str, str], int] = {}
    for e in entries:
        kind = "checkin" if isinstance(e.action, CheckIn) else "other"
        groups[(kind, e.reason or "")] = groups.get((kind, e.reason or ""), 0) + 1
    notes = []
    for (kind, reason), n in groups.items():
        why = i18n.t(f"reason.{reason}") if reason and f"reason.{reason}" in i18n.tables[i18n.lang] else i18n.t("sync.not_accepted")
        notes.append(i18n.t(f"sync.unconfirmed_{kind}", n=n, reason=why))
    return notes


def unsaved_text(i18n: Translator, store: LocalStore) -> str | None:
    """While the progress database refuses writes: how many actions are only in memory (retried)."""
    n = store.unsaved_count()
    return i18n.t("app.unsaved", n=n) if n else None


def offline_text(i18n: Translator, pending: int) -> str:
    # one sentence either way: "offline" + "N waiting" joined did not fit the map's chip
    return i18n.t("app.offline_queued", n=pending) if pending else i18n.t("app.offline")


class OfflineSync:
    """No backend: everything stays queued in the local outbox until a later online run."""

    def __init__(self, store: LocalStore) -> None:
        self.store = store

    def status_text(self, i18n: Translator) -> str:
        return unsaved_text(i18n, self.store) or offline_text(i18n, self.store.pending_count())

    def poll(self, player_id: str) -> bool:
        return False

    def unconfirmed_notes(self, i18n: Translator, player_id: str) -> list[str]:
        return []

    def set_device_landmark(self, landmark: str | None) -> None:
        pass  # queued actions carry their own device landmark; a later online run enrols as configured

    def stop(self) -> None:
        pass


class WorkerSync:
    """Runs the sync worker; for ``embedded`` it first starts the in-process server, off the frame loop."""

    def __init__(
        self, config: Config, store: LocalStore, campaign: Campaign, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.config = config
        self.clock = clock  # the game's clock (QA's frame clock, --now): the embedded server shares it
        self.store = store
        self.campaign = campaign
        self.worker = None
        self.server = None
        self.device_landmark = config.device_landmark  # event mode: the admin menu may change it
        self._seen: dict[str, object] = {}
        self._stopping = threading.Event()
        self._starter = threading.Thread(target=self._start, name="sync-start", daemon=True)
        self._starter.start()

    def _start(self) -> None:
        from net.api import ApiClient
        from net.sync import SyncWorker

        try:
            if self.config.server == "embedded":
                from game.bootstrap import make_clock
                from server.embedded import start_embedded
                from server.settings import Settings

                # QA time travel (--now, a script's clock steps) reaches the embedded server too:
                # one clock for both sides.
                clock = self.clock or make_clock(self.config.now)
                self.server = start_embedded(Path(self.config.data_dir) / "server", self.campaign.id,
                                             settings=Settings(clock=clock))
                url = self.server.url
            else:
                url = self.config.server
            if self._stopping.is_set():
                return
            self.worker = SyncWorker(
                store=self.store,
                api=ApiClient(url),
                campaign=self.campaign,
                server_identity="embedded" if self.server is not None else url,
                embedded=self.server,
                enroll_code=self.config.enroll_code,
                device_landmark=self.device_landmark,
            )
            if self.worker.device_landmark != self.device_landmark:  # changed while the worker was built
                self.worker.set_device_landmark(self.device_landmark)
            self.worker.start()
        except Exception:
            log.exception("sync could not start; staying offline (progress is queued)")

    def status_text(self, i18n: Translator) -> str:
        unsaved = unsaved_text(i18n, self.store)
        if unsaved:
            return unsaved
        worker = self.worker
        if worker is None:
            # Starting (the embedded server takes about a second): not offline yet.
            return i18n.t("app.connecting") if self._starter.is_alive() else OfflineSync(self.store).status_text(i18n)
        status = worker.status
        if status.needs_operator:
            return i18n.t("app.sync_operator", n=status.pending)
        if worker.in_flight_s() > STALL_S and status.online:
            return i18n.t("app.syncing")  # a request is hanging: not "Synced" (one timeout: Offline)
        if not status.online and status.last_error is None:
            return i18n.t("app.connecting")  # no answer either way yet
        if not status.online:
            return offline_text(i18n, status.pending)  # the worker's count: no query every frame
        if status.busy:
            return i18n.t("app.busy", n=status.pending)
        if status.pending:
            return f"{i18n.t('app.syncing')} · {i18n.t('app.pending', n=status.pending)}"
        return i18n.t("app.online")

    def poll(self, player_id: str) -> bool:
        worker = self.worker
        if worker is None:
            return False
        snapshot = worker.latest()
        if snapshot is None or self._seen.get(player_id) is snapshot:
            return False
        self._seen = {player_id: snapshot}  # only the current player: a kiosk forgets the visitor before
        return True

    def unconfirmed_notes(self, i18n: Translator, player_id: str) -> list[str]:
        worker = self.worker
        return [] if worker is None else unconfirmed_notes(i18n, worker.unconfirmed(player_id))

    def set_device_landmark(self, landmark: str | None) -> None:
        """Event mode: the landmark picked in the admin menu, for the sync worker (now or once started)."""
        self.device_landmark = landmark
        worker = self.worker
        if worker is not None:
            worker.set_device_landmark(landmark)

    def stop(self) -> None:
        self._stopping.set()
        self._starter.join(timeout=10)
        if self.worker is not None:
            self.worker.stop()
        if self.server is not None:
            self.server.stop()


def start_sync(
    config: Config, store: LocalStore, campaign: Campaign, clock: Callable[[], datetime] | None = None
) -> SyncHandle:
    if config.server == "offline":
        return OfflineSync(store)
    return WorkerSync(config, store, campaign, clock)
