"""The scan scene's side panels, aiming guide and hint chips at every text scale, in both languages, with
the demo camera's note showing: every text inside its panel (or band, or chip) and the screen, apart from
the others; Back and the album hold their labels at touch size; the chips stay between the panels."""

from __future__ import annotations

import pygame
import pytest

from game.ui.layout import LOGICAL_SIZE
from scenes.scan import SIDE_W, ScanScene
from tests.scenes.conftest import SceneAtScale
from tests.scenes.layout_checks import SCALES, assert_buttons_fit, assert_texts_fit


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("size", "scale"), SCALES)
def test_side_panels_guide_and_chips_hold_their_texts(scene_at_scale: SceneAtScale, lang: str, size: str,
                                                       scale: float) -> None:
    scan, services = scene_at_scale("scan:hongyadong", ScanScene, lang, size, scale, frames=6, extra_args=["--camera", "synthetic"])
    where = f"{lang} {size} {scale}"
    assert scan.synthetic, "the demo camera runs (its note is one of the texts checked)"
    roles = {t.role for t in scan.placed.texts}
    assert {"title", "landmark", "demo camera", "album", "count"} <= roles, roles
    back = pygame.Rect(scan.back.rect.as_tuple())
    label_w, label_h = services.text.size(scan.back.label, scan._back_size, "bold")
    assert label_w <= back.w - 24 and label_h <= back.h, f"{where}: Back is smaller than its label"
    assert back.right <= scan.side, f"{where}: Back leaves the left panel"
    texts = scan.placed.texts + scan.guide_placed.texts
    assert_texts_fit(texts, where)
    assert all(not back.colliderect(t.rect) for t in texts), f"{where}: a text runs under Back"
    assert_buttons_fit([scan.back, scan.album_button], where)

    # a long hint chip over the view: between the panels, above the guide band, wrapped rather than cut
    surface = pygame.Surface(LOGICAL_SIZE)
    scan.guide_placed.clear()
    scan._chip(surface, services.t("scan.hint_example", bank=services.campaign.brand.name.get(lang)),
               (960, scan._chip_y()), 32, bottom=True)
    chip = scan.guide_placed.texts[0].box
    assert scan.side <= chip.left and chip.right <= LOGICAL_SIZE[0] - scan.side, f"{where}: the chip {chip}"
    assert chip.bottom < scan._band_top() and chip.top > 0


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("size", "scale"), SCALES)
def test_the_catch_and_nothing_panels_hold_their_texts(scene_at_scale: SceneAtScale, lang: str, size: str,
                                                       scale: float) -> None:
    scan, services = scene_at_scale("scan", ScanScene, lang, size, scale, frames=6, extra_args=["--camera", "synthetic"])
    surface = pygame.Surface(LOGICAL_SIZE)
    longest = max(services.campaign.collectibles, key=lambda c: len(c.name.get(lang)))
    for item in (longest, None):
        scan.collected = item
        scan._draw_result(surface, item)
        where = f"{lang} {size} {scale} {'catch' if item else 'nothing'}"
        placed = scan.result_placed
        assert_texts_fit(placed.texts, where)
        assert_buttons_fit(placed.buttons, where)
        panel = placed.texts[0].box
        assert scan.side <= panel.left and panel.right <= LOGICAL_SIZE[0] - scan.side, f"{where}: {panel}"
        assert panel.bottom <= scan._band_top(), f"{where}: the panel runs into the guide band"
        for b in placed.buttons:
            assert panel.contains(pygame.Rect(b.rect.as_tuple())), f"{where}: {b.id} leaves the panel"


def test_the_panels_widen_with_the_text(scene_at_scale: SceneAtScale) -> None:
    small, _ = scene_at_scale("scan", ScanScene, "en", "normal", 1.0, frames=6, extra_args=["--camera", "synthetic"])
    big, _ = scene_at_scale("scan", ScanScene, "en", "normal", 2.0, frames=6, extra_args=["--camera", "synthetic"])
    assert small.side == SIDE_W  # the normal size: the camera view's pillarbox, as designed
    assert big.side > small.side and big.back.rect.h > small.back.rect.h
    pygame.quit()
