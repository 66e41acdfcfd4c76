"""Colour contrast (WCAG 2.x): measure it, and derive text and badge colours that meet AA (pure)."""

from __future__ import annotations

from collections.abc import Iterable

RGB = tuple[int, int, int]
AA_BODY = 4.5  # WCAG AA for body text (and every size we draw, to be safe on projectors)
CREAM: RGB = (255, 250, 240)  # the light text drawn on filled badges, chips and buttons


def relative_luminance(colour: RGB) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    """1.0 (same) .. 21.0 (black on white)."""
    hi, lo = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _toward(colour: RGB, target: int, amount: float) -> RGB:
    return tuple(round(v + (target - v) * amount) for v in colour[:3])  # type: ignore[return-value]


def readable(fg: RGB, backgrounds: Iterable[RGB], ratio: float = AA_BODY) -> RGB:
    """``fg``, darkened (on light backgrounds) or lightened (on dark ones) just enough, keeping its hue,
    to reach ``ratio`` against every background; unchanged when it already does."""
    bgs = list(backgrounds)
    if all(contrast_ratio(fg, bg) >= ratio for bg in bgs):
        return fg[:3]  # type: ignore[return-value]
    light = sum(relative_luminance(bg) for bg in bgs) / len(bgs) > 0.18
    target = 0 if light else 255
    for step in range(1, 101):
        candidate = _toward(fg, target, step / 100)
        if all(contrast_ratio(candidate, bg) >= ratio for bg in bgs):
            return candidate
    return (0, 0, 0) if light else (255, 255, 255)


def fill_for(text: RGB, fill: RGB, ratio: float = AA_BODY) -> RGB:
    """A badge fill near ``fill`` (darkened or lightened, same hue) on which ``text`` reaches ``ratio``."""
    return readable(fill, [text], ratio)
