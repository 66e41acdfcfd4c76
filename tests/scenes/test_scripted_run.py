"""A visitor's run, attract -> map -> card -> quiz -> check-in, driven through the input boundary.

Input is synthesised as real pygame mouse events posted to SDL's queue, so it goes through
``InputMapper`` exactly as a kiosk tap does. Where to tap is read off the screen's own layout
(the map's pins, the card's buttons), as a person would look before touching. The run uses a
real ``LocalStore`` on disk; afterwards the store is reopened and the check-in must be there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pygame
import pytest

from game.app import App
from game.rules.content import Campaign, CheckinMode, Landmark
from game.rules.progress import month_steps
from game.services import Services
from game.store import LocalStore
from scenes.card import CardScene
from scenes.map import MapScene
from tests.scenes.harness import run_app

Pos = tuple[float, float]


def post_tap(pos: Pos) -> None:
    """Press now; the release is posted on the next frame (see Driver)."""
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(round(pos[0]), round(pos[1])), button=1))


def post_release(pos: Pos) -> None:
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(round(pos[0]), round(pos[1])), button=1))


@dataclass
class Step:
    """When ``ready(app)`` holds, tap where ``where(app)`` says."""

    name: str
    ready: Callable[[App], bool]
    where: Callable[[App], Pos]


@dataclass
class Driver:
    steps: list[Step]
    done: list[str] = field(default_factory=list)
    last_top: object = None  # the top scene on the last frame (the stack is emptied when the run ends)
    _release: Pos | None = None
    _wait: int = 0

    def __call__(self, app: App, services: Services) -> None:
        self.last_top = app.stack.top
        if self._release is not None:
            post_release(self._release)
            self._release, self._wait = None, 6  # let the scene react before looking again
            return
        if self._wait:
            self._wait -= 1
            return
        if len(self.done) < len(self.steps):
            step = self.steps[len(self.done)]
            if step.ready(app):
                pos = step.where(app)
                post_tap(pos)
                self._release = pos
                self.done.append(step.name)


def quiz_landmark(campaign: Campaign) -> Landmark:
    """A landmark that is open from the start and offers the quiz check-in."""
    return next(lm for lm in campaign.city.landmarks
                if lm.unlock_after == 0 and CheckinMode.LEARN in lm.modes and lm.quiz is not None)


def top(app: App) -> object:
    return app.stack.top


def map_settled_on(lm: Landmark) -> Callable[[App], bool]:
    def ready(app: App) -> bool:
        scene = top(app)
        if not isinstance(scene, MapScene) or scene.art is None:
            return False
        sx = scene.art.anchors[lm.id][0] - scene.pan.x
        return scene.pan.target is None and 200 < sx < 1720
    return ready


def minimap_point(lm: Landmark) -> Callable[[App], Pos]:
    def where(app: App) -> Pos:
        scene = top(app)
        assert isinstance(scene, MapScene) and scene.art is not None
        thumb = scene._thumb_rect()
        x = thumb.x + (scene.art.anchors[lm.id][0]) / scene.art.width * thumb.w
        return (x, thumb.centery)
    return where


def pin_point(lm: Landmark) -> Callable[[App], Pos]:
    def where(app: App) -> Pos:
        scene = top(app)
        assert isinstance(scene, MapScene) and scene.art is not None
        ax, ay = scene.art.anchors[lm.id]
        return (ax - scene.pan.x, ay - 40)
    return where


def card_button(ident: str) -> Callable[[App], Pos]:
    def where(app: App) -> Pos:
        scene = top(app)
        assert isinstance(scene, CardScene)
        button = next(b for b in scene._build_buttons() if b.id == ident)
        return button.rect.center
    return where


def is_map(app: App) -> bool:
    scene = top(app)
    return isinstance(scene, MapScene) and scene.art is not None


def is_card(app: App) -> bool:
    return isinstance(top(app), CardScene)


def visitor_steps(lm: Landmark, choice: int) -> list[Step]:
    return [
        Step("attract: touch to start", lambda app: getattr(top(app), "name", "") == "attract", lambda app: (700, 900)),
        Step("map: minimap to the landmark", is_map, minimap_point(lm)),
        Step("map: tap the pin", map_settled_on(lm), pin_point(lm)),
        Step("card: quiz mode", is_card, card_button("mode:learn")),
        Step("card: answer", is_card, card_button(f"choice:{choice}")),
    ]


def run_visitor(tmp_path: Path, lm_choice: Callable[[Campaign], tuple[Landmark, int]]) -> tuple[Path, Campaign,
                                                                                                  Landmark, Driver]:
    db = tmp_path / "progress.db"
    store = LocalStore.open(db)
    from game.content import load_campaign

    campaign = load_campaign("jade-rabbit-chongqing")
    lm, choice = lm_choice(campaign)
    driver = Driver(visitor_steps(lm, choice))
    run = run_app(tmp_path, store, scene="attract", frames=240, on_frame=driver)
    store.close()
    assert driver.done == [s.name for s in driver.steps], f"the run stalled after {driver.done}"
    assert isinstance(driver.last_top, CardScene)
    assert run.app.frame == 240
    return db, campaign, lm, driver


def test_quiz_check_in_is_stored_and_steps_rise(tmp_path: Path) -> None:
    def right(campaign: Campaign) -> tuple[Landmark, int]:
        lm = quiz_landmark(campaign)
        assert lm.quiz is not None
        return lm, lm.quiz.answer

    db, campaign, lm, driver = run_visitor(tmp_path, right)
    card = driver.last_top
    assert isinstance(card, CardScene)
    assert card.stamp_t is not None and card.stamp_t > 0  # the seal animation started
    assert card.message is not None and card.message[1] is True
    reopened = LocalStore.open(db)
    try:
        player = reopened.current_player()
        assert player is not None
        progress = reopened.load_progress(player)
        assert [(c.landmark_id, c.mode) for c in progress.checkins] == [(lm.id, CheckinMode.LEARN)]
        expected = lm.modes[CheckinMode.LEARN] + campaign.meta.quiz_steps
        now = progress.checkins[0].at
        assert month_steps(campaign, progress, now) == expected
        assert reopened.pending_count() >= 1  # queued for sync
    finally:
        reopened.close()


def test_wrong_answer_gives_no_check_in(tmp_path: Path) -> None:
    def wrong(campaign: Campaign) -> tuple[Landmark, int]:
        lm = quiz_landmark(campaign)
        assert lm.quiz is not None
        return lm, (lm.quiz.answer + 1) % len(lm.quiz.choices)

    db, _campaign, _lm, driver = run_visitor(tmp_path, wrong)
    card = driver.last_top
    assert isinstance(card, CardScene)
    assert card.stamp_t is None
    assert card.message is not None and card.message[1] is False  # told why, in words
    reopened = LocalStore.open(db)
    try:
        player = reopened.current_player()
        assert player is not None
        progress = reopened.load_progress(player)
        assert progress.checkins == ()
        assert progress.grants == ()
    finally:
        reopened.close()


@pytest.fixture(autouse=True)
def _quit_pygame():
    yield
    pygame.quit()
