"""The admin menu's sync line: the queued count and the time of the last successful sync, which a restart
(even one that starts offline) still shows."""

from __future__ import annotations

import re
import time
from pathlib import Path

from game.config import parse_args
from game.content import load_campaign
from game.rules.content import CheckinMode
from game.rules.progress import CheckIn
from game.scene import Push
from game.store import LocalStore
from net.wiring import OfflineSync, WorkerSync
from tests.kiosk.harness import KioskRun, run_kiosk
from tests.kiosk.test_handoff import wait_for

CAMPAIGN = load_campaign("jade-rabbit-chongqing")
VISIT = next(lm for lm in CAMPAIGN.city.landmarks if lm.unlock_after == 0 and CheckinMode.VISIT in lm.modes)


def admin_sync_line(tmp_path: Path, store: LocalStore, sync: object, play: bool = False) -> str:
    """Open the admin menu (as after the gesture and the PIN) and read its sync lines."""
    seen: dict[str, str] = {}

    def drive(run: KioskRun) -> None:
        f = run.app.frame
        if f == 3 and play:
            run.services.session.device_landmark = VISIT.id
            assert run.services.session.attempt(CheckIn(VISIT.id, CheckinMode.VISIT)).applied
        if f == 4:
            run.app.stack.apply(Push(run.shell.admin_scene()))
        if f == 8:
            lines = dict(run.app.stack.top.lines)  # type: ignore[union-attr]
            seen["sync"] = f"{lines['kiosk.admin_sync']} · last sync {lines['kiosk.admin_last_sync']}"

    run_kiosk(tmp_path, store, frames=10, on_frame=drive, sync=sync, extra_args=["--lang", "en"])
    return seen["sync"]


def test_admin_menu_shows_the_queued_count_and_the_last_successful_sync(tmp_path: Path) -> None:
    store = LocalStore.open(tmp_path / "progress.db")
    # Never synced: the menu says so.
    line = admin_sync_line(tmp_path, store, OfflineSync(store), play=True)
    assert "1 queued" in line and "last sync never" in line

    config = parse_args(["--headless", "--server", "embedded", "--data-dir", str(tmp_path), "--kiosk"])
    sync = WorkerSync(config, store, CAMPAIGN)
    try:
        wait_for(lambda: sync.worker is not None and store.pending_count() == 0
                 and sync.worker.status.last_ok is not None)
        before = time.time()
        line = admin_sync_line(tmp_path, store, sync)
        after = time.time()
    finally:
        sync.stop()
    assert "0 queued" in line
    shown = re.search(r"last sync (\d\d:\d\d:\d\d) \((\d+) s ago\)", line)
    assert shown is not None, line
    recent = {time.strftime("%H:%M:%S", time.localtime(t)) for t in range(int(before) - 30, int(after) + 1)}
    assert shown[1] in recent and int(shown[2]) <= 30 + after - before
    stamp = time.strftime("%H:%M:%S", time.localtime(sync.last_success() or 0))  # kept by stop()

    # A restart without the server still shows when this kiosk last synced.
    line = admin_sync_line(tmp_path, store, OfflineSync(store))
    assert f"last sync {stamp}" in line
    store.close()
