"""The data dir stays bounded while a kiosk runs for weeks: the caps are applied at each end of a session."""

from __future__ import annotations

import os
from pathlib import Path

from game.actions import Kind
from game.kiosk.housekeeping import CAPS_MB, Housekeeper
from game.store import LocalStore
from tests.kiosk.harness import key, run_kiosk, tap


def test_the_caps_hold_while_the_kiosk_runs_applied_at_each_end_of_session(tmp_path: Path) -> None:
    """Share cards written after start are capped when a visitor's session ends, oldest first."""
    share = tmp_path / "share"
    cap = CAPS_MB["share"] * 1_000_000

    def write_cards(run) -> None:  # type: ignore[no-untyped-def]
        if run.app.frame == 4:  # after start: only a periodic cap can catch these
            share.mkdir(exist_ok=True)
            for i in range(3):
                with (share / f"card-{i}.png").open("wb") as fh:
                    fh.truncate(cap // 2 + 1)  # sparse: the size counts, the disk is not filled
                os.utime(share / f"card-{i}.png", (1000 + i, 1000 + i))

    store = LocalStore.open(tmp_path / "progress.db")
    try:
        run = run_kiosk(tmp_path, store, frames=30, script=[*tap(2, (960, 700)), *key(12, Kind.BACK)],
                        on_frame=write_cards)
    finally:
        store.close()
    assert run.shell.sessions_ended == 1 and run.tops[-1] == "attract"
    assert sorted(p.name for p in share.iterdir()) == ["card-2.png"]
    assert sum(p.stat().st_size for p in share.iterdir()) <= cap


def test_housekeeping_leaves_folders_under_their_caps_alone(tmp_path: Path) -> None:
    (tmp_path / "screenshots").mkdir()
    shot = tmp_path / "screenshots" / "a.png"
    shot.write_bytes(b"x" * 1000)
    assert Housekeeper(tmp_path).tidy() == 0 and shot.exists()
