"""Which aiming hint to show, from measurements of the camera frames (pure)."""

from __future__ import annotations

from game.scan.worker import FrameMeasures

EXAMPLE_AFTER_S = 4.0  # nothing found for this long: show what to hold up
DARK_LUMA = 55.0  # mean luma below this: too dark
SMALL_AREA = 0.01  # logo area / frame area below this: too far
BLUR_SHARPNESS = 12.0  # Laplacian variance below this: motion blur (or out of focus)
FAST_PX_S = 450.0  # the tracked corners move faster than this: hold still


def choose_hint(m: FrameMeasures | None, found: bool, searching_for: float) -> str | None:
    """An i18n key under ``scan.`` or None. Exposure first (nothing works in the dark)."""
    if m is None:
        return None
    if m.brightness < DARK_LUMA:
        return "scan.hint_dark"
    if found:
        if m.size < SMALL_AREA:
            return "scan.hint_far"
        if m.speed > FAST_PX_S:
            return "scan.hint_still"
        return None
    if m.sharpness < BLUR_SHARPNESS:
        return "scan.hint_still"
    if searching_for > EXAMPLE_AFTER_S:
        return "scan.hint_example"
    return None
