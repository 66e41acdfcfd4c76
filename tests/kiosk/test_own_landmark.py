"""A kiosk's own landmark is always open for its visit check-in, whatever the unlock order, and the map
opens there with a "You are here" mark."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pygame

from game.bootstrap import paint_job
from game.content import load_campaign
from game.rules.content import CheckinMode
from game.rules.progress import CheckIn, Context, PinState, Progress, Reason, apply, pin_state
from game.services import Palette
from game.store import LocalStore
from tests.kiosk.harness import KioskRun, run_kiosk, tap

CAMPAIGN = load_campaign("jade-rabbit-chongqing")
NOW = datetime(2027, 1, 25, 3, 0, tzinfo=UTC)


def locked_visit_landmark():  # type: ignore[no-untyped-def]
    return next(lm for lm in CAMPAIGN.city.landmarks if lm.unlock_after > 0 and CheckinMode.VISIT in lm.modes)


def test_the_own_landmark_is_available_and_its_visit_applies_at_that_kiosk_only() -> None:
    lm = locked_visit_landmark()
    assert pin_state(CAMPAIGN, Progress(), lm, NOW) is PinState.LOCKED
    assert pin_state(CAMPAIGN, Progress(), lm, NOW, lm.id) is PinState.AVAILABLE
    here = apply(CAMPAIGN, Progress(), CheckIn(lm.id, CheckinMode.VISIT), Context(NOW, lm.id))
    assert here.applied and here.steps == lm.modes[CheckinMode.VISIT]
    elsewhere = apply(CAMPAIGN, Progress(), CheckIn(lm.id, CheckinMode.VISIT), Context(NOW, "not-here"))
    assert elsewhere.reason is Reason.LOCKED
    assert pin_state(CAMPAIGN, here.progress, lm, NOW, lm.id) is PinState.CHECKED_IN


def test_a_bound_kiosk_opens_the_map_at_its_landmark_with_you_are_here(tmp_path: Path) -> None:
    lm = locked_visit_landmark()
    store = LocalStore.open(tmp_path / "progress.db")
    seen: dict[str, object] = {}

    def look(run: KioskRun) -> None:
        top = run.app.stack.top
        if top is not None and top.name == "map" and run.app.frame == 10:
            seen["focus"] = top.focus  # type: ignore[attr-defined]
            seen["centre_x"] = top.art.anchors[lm.id][0] - top.pan.x  # type: ignore[attr-defined]
            seen["texts"] = run.services.text.cached_texts()
            seen["here"] = run.services.t("kiosk.you_are_here")

    pygame.init()
    pygame.display.set_mode((64, 64))
    job = paint_job(CAMPAIGN, Palette.from_campaign(CAMPAIGN), 3, tmp_path / "cache")
    job.start()
    art = job.result(timeout=240)
    try:
        run_kiosk(tmp_path, store, frames=12, script=tap(2, (960, 700)), on_frame=look, art=art,
                  extra_args=["--device-landmark", lm.id])
    finally:
        store.close()
        pygame.quit()
    assert seen["focus"] == lm.id
    assert abs(seen["centre_x"] - 960) < 200  # type: ignore[operator]  (opened centred on it)
    assert seen["here"] in seen["texts"]  # type: ignore[operator]  (the mark was drawn)
