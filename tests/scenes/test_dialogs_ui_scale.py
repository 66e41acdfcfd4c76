"""The kiosk's dialogs (Finish, the hand-off, the idle countdown) at every text scale, in both languages:
the panel grows with the text, every text stays inside it and the screen, apart from the others, and the
buttons hold their labels at touch size."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest

from game.app import App
from game.kiosk.countdown import draw_countdown
from game.services import Services
from game.ui.display import text_scale
from game.ui.fit import Placements
from scenes.finish import FinishScene
from scenes.handoff import QR_BOX, HandoffScene
from tests.fakes import MemoryStore
from tests.scenes.harness import run_app
from tests.scenes.layout_checks import SCALES, assert_buttons_fit, assert_texts_fit

URL = "https://tour.example.cn/c/ABCD2345EFGH"


def _finish(tmp_path: Path, lang: str, size: str, scale: float) -> tuple[FinishScene, Services]:
    seen: dict[str, FinishScene] = {}

    def hook(app: App, services: Services) -> None:
        if app.frame == 0:
            services.text.set_scale(text_scale(size, scale))
        if isinstance(app.stack.top, FinishScene):
            seen["finish"] = app.stack.top

    run = run_app(tmp_path, MemoryStore(), scene="finish", lang=lang, frames=3, wait_for_art=False, on_frame=hook)
    return seen["finish"], run.services


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("size", "scale"), SCALES)
def test_dialogs_hold_their_texts(tmp_path: Path, lang: str, size: str, scale: float) -> None:
    finish, services = _finish(tmp_path, lang, size, scale)
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


def test_dialogs_grow_with_the_text(tmp_path: Path) -> None:
    small, _ = _finish(tmp_path / "a", "en", "normal", 1.0)
    small_panel, small_button = small.panel, small.buttons[0].rect
    big, _ = _finish(tmp_path / "b", "en", "normal", 2.0)
    assert big.panel.w > small_panel.w and big.panel.h > small_panel.h
    assert big.buttons[0].rect.h > small_button.h
    pygame.quit()
