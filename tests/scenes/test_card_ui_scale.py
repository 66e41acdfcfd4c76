"""The landmark card at every text scale a kiosk or projector uses (en, zh): every text lies inside its
box (the card, a tile, the quiz panel, a button, the story column) and the screen, none is cut short
with "…", no two texts overlap, and every button is at least touch size. Measured from what the card
drew (``CardScene.placed`` and ``story_placed``), in the preview, the quiz with a wrong answer, the
checked-in card and a locked landmark."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest

from game.actions import Action, Kind
from game.app import App
from game.rules.content import CheckinMode
from game.rules.progress import CheckIn, PinState
from game.services import Services
from game.ui.display import UI_SCALE_RANGE, text_scale
from game.ui.layout import LOGICAL_SIZE, MIN_TOUCH
from game.ui.text import PlacedText
from game.ui.widgets import lighten
from scenes.card import CardScene
from tests.fakes import MemoryStore
from tests.scenes.conftest import SceneAtScale
from tests.scenes.harness import run_app

SCALES = [("normal", 1.0), ("normal", 1.5), ("normal", UI_SCALE_RANGE[1]), ("large", 1.0),
          ("large", UI_SCALE_RANGE[1])]
SCREEN = pygame.Rect((0, 0), LOGICAL_SIZE)


def _check(scene: CardScene, services: Services, what: str) -> None:
    services.text.clear_cache()  # every string the card draws is rendered afresh, so the cache lists them
    scene._overlay = scene._story = None
    scene.draw(pygame.Surface(LOGICAL_SIZE, pygame.SRCALPHA))
    lay = scene.layout()
    card = pygame.Rect(lay.card.as_tuple())
    assert SCREEN.contains(card), f"{what}: the card {card} leaves the screen"
    cut = [t for t in services.text.cached_texts() if "…" in t]
    assert not cut, f"{what}: cut short: {cut}"

    placed = scene.placed
    assert {"name", "other name", "badge", "checkin label"} <= {t.role for t in placed}, what
    for t in placed:
        assert t.rect.width and t.box.contains(t.rect), f"{what}: {t.role} {t.rect} leaves its box {t.box}"
        assert card.contains(t.box), f"{what}: {t.role}'s box {t.box} leaves the card {card}"
    view = pygame.Rect(lay.story.as_tuple())
    if view.width:
        assert card.contains(view), f"{what}: the story column leaves the card"
        for t in placed:
            assert not t.rect.colliderect(view), f"{what}: {t.role} {t.rect} lies on the story column {view}"
        assert {"story heading", "story"} <= {t.role for t in scene.story_placed}, what
        for t in scene.story_placed:
            assert t.rect.width and t.box.contains(t.rect), f"{what}: {t.role} leaves the story column"
        content_h = scene._story_surface().get_height()
        text = pygame.Rect(scene.story.view.as_tuple())  # the column above the "Did you know?" pill, if shown
        assert view.contains(text), f"{what}: the story's text {text} leaves its column {view}"
        assert scene.story.room == max(0, content_h - text.height), f"{what}: the story cannot scroll to its end"
    for space in (placed, scene.story_placed):
        for i, a in enumerate(space):
            for b in space[i + 1:]:
                assert not a.rect.colliderect(b.rect), f"{what}: {a.role} {a.rect} overlaps {b.role} {b.rect}"

    buttons = scene._build_buttons()
    for b in buttons:
        r = pygame.Rect(b.rect.as_tuple())
        assert min(r.size) >= MIN_TOUCH and card.contains(r), f"{what}: {b.id} {r}"
    for i, a in enumerate(buttons):
        for b in buttons[i + 1:]:
            assert not pygame.Rect(a.rect.as_tuple()).colliderect(b.rect.as_tuple()), f"{what}: {a.id} on {b.id}"
    quiz = scene.lm.quiz
    if quiz is not None and scene.mode is not CheckinMode.LEARN and scene.state() is not PinState.CHECKED_IN:
        shown = {t.role for t in placed + scene.story_placed}
        assert {f"choice {i}" for i in range(len(quiz.choices))} <= shown, f"{what}: an answer is left out"
    labelled = {t.role for t in placed if t.role.startswith("choice:")}
    assert labelled == {b.id for b in buttons if b.id.startswith("choice:")}, what


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("text_size", "scale"), SCALES)
def test_card_texts_fit_their_boxes_at_every_scale(scene_at_scale: SceneAtScale, lang: str, text_size: str,
                                                   scale: float) -> None:
    checked: list[str] = []

    def hook(app: App, services: Services) -> None:
        if app.frame == 2:
            card = app.stack.top
            assert isinstance(card, CardScene)
            tag = f"{lang} {text_size} {scale}"
            _check(card, services, f"preview {tag}")
            card._press(f"mode:{CheckinMode.LEARN.value}")
            quiz = card.lm.quiz
            assert quiz is not None
            card._press(f"choice:{(quiz.answer + 1) % len(quiz.choices)}")
            assert card.message is not None and not card.message[1]  # the wrong answer is said
            _check(card, services, f"quiz {tag}")
            card._attempt(CheckIn(card.lm.id, CheckinMode.LEARN, quiz_choice=quiz.answer))
            card.stamp_t = 2.0  # the seal has landed; "+N steps" and the month's total sit by it
            card.draw(pygame.Surface(LOGICAL_SIZE, pygame.SRCALPHA))
            assert len(card.stamp_placed) == 2
            for t in card.stamp_placed:
                assert t.box.contains(t.rect), f"stamp {tag}: {t.role} {t.rect} leaves the seal's column {t.box}"
            card.stamp_t, card.message = None, None
            _check(card, services, f"checked in {tag}")
            locked = next(lm for lm in services.campaign.city.landmarks if lm.unlock_after > 1)
            other = CardScene(services, locked, card.icon)
            other.enter()
            _check(other, services, f"locked {tag}")
            checked.append(tag)

    scene_at_scale("card:hongyadong", CardScene, lang, text_size, scale, each_frame=hook,
                   extra_args=["--device-landmark", "hongyadong"])
    assert checked
    pygame.quit()


def test_the_card_grows_with_the_scale_and_its_tiles_stay_touch_size(tmp_path: Path) -> None:
    sizes: dict[float, tuple[float, float, float]] = {}

    def hook(app: App, services: Services) -> None:
        card = app.stack.top
        if isinstance(card, CardScene) and app.frame in (1, 2):
            scale = 1.0 if app.frame == 1 else UI_SCALE_RANGE[1]
            services.text.set_scale(text_scale("normal", scale))
            lay = card.layout()
            sizes[scale] = (lay.card.w, lay.card.h, lay.tile_h)

    run_app(tmp_path, MemoryStore(), scene="card:hongyadong", frames=3, lang="en", on_frame=hook, wait_for_art=False)
    small, big = sizes[1.0], sizes[UI_SCALE_RANGE[1]]
    assert big[0] > small[0] * 1.3 and big[1] > small[1] * 1.1 and big[2] > small[2] * 1.3
    pygame.quit()


def _tap(scene: CardScene, pos: tuple[float, float]) -> None:
    scene.handle(Action(Kind.POINTER_DOWN, pos=pos))
    scene.handle(Action(Kind.POINTER_UP, pos=pos))


def _close(a: tuple[int, ...], b: tuple[int, ...], tolerance: int) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a[:3], b[:3], strict=True))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_when_the_quiz_covers_the_story_its_tile_reads_story_and_brings_the_story_back(
        scene_at_scale: SceneAtScale, lang: str) -> None:
    seen: dict[str, object] = {}

    def hook(app: App, services: Services) -> None:
        card = app.stack.top
        if app.frame == 2 and isinstance(card, CardScene):
            tile = next(b for b in card._build_buttons() if b.id == f"mode:{CheckinMode.LEARN.value}")
            _tap(card, tile.rect.center)
            seen["quiz story"] = card.layout().story.w
            seen["answers"] = sum(b.id.startswith("choice:") for b in card._build_buttons())
            card.draw(pygame.Surface(LOGICAL_SIZE, pygame.SRCALPHA))
            label = next(t for t in card.placed if t.role == f"tile {CheckinMode.LEARN.value}")
            seen["label"], seen["inside"] = label.text, pygame.Rect(tile.rect.as_tuple()).contains(label.rect)
            seen["story"] = services.t("card.story")
            _tap(card, tile.rect.center)
            seen["again story"] = card.layout().story.w
            card.draw(pygame.Surface(LOGICAL_SIZE, pygame.SRCALPHA))
            seen["again label"] = next(t.text for t in card.placed if t.role == f"tile {CheckinMode.LEARN.value}")
            seen["quiz"] = services.t(f"card.{CheckinMode.LEARN.value}")

    scene_at_scale("card:hongyadong", CardScene, lang, "normal", UI_SCALE_RANGE[1], each_frame=hook)
    assert seen["quiz story"] == 0 and seen["answers"] >= 2, "at 2× the quiz takes the card's whole body"
    assert seen["label"] == seen["story"] and seen["inside"], "the Quiz tile says it is the way back to the story"
    assert seen["again story"] > 0, "tapping it shows the story (where the answer is)"
    assert seen["again label"] == seen["quiz"], "and the tile is the Quiz tile again"
    pygame.quit()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("text_size", "scale"), [("normal", 1.5), ("normal", UI_SCALE_RANGE[1]),
                                                  ("large", UI_SCALE_RANGE[1])])
def test_did_you_know_below_the_story_is_named_at_its_foot_and_a_tap_scrolls_there(
        scene_at_scale: SceneAtScale, lang: str, text_size: str, scale: float) -> None:
    seen: dict[str, object] = {}

    def hook(app: App, services: Services) -> None:
        card = app.stack.top
        if app.frame == 2 and isinstance(card, CardScene):
            screen = pygame.Surface(LOGICAL_SIZE, pygame.SRCALPHA)
            card.draw(screen)
            view = pygame.Rect(card.layout().story.as_tuple())
            head = next((t.rect for t in card.story_placed if t.role == "quiz heading"), None)
            seen["quiz in the column"] = head is not None
            if head is None:  # the quiz has a column of its own at this scale
                return
            seen["below"] = head.bottom > card.story.offset + view.height
            seen["cue"] = card.cue
            seen["view"], seen["name"] = view, services.t("card.did_you_know")
            paper = lighten(services.palette.paper, 0.35)
            foot = [tuple(screen.get_at((x, view.bottom - 1))) for x in range(view.x, view.right, 7)]
            seen["foot faded"] = all(_close(c, paper, 6) for c in foot) if card.story.more_below else True
            if card.cue is not None:
                _tap(card, card.cue.box.center)
                card.draw(screen)
                seen["heading shown"] = card.story.offset <= head.y and head.bottom <= card.story.offset + view.height
                seen["cue after"] = card.cue

    scene_at_scale("card:hongyadong", CardScene, lang, text_size, scale, each_frame=hook,
                   extra_args=["--device-landmark", "hongyadong"])
    what = f"{lang} {text_size} {scale}"
    if not seen["quiz in the column"]:
        assert scale < UI_SCALE_RANGE[1], f"{what}: at 2× the quiz shares the story's column"
        return
    assert seen["foot faded"], f"{what}: a line cut at the story column's foot shows without a fade"
    cue = seen["cue"]
    if not seen["below"]:
        assert cue is None, f"{what}: a cue for a heading already in view"
        return
    assert isinstance(cue, PlacedText) and cue.text == seen["name"], f"{what}: nothing says \"Did you know?\" is below"
    view = seen["view"]
    assert isinstance(view, pygame.Rect)
    assert view.contains(cue.box) and cue.box.contains(cue.rect), f"{what}: the cue {cue.box} leaves the column"
    assert min(cue.box.size) >= MIN_TOUCH, f"{what}: the cue is not touch size"
    assert seen["heading shown"] and seen["cue after"] is None, f"{what}: tapping the cue does not show the quiz"
    pygame.quit()
