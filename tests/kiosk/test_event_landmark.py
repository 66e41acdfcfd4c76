"""Event mode, end to end: a laptop enrolled with its embedded server at one landmark (or none) is set to
another landmark in the kiosk admin menu; a visit check-in there syncs and the server applies it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pygame
import pytest

from game.config import parse_args
from game.content import load_campaign
from game.rules.content import CheckinMode
from game.rules.progress import CheckIn
from game.session import Session
from game.store import LocalStore
from net.api import ApiClient
from net.wiring import WorkerSync
from tests.kiosk.harness import KioskRun, run_kiosk
from tests.kiosk.test_handoff import wait_for

CAMPAIGN = load_campaign("jade-rabbit-chongqing")
# A visit landmark that is locked until others are done: only a device standing there can check in.
PICKED = next(lm for lm in CAMPAIGN.city.landmarks if lm.unlock_after > 0 and CheckinMode.VISIT in lm.modes)
START = next(lm for lm in CAMPAIGN.city.landmarks if lm.id != PICKED.id and CheckinMode.VISIT in lm.modes)


@pytest.mark.parametrize("start", [START.id, None], ids=["enrolled-at-another", "enrolled-at-none"])
def test_a_visit_at_the_landmark_picked_in_the_admin_menu_is_applied_by_the_embedded_server(
    tmp_path: Path, start: str | None
) -> None:
    landmark = ["--device-landmark", start] if start else []
    args = ["--event", "--server", "embedded", "--camera", "none", *landmark]
    config = parse_args(["--headless", "--data-dir", str(tmp_path), *args])
    store = LocalStore.open(tmp_path / "progress.db")
    sync = WorkerSync(config, store, CAMPAIGN)
    try:
        wait_for(lambda: store.get_meta("device_token") is not None)  # enrolled at the start-up landmark
        assert store.get_meta("device_token") is not None
        seen: dict[str, object] = {}

        def play(run: KioskRun) -> None:
            if run.app.frame != 5:
                return
            admin = run.shell.make_admin(run.shell)  # type: ignore[misc]
            for _ in CAMPAIGN.city.landmarks:  # the admin menu's ">" until the picked landmark shows
                if run.services.session.device_landmark == PICKED.id:
                    break
                admin.press("lm-next")  # type: ignore[attr-defined]
            outcome = run.services.session.attempt(CheckIn(PICKED.id, CheckinMode.VISIT))
            seen["applied"] = outcome.applied
            seen["player"] = run.services.session.player_id
            seen["steps"] = run.services.session.summary().month_steps

        run_kiosk(tmp_path, store, frames=12, on_frame=play, sync=sync, extra_args=args)
        assert seen["applied"] and seen["steps"] == PICKED.modes[CheckinMode.VISIT]
        player = str(seen["player"])
        wait_for(lambda: store.pending_count() == 0 and store.entries(player)[0].status != "pending")
        assert store.pending_count() == 0
        assert [e.status for e in store.entries(player)] == ["applied"]
        row = store.player(player)
        assert row is not None and row.server_id is not None
        api = ApiClient(sync.server.url, store.get_meta("device_token"))  # type: ignore[union-attr]
        try:
            doc = api.progress(row.server_id)
        finally:
            api.close()
        assert doc["month_steps"] == seen["steps"]
        assert PICKED.id in {c["landmark_id"] for c in doc["checkins"]}
    finally:
        sync.stop()
        pygame.quit()
    if start is not None:
        restart_at_the_configured_landmark(config, store, start, str(seen["player"]))


def restart_at_the_configured_landmark(config, store: LocalStore, start: str, player: str) -> None:  # type: ignore[no-untyped-def]
    """After a restart the laptop stands at its configured landmark again, on the server too (whose
    database still has the landmark picked before): a visit there is applied."""
    sync = WorkerSync(config, store, CAMPAIGN)
    try:
        wait_for(lambda: sync.worker is not None)
        session = Session(CAMPAIGN, store, lambda: datetime.now(UTC), start)
        assert session.player_id == player and session.attempt(CheckIn(start, CheckinMode.VISIT)).applied
        wait_for(lambda: store.pending_count() == 0)
        assert [e.status for e in store.entries(player)] == ["applied", "applied"]
    finally:
        sync.stop()
