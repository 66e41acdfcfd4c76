"""Chooses and starts the sync side for ``--server embedded|offline|URL`` (composition helper)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from game.i18n import Translator
from game.rules.content import Campaign

if TYPE_CHECKING:
    from game.config import Config
    from game.store import LocalStore

log = logging.getLogger(__name__)


class SyncHandle(Protocol):
    def status_text(self, i18n: Translator) -> str: ...
    def poll(self, player_id: str) -> bool: ...
    def stop(self) -> None: ...


class OfflineSync:
    """No backend: everything stays queued in the local outbox until a later online run."""

    def __init__(self, store: LocalStore) -> None:
        self.store = store

    def status_text(self, i18n: Translator) -> str:
        pending = self.store.pending_count()
        # one sentence either way: "offline" + "N waiting" joined did not fit the map's chip
        return i18n.t("app.offline_queued", n=pending) if pending else i18n.t("app.offline")

    def poll(self, player_id: str) -> bool:
        return False

    def stop(self) -> None:
        pass


class WorkerSync:
    """Runs the sync worker; for ``embedded`` it first starts the in-process server, off the frame loop."""

    def __init__(self, config: Config, store: LocalStore, campaign: Campaign) -> None:
        self.config = config
        self.store = store
        self.campaign = campaign
        self.worker = None
        self.server = None
        self._seen: dict[str, object] = {}
        self._stopping = threading.Event()
        self._starter = threading.Thread(target=self._start, name="sync-start", daemon=True)
        self._starter.start()

    def _start(self) -> None:
        from net.api import ApiClient
        from net.sync import SyncWorker

        try:
            if self.config.server == "embedded":
                from server.embedded import start_embedded

                self.server = start_embedded(Path(self.config.data_dir) / "server", self.campaign.id)
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
                device_landmark=self.config.device_landmark,
            )
            self.worker.start()
        except Exception:
            log.exception("sync could not start; staying offline (progress is queued)")

    def status_text(self, i18n: Translator) -> str:
        worker = self.worker
        if worker is None:
            # Starting (the embedded server takes about a second): not offline yet.
            return i18n.t("app.connecting") if self._starter.is_alive() else OfflineSync(self.store).status_text(i18n)
        status = worker.status
        if not status.online and status.last_error is None:
            return i18n.t("app.connecting")  # no answer either way yet
        if not status.online:
            return OfflineSync(self.store).status_text(i18n)
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

    def stop(self) -> None:
        self._stopping.set()
        self._starter.join(timeout=10)
        if self.worker is not None:
            self.worker.stop()
        if self.server is not None:
            self.server.stop()


def start_sync(config: Config, store: LocalStore, campaign: Campaign) -> SyncHandle:
    if config.server == "offline":
        return OfflineSync(store)
    return WorkerSync(config, store, campaign)
