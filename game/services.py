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


@dataclass(frozen=True)
class Palette:
    """Brand colours as RGB plus the scroll's neutral inks."""

    primary: tuple[int, int, int]
    secondary: tuple[int, int, int]
    accent: tuple[int, int, int]
    paper: tuple[int, int, int] = (240, 229, 204)
    ink: tuple[int, int, int] = (38, 36, 34)
    muted: tuple[int, int, int] = (120, 110, 98)
    jade: tuple[int, int, int] = (62, 140, 118)

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
