"""Display settings a kiosk or a projector needs: text size and UI scale (pure; no pygame).

The UI is laid out on a 1920×1080 logical canvas that SDL scales to the window, so a logical pixel is
a screen pixel at 1080p. ``text_scale`` turns the settings into what the text renderer applies to
every size it is asked for: a factor, and a floor that no text goes below.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import NoReturn

TEXT_SIZES = ("normal", "large")
LARGE_FLOOR_PX = 28  # "large" text: nothing smaller than this at 1080p (projectors, the back of a lobby)
LARGE_FACTOR = 1.25
UI_SCALE_RANGE = (0.75, 2.0)


@dataclass(frozen=True)
class TextScale:
    factor: float = 1.0
    floor: int = 0  # logical px; 0 = no floor

    def px(self, size: int) -> int:
        """The pixel size text asked for at ``size`` is drawn at."""
        return max(self.floor, round(size * self.factor), 1)


@dataclass(frozen=True)
class DisplaySettings:
    text_size: str = "normal"  # normal | large
    ui_scale: float = 1.0

    def __post_init__(self) -> None:
        if self.text_size not in TEXT_SIZES:
            raise ValueError(f"text_size: expected one of {', '.join(TEXT_SIZES)}, got {self.text_size!r}")
        lo, hi = UI_SCALE_RANGE
        if not lo <= self.ui_scale <= hi:
            raise ValueError(f"ui_scale: expected {lo}..{hi}, got {self.ui_scale}")


def text_scale(text_size: str = "normal", ui_scale: float = 1.0) -> TextScale:
    """``large`` makes text 25 % bigger and never smaller than 28 px at 1080p; ``ui_scale`` multiplies
    both (1.5 on a projector: nothing under 42 px)."""
    settings = DisplaySettings(text_size, ui_scale)  # validates
    if settings.text_size == "large":
        return TextScale(LARGE_FACTOR * settings.ui_scale, round(LARGE_FLOOR_PX * settings.ui_scale))
    return TextScale(settings.ui_scale, 0)


class _OneLine(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"main.py: error: {message} (see --help)\n")


def _ui_scale(value: str) -> float:
    try:
        scale = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number like 1.25, got {value!r}") from None
    lo, hi = UI_SCALE_RANGE
    if not lo <= scale <= hi:
        raise argparse.ArgumentTypeError(f"expected {lo}..{hi}, got {scale}")
    return scale


def add_display_flags(parser: argparse.ArgumentParser) -> None:
    """``--text-size`` and ``--ui-scale`` (None when not given), for any parser that wants them."""
    parser.add_argument("--text-size", choices=TEXT_SIZES, default=None,
                        help="normal, or large (25 %% bigger, never under 28 px at 1080p)")
    parser.add_argument("--ui-scale", type=_ui_scale, default=None, metavar="X",
                        help=f"scales text, and the bars and buttons that hold it ({UI_SCALE_RANGE[0]}..{UI_SCALE_RANGE[1]}; a projector: 1.25-1.5)")


def display_parser() -> argparse.ArgumentParser:
    p = _OneLine(prog="main.py", add_help=False)
    add_display_flags(p)
    return p


def split_display_args(argv: list[str]) -> tuple[DisplaySettings | None, list[str]]:
    """Take ``--text-size``/``--ui-scale`` out of ``argv``: (settings, or None when neither was given;
    the remaining arguments). A bad value exits 2 with one line naming the flag."""
    ns, rest = display_parser().parse_known_args(argv)
    if ns.text_size is None and ns.ui_scale is None:
        return None, rest
    return DisplaySettings(ns.text_size or "normal", ns.ui_scale or 1.0), rest
