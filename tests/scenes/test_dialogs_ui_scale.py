"""The kiosk's dialogs (Finish, the hand-off, the idle countdown) at every text scale, in both languages:
the panel grows with the text, every text stays inside it and the screen, apart from the others, and the
buttons hold their labels at touch size."""

from __future__ import annotations

import pygame
import pytest

from game.kiosk.countdown import draw_countdown
from game.ui.fit import Placements
from scenes.finish import FinishScene
from scenes.handoff import QR_BOX, HandoffScene
from tests.scenes.conftest import SceneAtScale
from tests.scenes.layout_checks import SCALES, assert_buttons_fit, assert_texts_fit

URL = "https://tour.example.cn/c/ABCD2345EFGH"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("size", "scale"), SCALES)
def test_dialogs_hold_their_texts(scene_at_scale: SceneAtScale, lang: str, size: str, scale: float) -> None:
    finish, services = scene_at_scale("finish", FinishScene, lang, size, scale)
    where = f"finish {lang} {size} {scale}"
    assert_texts_fit(finish.placed.texts, where)
    assert_buttons_fit(finish.placed.buttons, where)
    panel = pygame.Rect(finish.panel.as_tuple())
    assert all(panel.contains(pygame.Rect(b.rect.as_tuple())) for b in finish.buttons)
    assert {t.role for t in finish.placed.texts} >= {"title", "body", "button:yes", "button:no"}

    surface = pygame.Surface((1920, 1080))
    for url, offline in ((URL, False), (None, False), (None, True)):
        handoff = HandoffScene(services, lambda url=url: url, lambda: None, offline=offline)
        handoff.enter()
        handoff.draw(surface)
        where = f"hand-off {lang} {size} {scale} url={url is not None} offline={offline}"
        texts = handoff.placed.texts
        assert_texts_fit(texts, where)
        assert_buttons_fit(handoff.placed.buttons, where)
        code = pygame.Rect(QR_BOX.as_tuple())
        for t in texts:  # the left column keeps clear of the code
            if t.role != "waiting":
                assert t.rect.right < code.left, f"{where}: {t.role} runs into the code"
        assert not pygame.Rect(handoff.button.rect.as_tuple()).colliderect(code)

    placed = Placements()
    panel = pygame.Rect(draw_countdown(surface, services, 7.4, placed).as_tuple())
    where = f"countdown {lang} {size} {scale}"
    assert_texts_fit(placed.texts, where)
    assert {t.role for t in placed.texts} >= {"question:zh", "question:en", "seconds", "hint"}
    assert all(panel.contains(t.rect) for t in placed.texts)


def test_dialogs_grow_with_the_text(scene_at_scale: SceneAtScale) -> None:
    small, _ = scene_at_scale("finish", FinishScene, "en", "normal", 1.0)
    small_panel, small_button = small.panel, small.buttons[0].rect
    big, _ = scene_at_scale("finish", FinishScene, "en", "normal", 2.0)
    assert big.panel.w > small_panel.w and big.panel.h > small_panel.h
    assert big.buttons[0].rect.h > small_button.h
    pygame.quit()
