"""The "Did you know?" pill at the story column's foot never lies on the story's text.

Swept over every landmark of the campaign, both languages, both text sizes and the whole --ui-scale range,
at the top of the story and part of a line down it. The card is laid out on the 1920×1080 logical canvas, which
SDL scales to whatever window or screen there is, so the window's size does not move anything here.
What is checked is what the card drew: the story's texts where they land on the screen, cut to the part
of the column the text was drawn into, against the pill's box."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest

from game.app import App
from game.services import Services
from game.ui.display import UI_SCALE_RANGE, text_scale
from game.ui.layout import LOGICAL_SIZE
from scenes.card import CardScene
from tests.fakes import MemoryStore
from tests.scenes.harness import run_app

UI_SCALES = [UI_SCALE_RANGE[0] + 0.25 * i for i in range(round((UI_SCALE_RANGE[1] - UI_SCALE_RANGE[0]) / 0.25) + 1)]


def _overlaps(card: CardScene) -> list[str]:
    """Draw the card; every story text the pill lies on, as drawn (empty when the pill is not shown)."""
    screen = pygame.Surface(LOGICAL_SIZE, pygame.SRCALPHA)
    card.draw(screen)
    if card.cue is None:
        return []
    column = pygame.Rect(card.layout().story.as_tuple())
    drawn = pygame.Rect(card.story.view.as_tuple())  # where the story's text was blitted
    assert column.contains(drawn) and column.contains(card.cue.box), (column, drawn, card.cue.box)
    out = []
    for t in card.story_placed:
        on_screen = t.rect.move(drawn.x, drawn.y - round(card.story.offset)).clip(drawn)
        if on_screen.width and on_screen.height and on_screen.colliderect(card.cue.box):
            out.append(f"{t.role} {on_screen} under the pill {card.cue.box}")
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_quiz_cue_never_covers_the_story(tmp_path: Path, lang: str) -> None:
    found: list[str] = []
    cues = 0

    def sweep(app: App, services: Services) -> None:
        nonlocal cues
        if app.frame != 1:
            return
        for lm in services.campaign.city.landmarks:
            for size in ("normal", "large"):
                for ui in UI_SCALES:
                    services.text.set_scale(text_scale(size, ui))
                    card = CardScene(services, lm)
                    card.enter()
                    for step in (0, 50):  # the top of the story, then part of a line further down
                        card.story.scroll_by(step)
                        found.extend(f"{lm.id} {size} {ui} +{step}: {o}" for o in _overlaps(card))
                        cues += card.cue is not None
        services.text.set_scale(text_scale())

    run_app(tmp_path, MemoryStore(), scene="attract", frames=2, lang=lang, on_frame=sweep, wait_for_art=False)
    pygame.quit()
    assert cues, "the sweep never showed the cue: it checked nothing"
    assert not found, "\n".join(found[:10])
