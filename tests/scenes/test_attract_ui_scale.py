"""The attract loop at every text scale, in both languages: the brand, title, tagline, hint and the
"touch to start" pill stay inside the text column and the screen, apart from each other, and clear of the
art (the lanterns, the medallion with the rabbit, the scroll along the bottom, the language button); the
buttons hold their labels at touch size."""

from __future__ import annotations

import pygame
import pytest

from scenes.attract import COL_RIGHT, AttractScene
from tests.scenes.conftest import SceneAtScale
from tests.scenes.layout_checks import SCALES, assert_apart, assert_buttons_fit, assert_texts_fit


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("size", "scale"), SCALES)
def test_the_column_holds_its_texts_clear_of_the_art(scene_at_scale: SceneAtScale, lang: str, size: str,
                                                    scale: float) -> None:
    attract, _ = scene_at_scale("attract", AttractScene, lang, size, scale)
    where = f"{lang} {size} {scale}"
    texts = attract.placed.texts
    assert {t.role for t in texts} >= {"brand", "title", "tagline", "hint", "touch", "touch alt"}
    assert_texts_fit(texts, where)
    art = [*attract.art_boxes(), pygame.Rect(attract.lang_button.rect.as_tuple())]
    assert_apart([t for t in texts if t.role != "touch"], [*art, attract._layout.pill], where)
    assert_apart([t for t in texts if t.role == "touch"], art, where)
    buttons = [attract.lang_button, attract.scan_button]
    assert_buttons_fit(buttons, where)
    assert_texts_fit(attract.buttons_placed.texts, where)
    for b in buttons:  # the buttons keep clear of the art and inside the gold frame
        rect = pygame.Rect(b.rect.as_tuple())
        assert rect.right <= COL_RIGHT + 60, f"{where}: {b.id} {rect} leaves the frame"
        assert not any(rect.colliderect(box) for box in attract.art_boxes()), f"{where}: {b.id} covers the art"
    pill = attract._layout.pill
    assert not pill.colliderect(pygame.Rect(attract.scan_button.rect.as_tuple()))
    assert not any(pill.colliderect(box) for box in attract.art_boxes()), f"{where}: the pill covers the art"


def test_the_column_keeps_its_sizes_at_the_normal_scale(scene_at_scale: SceneAtScale) -> None:
    """At 1.0 the texts are drawn at the sizes asked for (nothing shrinks); at 2.0 they are larger still."""
    small, _ = scene_at_scale("attract", AttractScene, "en", "normal", 1.0)
    big, _ = scene_at_scale("attract", AttractScene, "en", "normal", 2.0)
    sizes = {t.role: t.rect.height for t in small.placed.texts}
    for t in big.placed.texts:
        if t.role in ("tagline", "hint", "touch", "touch alt"):
            assert t.rect.height > sizes[t.role], f"{t.role} is not larger at 2.0"
    assert small._layout.label_size == 54
    pygame.quit()
