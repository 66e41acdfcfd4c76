"""The share card: a PNG with the collectible, a piece of the scroll painting, the player's steps and
a QR code (segno) carrying the player's claim or referral link."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pygame
import segno

from game.ui.layout import Rect
from game.ui.text import TextRenderer
from game.ui.widgets import darken, draw_panel, lighten

RGB = tuple[int, int, int]
CARD_SIZE = (1080, 1350)  # 4:5, what photo feeds show uncropped
SHARE_BASE = "https://hunt.cloudstep-bank.example"  # the campaign's landing site (fictional bank)


def share_url(campaign_id: str, player_id: str, claim_code: str | None) -> str:
    """A claim link when the server gave the player a claim code, else a referral link."""
    if claim_code:
        return f"{SHARE_BASE}/{campaign_id}/claim/{claim_code}"
    return f"{SHARE_BASE}/{campaign_id}/invite/{player_id}"


def qr_surface(data: str, module: int, dark: RGB = (30, 24, 24), light: RGB = (255, 255, 255)) -> pygame.Surface:
    """The QR code of ``data`` (segno, error level M) with its 4-module quiet zone."""
    qr = segno.make(data, error="m", micro=False)
    rows = list(qr.matrix_iter(scale=1, border=4))
    n = len(rows)
    surf = pygame.Surface((n * module, n * module))
    surf.fill(light)
    for y, row in enumerate(rows):
        for x, bit in enumerate(row):
            if bit:
                surf.fill(dark, (x * module, y * module, module, module))
    return surf


@dataclass(frozen=True)
class ShareTexts:
    brand: str
    campaign: str
    item: str
    rarity: str
    serial: str | None
    steps: str
    scan_me: str


def compose_share_card(art: pygame.Surface, texts: ShareTexts, scroll: pygame.Surface | None, url: str,
                       text: TextRenderer, primary: RGB, accent: RGB, paper: RGB, ink: RGB) -> pygame.Surface:
    w = CARD_SIZE[0]
    card = pygame.Surface(CARD_SIZE)
    card.fill(paper)
    # the scroll painting across the middle, framed like a mounted handscroll
    band = pygame.Rect(0, 190, w, 640)
    if scroll is not None:
        piece = pygame.transform.smoothscale(scroll, (w, round(scroll.get_height() * w / scroll.get_width())))
        card.blit(piece, band.topleft, pygame.Rect(0, max(0, (piece.get_height() - band.h) // 2), w, band.h))
    else:
        card.fill(darken(paper, 0.08), band)
    pygame.draw.rect(card, accent, band, 6)
    # header
    pygame.draw.rect(card, primary, (0, 0, w, 190))
    pygame.draw.line(card, accent, (0, 184), (w, 184), 6)
    card.blit(text.fit(texts.brand, 40, w - 120, lighten(accent, 0.4), "bold", 20), (60, 34))
    card.blit(text.fit(texts.campaign, 58, w - 120, (255, 248, 235), "serif", 28), (60, 88))
    # the collectible standing on the scroll, with a soft shadow
    shadow = pygame.Surface((420, 70), pygame.SRCALPHA)
    pygame.draw.ellipse(shadow, (0, 0, 0, 70), shadow.get_rect())
    card.blit(shadow, shadow.get_rect(center=(w // 2, band.bottom - 40)))
    art_h = 560
    big = pygame.transform.smoothscale(art, (round(art.get_width() * art_h / art.get_height()), art_h))
    card.blit(big, big.get_rect(midbottom=(w // 2, band.bottom - 30)))
    # the name, rarity and serial, the steps, and the QR code
    y = band.bottom + 40
    card.blit(text.fit(texts.item, 64, 620, ink, "serif", 28), (60, y))
    tag = texts.rarity + (f" · {texts.serial}" if texts.serial else "")
    card.blit(text.fit(tag, 36, 620, primary, "bold", 18), (60, y + 92))
    draw_panel(card, Rect(60, y + 160, 600, 120), lighten(paper, 0.5), radius=20, border=accent, border_width=3)
    text.draw_fitted_paragraph(card, texts.steps, (84, y + 178), 560, 34, ink, "bold", 1.25, 2, 20)
    code = qr_surface(url, 8)
    qx = w - 60 - code.get_width()
    card.blit(code, (qx, y))
    label = text.fit(texts.scan_me, 28, code.get_width(), darken(ink, 0.1), "bold", 16)
    card.blit(label, label.get_rect(midtop=(qx + code.get_width() // 2, y + code.get_height() + 8)))
    pygame.draw.rect(card, accent, card.get_rect(), 10)
    return card


def scroll_view(art: object, progress: object, view_w: int = 1600) -> pygame.Surface:
    """The painted scroll around the player's latest check-in (or its middle), all layers composed."""
    width, height = art.width, art.height  # type: ignore[attr-defined]
    anchors = art.anchors  # type: ignore[attr-defined]
    checkins = getattr(progress, "checkins", ())
    where = anchors.get(checkins[-1].landmark_id) if checkins else None
    centre = where[0] if where else width // 2
    cam_x = max(0, min(width - view_w, centre - view_w // 2))
    out = pygame.Surface((view_w, height))
    for surf, factor in art.layers:  # type: ignore[attr-defined]
        out.blit(surf, (0, 0), pygame.Rect(round(cam_x * factor), 0, view_w, height))
    return out


def save_card(card: pygame.Surface, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pygame.image.save(card, str(path))
    return path
