"""What scenes may use: content, the session, text, strings, images and status (no SDL pumping)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from game.i18n import Translator
from game.rules.content import Campaign
from game.session import Session

if TYPE_CHECKING:
    from game.ui.images import ImageCache
    from game.ui.text import TextRenderer


def hex_rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    """Brand colours as RGB plus the scroll's neutral inks, and the text and badge colours derived
    from them that meet WCAG AA (4.5:1) on the surfaces text is drawn on (game/ui/contrast.py).

    Text colours: on the light surfaces ``ink``, ``muted``, ``text_primary``, ``text_jade``,
    ``text_gold``; on the dark screens (album, share, scan: ``backdrop`` and darker) ``text_on_dark``
    and ``accent_on_dark``; on fills ``contrast.CREAM`` (and ``note_on_primary``)."""

    primary: RGB
    secondary: RGB
    accent: RGB
    paper: RGB = (240, 229, 204)
    ink: RGB = (38, 36, 34)
    muted: RGB = (120, 110, 98)  # made readable on the paper and the gold rows in __post_init__
    jade: RGB = (62, 140, 118)  # the painting's tint; text uses text_jade
    text_primary: RGB = field(init=False)  # brand colour as text on the light surfaces
    text_jade: RGB = field(init=False)  # "done" notes and ticks as text
    fill_primary: RGB = field(init=False)  # filled buttons and chips under cream text
    fill_gold: RGB = field(init=False)  # gold badges, under ink text (cream on gold cannot reach 4.5:1)
    fill_jade: RGB = field(init=False)
    fill_grey: RGB = field(init=False)
    note_on_primary: RGB = field(init=False)  # light small text on a fill_primary tile
    text_gold: RGB = field(init=False)  # the accent as text on the light surfaces (rarity names)
    text_on_dark: RGB = field(init=False)  # titles and notes on the dark screens
    accent_on_dark: RGB = field(init=False)  # counts and good news on the dark screens
    text_on_accent: RGB = field(init=False)  # the brand colour, deep, on an accent fill (attract's "Touch to start")
    text_on_brand: RGB = field(init=False)  # light text on the attract loop's brand-coloured backdrop

    def __post_init__(self) -> None:
        from game.ui.contrast import CREAM, fill_for, readable

        light = (self.paper, self.gold_row)
        fill_primary = fill_for(CREAM, self.primary)
        derived = {
            "muted": readable(self.muted, light),
            "text_primary": readable(self.primary, light),
            "text_jade": readable(self.jade, light),
            "fill_primary": fill_primary,
            "fill_gold": fill_for(self.ink, self.accent),
            "fill_jade": fill_for(CREAM, self.jade),
            "fill_grey": fill_for(CREAM, (150, 144, 136)),
            "note_on_primary": readable(tuple(round(v + (255 - v) * 0.75) for v in self.primary),  # type: ignore[arg-type]
                                        [fill_primary]),
            "text_gold": readable(self.accent, light),
            "text_on_dark": readable(tuple(round(v + (255 - v) * 0.3) for v in self.secondary),  # type: ignore[arg-type]
                                     [self.backdrop]),
            "accent_on_dark": readable(self.accent, [self.backdrop]),
            "text_on_accent": readable(tuple(round(v * 0.65) for v in self.primary), [self.accent]),  # type: ignore[arg-type]
            "text_on_brand": readable(tuple(round(v + (255 - v) * 0.3) for v in self.secondary),  # type: ignore[arg-type]
                                      [tuple(round(v * 0.85) for v in self.primary)]),  # the backdrop's lightest
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    @property
    def gold_row(self) -> RGB:
        """The pale gold behind a reached tier (the darkest light surface text sits on)."""
        return tuple(round(v + (255 - v) * 0.55) for v in self.accent)  # type: ignore[return-value]

    @property
    def backdrop(self) -> RGB:
        """The lightest colour of the dark screens' background (the brand colour, darkened)."""
        return tuple(round(v * 0.55) for v in self.primary)  # type: ignore[return-value]

    @classmethod
    def from_campaign(cls, campaign: Campaign) -> Palette:
        b = campaign.brand
        return cls(hex_rgb(b.primary), hex_rgb(b.secondary), hex_rgb(b.accent))


@dataclass
class Notices:
    """Short messages the app shows on screen (camera fallback, recovered data, offline...)."""

    items: list[tuple[str, float]] = field(default_factory=list)  # (text, seconds left)

    def post(self, text: str, seconds: float = 6.0) -> None:
        if not any(t == text for t, _ in self.items):
            self.items.append((text, seconds))

    def tick(self, dt: float) -> None:
        self.items = [(t, s - dt) for t, s in self.items if s - dt > 0]


@dataclass
class Services:
    campaign: Campaign
    campaign_dir: Path
    session: Session
    text: TextRenderer
    i18n: Translator
    images: ImageCache
    palette: Palette
    rng: random.Random
    notices: Notices
    sync_status: Callable[[], str] = lambda: "offline"
    debug: bool = False
    kiosk: bool = False
    camera: str = "auto"
    extras: dict[str, object] = field(default_factory=dict)

    def t(self, key: str, **values: object) -> str:
        return self.i18n.t(key, **values)

    @property
    def lang(self) -> str:
        return self.i18n.lang
