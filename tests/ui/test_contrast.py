"""Every text/background colour pair the UI draws meets WCAG AA (4.5:1), for every shipped brand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from game.content import available_campaigns, load_campaign
from game.services import Palette
from game.ui.contrast import AA_BODY, CREAM, contrast_ratio, fill_for, readable
from game.ui.widgets import darken, lighten
from scenes.album import HIDDEN_FILL

rgb = st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255))


def test_contrast_ratio_matches_the_wcag_definition() -> None:
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0, abs=0.01)
    assert contrast_ratio((118, 118, 118), (255, 255, 255)) == pytest.approx(4.54, abs=0.02)  # WCAG's AA grey
    assert contrast_ratio((200, 16, 46), (200, 16, 46)) == pytest.approx(1.0)


@given(rgb, rgb)
def test_readable_reaches_the_ratio_on_any_background(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> None:
    assert contrast_ratio(readable(fg, [bg]), bg) >= AA_BODY - 1e-9


@given(rgb)
def test_a_fill_always_carries_cream_text(fill: tuple[int, int, int]) -> None:
    assert contrast_ratio(CREAM, fill_for(CREAM, fill)) >= AA_BODY - 1e-9


def over_white(colour: tuple[int, int, int], alpha: int) -> tuple[int, int, int]:
    """What a translucent fill looks like over a white camera frame."""
    return tuple(round(c * alpha / 255 + 255 * (1 - alpha / 255)) for c in colour)  # type: ignore[return-value]


def used_pairs(p: Palette) -> dict[str, tuple[tuple[int, int, int], tuple[int, int, int]]]:
    """(text, background) as the map, card, rewards, album, share, scan, widgets and toasts draw them."""
    panel, tile, card_panel = lighten(p.paper, 0.55), lighten(p.paper, 0.5), lighten(p.paper, 0.1)
    found_card, scan_panel, scan_bg = lighten(p.paper, 0.3), lighten(p.paper, 0.3), darken(p.primary, 0.78)
    # the scan's chips and guide band are translucent dark over the camera: white frames are the worst case
    chip_over_white, band_over_white = over_white((20, 14, 14), 200), over_white((16, 10, 10), 180)
    return {
        "grey text on paper": (p.muted, p.paper),
        "grey text on a panel": (p.muted, panel),
        "grey text on a reached tier": (p.muted, p.gold_row),
        "grey note on a done tile": (p.muted, lighten(p.paper, 0.05)),
        "grey text on a waiting tile": (p.muted, lighten(p.paper, 0.15)),
        "red heading on the card": (p.text_primary, card_panel),
        "red steps on a tile": (p.text_primary, tile),
        "red 'reached' on a reached tier": (p.text_primary, p.gold_row),
        "red big number on a panel": (p.text_primary, panel),
        "green note on a ready tile": (p.text_jade, tile),
        "green 'stamped' on the card": (p.text_jade, p.paper),
        "green 'done' on the tasks panel": (p.text_jade, panel),
        "ink on a gold badge": (p.ink, p.fill_gold),
        "cream on the 'open' badge": (CREAM, p.fill_jade),
        "cream on the 'locked' badge": (CREAM, p.fill_grey),
        "cream on a task chip": (CREAM, p.fill_primary),
        "cream on a done task chip": (CREAM, p.fill_jade),
        "cream on a primary button": (CREAM, p.primary),
        "cream on a disabled button": (CREAM, (120, 115, 109)),
        "note on the selected tile": (p.note_on_primary, p.fill_primary),
        "quiz letter": (CREAM, p.fill_grey),
        "toast": ((255, 250, 240), p.ink),
        "ink on paper": (p.ink, p.paper),
        "album/share title on the dark backdrop": (p.text_on_dark, p.backdrop),
        "album count on the dark backdrop": (p.accent_on_dark, p.backdrop),
        "scan side title on the scan background": (p.text_on_dark, scan_bg),
        "scan album count on the scan background": (p.accent_on_dark, scan_bg),
        "album item name on a found card": (p.ink, found_card),
        "album grey name on a card not found": (p.muted, p.paper),
        "album serial on a found card": (p.text_primary, found_card),
        "album status on a found card": (p.muted, found_card),
        "album common chip": (CREAM, p.fill_jade),
        "album hidden chip": (CREAM, HIDDEN_FILL),
        "album limited chip": (p.ink, p.fill_gold),
        "scan result heading": (p.text_primary, scan_panel),
        "scan result rarity": (p.text_gold, scan_panel),
        "scan result 'in album'": (p.text_jade, scan_panel),
        "scan result pending": (p.muted, scan_panel),
        "scan example card brand": (p.text_primary, (250, 244, 232)),
        "scan chip over a white camera frame": (CREAM, chip_over_white),
        "scan guide over a white camera frame": (p.text_on_dark, band_over_white),
        "scan hidden-item chip": (CREAM, darken(p.fill_primary, 0.2)),
        "scan seal": (CREAM, p.fill_primary),
        "attract 'Touch to start' on its pill": (p.text_on_accent, p.accent),
        "attract second-language line on the backdrop's lightest part": (p.text_on_brand, darken(p.primary, 0.15)),
    }


@pytest.mark.parametrize("campaign_id", available_campaigns())
def test_every_text_colour_pair_meets_wcag_aa(campaign_id: str) -> None:
    palette = Palette.from_campaign(load_campaign(campaign_id))
    low = {name: round(contrast_ratio(fg, bg), 2) for name, (fg, bg) in used_pairs(palette).items()
           if contrast_ratio(fg, bg) < AA_BODY}
    assert not low, low


def test_a_pale_brand_colour_still_gives_readable_text_and_fills() -> None:
    pale = Palette(primary=(250, 200, 60), secondary=(250, 250, 240), accent=(255, 230, 120))
    for name, (fg, bg) in used_pairs(pale).items():
        if name != "cream on a primary button":  # buttons take the brand colour as given
            assert contrast_ratio(fg, bg) >= AA_BODY, name
