"""The landmark card's *scan* tile opens the Scan scene; the poster seen there checks the landmark in,
and Back from the scan returns to the card, which now shows the landmark as done today.

Taps go through SDL's event queue (the Driver of the scripted run); the camera is a real video
file of the landmark's poster read by cv2.VideoCapture.
"""

from __future__ import annotations

from pathlib import Path

from game.app import App
from game.rules.content import CheckinMode
from game.rules.progress import PinState
from game.services import Services
from game.store import LocalStore
from scenes.card import CardScene
from scenes.scan import ScanScene
from tests.scenes.harness import run_app
from tests.scenes.test_scan_checkin import CAMPAIGN, SealWatch, poster_clip
from tests.scenes.test_scripted_run import Driver, Step


def test_scan_tile_opens_the_scan_and_back_returns_to_the_card(tmp_path: Path) -> None:
    lm = next(lm for lm in CAMPAIGN.city.landmarks
              if lm.unlock_after == 0 and CheckinMode.SCAN in lm.modes and lm.poster)
    clip = poster_clip(tmp_path / "poster.avi", lm.id)

    def scanned(app: App) -> bool:
        scene = app.stack.top
        return isinstance(scene, ScanScene) and any(
            c.landmark_id == lm.id and c.mode is CheckinMode.SCAN for c in scene.s.session.progress.checkins)

    driver = Driver([
        Step("card: scan tile", lambda app: isinstance(app.stack.top, CardScene),
             lambda app: app.stack.top.tap_targets()["mode:scan"]),  # type: ignore[union-attr]
        Step("scan: back once the poster checked in", scanned,
             lambda app: app.stack.top.tap_targets()["back"]),  # type: ignore[union-attr]
    ])
    tops: list[str] = []

    def watch(app: App, services: Services) -> None:
        driver(app, services)
        name = type(app.stack.top).__name__
        if not tops or tops[-1] != name:
            tops.append(name)

    store = LocalStore.open(tmp_path / "progress.db")
    try:
        run = run_app(tmp_path, store, scene=f"card:{lm.id}", extra_args=["--camera", str(clip)], frames=200,
                      wait_for_art=False, on_frame=watch, lang="en")
    finally:
        store.close()
    assert driver.done == [s.name for s in driver.steps], f"the run stalled after {driver.done}"
    assert tops == ["CardScene", "ScanScene", "CardScene"]
    card = driver.last_top
    assert isinstance(card, CardScene) and card.lm.id == lm.id
    assert card.state() is PinState.CHECKED_IN
    checkins = run.services.session.progress.checkins
    assert [(c.landmark_id, c.mode) for c in checkins] == [(lm.id, CheckinMode.SCAN)]


def test_a_landmarks_scan_counts_only_its_own_poster_and_names_another(tmp_path: Path) -> None:
    """Opened from Gele Mountain's card, another landmark's poster checks nothing in: the visitor is
    told whose poster that is and which one to look for (in the language shown)."""
    with_posters = [lm for lm in CAMPAIGN.city.landmarks
                    if lm.unlock_after == 0 and CheckinMode.SCAN in lm.modes and lm.poster]
    target, other = with_posters[0], with_posters[1]
    clip = poster_clip(tmp_path / "other.avi", other.id)
    for lang in ("en", "zh"):
        watch = SealWatch()
        (tmp_path / lang).mkdir()
        store = LocalStore.open(tmp_path / f"progress-{lang}.db")
        try:
            run = run_app(tmp_path / lang, store, scene=f"scan:{target.id}", extra_args=["--camera", str(clip)],
                          frames=120, wait_for_art=False, on_frame=watch, lang=lang)
        finally:
            store.close()
        assert run.services.session.progress.checkins == ()
        assert watch.seals == []
        told = run.services.t("scan.other_poster", other=other.name.get(lang), name=target.name.get(lang))
        assert told in watch.messages
        assert other.name.get(lang) in told and target.name.get(lang) in told
