"""Attract screen: the brand and an animated, bilingual invitation to touch."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pygame

from game.actions import Action, Kind
from game.scene import Push, Replace, Scene
from game.services import Services
from game.ui.layout import LOGICAL_SIZE, Rect
from game.ui.widgets import Button, darken, fit_to_label, lighten
from scenes.decor import draw_cloud, draw_lantern, radial_glow

COL_X, COL_W = 964, 860  # the text column, inside the gold frame
STRIP_Y, STRIP_H = 918, 128  # the scroll panning along the bottom, once it is painted
STRIP_SCALE_H, STRIP_BAND = 400, 0.40  # painted at this height; the band shown starts this far down
PAN_PX_S = 20.0  # its slow pan, logical px per second (back and forth)
PEEK_EVERY, PEEK_UP, PEEK_HOLD = 7.0, 0.6, 1.4  # the rabbit peeks out of the logo: period, rise, stay (s)


class AttractScene(Scene):
    name = "attract"

    def __init__(self, services: Services, next_scene: Callable[[], Scene],
                 scan_scene: Callable[[], Scene] | None = None, art: Callable[[], object] | None = None) -> None:
        super().__init__()
        self.s = services
        self.next_scene = next_scene
        self.scan_scene = scan_scene  # the AR hunt, opened over the map
        self.scan_button = Button("scan", Rect(COL_X + 640, 0, 220, 120), style="ghost")
        self.art = art  # the painted scroll when ready (else None)
        self.t = 0.0
        self.background: pygame.Surface | None = None
        self.lang_button = Button("lang", Rect(1700, 40, 170, 64), style="ghost")
        self._column: tuple[str, pygame.Surface, int] | None = None  # (lang, text column, its height)

    def enter(self) -> None:
        self.background = self.s.images.remember(("attract-bg", self.s.campaign.id), self._paint_background)

    def _paint_background(self) -> pygame.Surface:
        p = self.s.palette
        w, h = LOGICAL_SIZE
        # The gradient and glow are smooth, so they are computed at quarter size and scaled up: the
        # full-size numpy version cost ~0.4 s of the cold start, on the first frame's critical path.
        q = 4
        sw, sh = w // q, h // q
        top, bottom = darken(p.primary, 0.15), darken(p.primary, 0.55)
        t = np.linspace(0.0, 1.0, sh)[None, :, None]
        base = np.array(top)[None, None, :] * (1 - t) + np.array(bottom)[None, None, :] * t
        base = np.repeat(base, sw, axis=0)
        base += radial_glow((sw, sh), (560 / q, 520 / q), 700 / q, (255, 190, 120), 0.35)
        small = pygame.Surface((sw, sh))
        pygame.surfarray.blit_array(small, np.clip(base, 0, 255).astype(np.uint8))
        surf = pygame.transform.smoothscale(small, (w, h))
        gold = p.accent
        motif = pygame.Surface((w, h), pygame.SRCALPHA)
        rng = np.random.default_rng(7)
        for _ in range(26):
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            draw_cloud(motif, (x, y), rng.uniform(26, 60), (*gold, 34), 3)
        surf.blit(motif, (0, 0))
        frame = pygame.Rect(24, 24, w - 48, h - 48)
        pygame.draw.rect(surf, gold, frame, 4, border_radius=10)
        pygame.draw.rect(surf, gold, frame.inflate(-22, -22), 2, border_radius=8)
        return surf

    @property
    def _column_top(self) -> int:
        """The text column is centred on the medallion; English strings run longer, so start higher."""
        return 250 if self.s.lang == "zh" else 180

    def handle(self, action: Action) -> bool:
        if action.kind is Kind.POINTER_UP and self.lang_button.hit(action.pos):
            self.s.i18n.toggle()
            return True
        if action.kind is Kind.POINTER_UP and self.scan_scene is not None and self.scan_button.hit(action.pos):
            self.request(Replace(self.next_scene()))
            self.request(Push(self.scan_scene()))
            return True
        if action.kind in (Kind.POINTER_UP, Kind.CONFIRM):
            self.request(Replace(self.next_scene()))
            return True
        return action.kind is Kind.POINTER_DOWN

    def update(self, dt: float) -> None:
        self.t += dt

    def tap_targets(self) -> dict[str, tuple[float, float]]:
        """Named places to tap, for QA scenarios (game/qa/targets.py)."""
        out = {"start": (560.0, 540.0), "language": self.lang_button.rect.center}
        if self.scan_scene is not None:
            out["scan"] = self.scan_button.rect.center
        return out

    def draw(self, surface: pygame.Surface) -> None:
        s, p = self.s, self.s.palette
        assert self.background is not None
        surface.blit(self.background, (0, 0))
        for i, x in enumerate((190, 330, 1460, 1600)):
            draw_lantern(surface, (x, 28), 96 if i % 3 == 0 else 74, 0.12 * math.sin(self.t * 1.3 + i), (214, 40, 40), p.accent)
        card = s.images.remember(("attract-card", s.campaign.id), self._logo_card)
        bob = 10 * math.sin(self.t * 1.6)
        self._draw_rabbit(surface, round(540 + bob))
        surface.blit(card, card.get_rect(center=(560, round(540 + bob))))
        self._draw_strip(surface)
        cream = lighten(p.secondary, 0.3)
        col_x = COL_X
        column, height = self._text_column()
        label = s.text.fit(s.t("attract.touch"), 54, 560, p.text_on_accent, "bold")
        alt = s.text.fit(s.t("attract.touch_alt"), 32, 620, p.text_on_brand, "sans")
        pill = pygame.Rect(0, 0, 620, max(120, label.get_height() + 24))  # grows with the text scale
        # the column rises (not below the language button) when scaled text would push the pill off screen
        room = LOGICAL_SIZE[1] - 44 - (height + pill.height + 22 + alt.get_height())
        top = max(112, min(self._column_top, room))
        surface.blit(column, (col_x - 4, top))
        y = top + height
        pulse = 0.5 + 0.5 * math.sin(self.t * 3.2)
        pill.topleft = (col_x, y)
        glow = pygame.Surface(pill.inflate(40, 40).size, pygame.SRCALPHA)
        pygame.draw.rect(glow, (*p.accent, round(40 + 70 * pulse)), glow.get_rect(), border_radius=80)
        surface.blit(glow, pill.inflate(40, 40).topleft)
        pygame.draw.rect(surface, p.accent, pill, border_radius=60)
        surface.blit(label, label.get_rect(center=pill.center))
        surface.blit(alt, alt.get_rect(midtop=(pill.centerx, pill.bottom + 22)))
        if self.scan_scene is not None:
            self.scan_button.rect = Rect(pill.right + 24, pill.y, 220, pill.height)
            self.scan_button.label = s.t("map.scan")
            fit_to_label(self.scan_button, s.text, 40)
            self.scan_button.draw(surface, s.text, {"primary": p.primary, "paper": cream, "ink": p.ink}, 40)
        self.lang_button.label = s.t("app.language")
        fit_to_label(self.lang_button, s.text, 30, "right")
        self.lang_button.draw(surface, s.text, {"primary": p.primary, "paper": cream, "ink": p.ink}, 30)

    def _peek(self) -> float:
        """0 (hidden behind the medallion) .. 1 (ears and eyes out), on a slow repeating cycle."""
        phase = self.t % PEEK_EVERY
        if phase < PEEK_UP:
            k = phase / PEEK_UP
        elif phase < PEEK_UP + PEEK_HOLD:
            k = 1.0
        elif phase < 2 * PEEK_UP + PEEK_HOLD:
            k = 1 - (phase - PEEK_UP - PEEK_HOLD) / PEEK_UP
        else:
            return 0.0
        return k * k * (3 - 2 * k)  # smoothstep

    def _draw_rabbit(self, surface: pygame.Surface, card_y: int) -> None:
        """The jade rabbit peeks over the medallion's upper right edge (drawn before it, so it hides behind)."""
        peek = self._peek()
        if peek <= 0:
            return
        rabbit = self.s.images.remember(("attract-rabbit",), _paint_rabbit)
        x, y = 700, round(card_y - 240 - 200 * peek)
        surface.blit(rabbit, rabbit.get_rect(midtop=(x, y)))

    def _draw_strip(self, surface: pygame.Surface) -> None:
        art = self.art() if self.art is not None else None
        if art is None:
            return
        strip = self.s.images.remember(("attract-scroll", id(art)), lambda: _scroll_strip(art, STRIP_SCALE_H))
        w = min(LOGICAL_SIZE[0] - 2 * 44, strip.get_width())
        travel = max(1, strip.get_width() - w)
        x0 = round(abs((self.t * PAN_PX_S) % (2 * travel) - travel))  # pans right to left, then back
        band = round(STRIP_SCALE_H * STRIP_BAND)
        left = (LOGICAL_SIZE[0] - w) // 2
        surface.blit(strip, (left, STRIP_Y), pygame.Rect(travel - x0, band, w, STRIP_H))
        pygame.draw.rect(surface, self.s.palette.accent, (left - 2, STRIP_Y - 2, w + 4, STRIP_H + 4), 2,
                         border_radius=4)

    def _text_column(self) -> tuple[pygame.Surface, int]:
        """Brand, title, tagline and hint, wrapped and fitted once per language (not every frame)."""
        s = self.s
        if self._column is None or self._column[0] != s.lang:
            p = s.palette
            cream = lighten(p.secondary, 0.3)
            col_w = COL_W
            surf = pygame.Surface((col_w + 8, LOGICAL_SIZE[1]), pygame.SRCALPHA)
            x, y = 4, 0  # the column's left edge; the title sits 4 px further left, as set in serif
            brand = s.text.fit(s.campaign.brand.name.get(s.lang), 40, col_w, p.accent, "bold")
            surf.blit(brand, (x, y))
            y += brand.get_height() + 8
            title = s.campaign.meta.name.get(s.lang)
            big = 84 if s.lang == "zh" else 66
            if s.text.fit_size(title, big, col_w, "serif", 50) >= 50 and s.text.size(title, 50, "serif")[0] <= col_w:
                title_surf = s.text.fit(title, big, col_w, cream, "serif", 50)
                surf.blit(title_surf, (x - 4, y))
                y += title_surf.get_height() + 24
            else:  # too long for one line even at 50 px: two lines
                y += s.text.draw_fitted_paragraph(surf, title, (x - 4, y), col_w, 60, cream, "serif", 1.2, 2, 36) + 34
            y += s.text.draw_fitted_paragraph(surf, s.t("attract.tagline"), (x, y), col_w, 40, cream, "sans", 1.3, 2, 26)
            y += 10
            y += s.text.draw_fitted_paragraph(surf, s.t("attract.hint"), (x, y), col_w - 40, 30,
                                              lighten(p.secondary, 0.1), "sans", 1.35, 2, 20)
            self._column = (s.lang, surf, y + 50)
        return self._column[1], self._column[2]

    def _logo_card(self) -> pygame.Surface:
        """The brand mark on a round cream medallion with a gold ring."""
        s, p = self.s, self.s.palette
        size = 620
        # drawn at twice the size and scaled down once: pygame's circles are not antialiased
        k = 2
        big = pygame.Surface((size * k, size * k), pygame.SRCALPHA)
        c = size * k // 2
        pygame.draw.circle(big, (0, 0, 0, 60), (c, c + 14 * k), (size // 2 - 8) * k)
        pygame.draw.circle(big, lighten(p.secondary, 0.55), (c, c), (size // 2 - 14) * k)
        pygame.draw.circle(big, p.accent, (c, c), (size // 2 - 14) * k, 10 * k)
        pygame.draw.circle(big, p.accent, (c, c), (size // 2 - 36) * k, 3 * k)
        card = pygame.transform.smoothscale(big, (size, size))
        centre = (size // 2, size // 2)
        logo_file = s.campaign_dir / s.campaign.brand.logo
        if logo_file.is_file():
            logo = s.images.cutout(logo_file, 400)
            card.blit(logo, logo.get_rect(center=centre))
        return card


def _paint_rabbit() -> pygame.Surface:
    """A small white rabbit's head (two long ears, pink inside, dark eyes), drawn at 2× and scaled down."""
    k = 2
    w, h = 180, 260
    big = pygame.Surface((w * k, h * k), pygame.SRCALPHA)
    white, pink, shade, eye = (250, 248, 240), (238, 160, 170), (214, 208, 196), (46, 30, 30)
    for cx, tilt in ((62, -8), (118, 8)):  # ears
        ear = pygame.Surface((44 * k, 150 * k), pygame.SRCALPHA)
        pygame.draw.ellipse(ear, shade, ear.get_rect())
        pygame.draw.ellipse(ear, white, ear.get_rect().inflate(-6 * k, -6 * k))
        pygame.draw.ellipse(ear, pink, ear.get_rect().inflate(-24 * k, -40 * k))
        ear = pygame.transform.rotate(ear, tilt)
        big.blit(ear, ear.get_rect(midbottom=(cx * k, 150 * k)))
    head = pygame.Rect(0, 0, 150 * k, 120 * k)
    head.midtop = (w * k // 2, 120 * k)
    pygame.draw.ellipse(big, shade, head)
    pygame.draw.ellipse(big, white, head.inflate(-6 * k, -6 * k))
    for ex in (62, 118):
        pygame.draw.circle(big, eye, (ex * k, 168 * k), 9 * k)
        pygame.draw.circle(big, (255, 255, 255), (ex * k + 3 * k, 165 * k), 3 * k)
    pygame.draw.circle(big, pink, (w * k // 2, 188 * k), 6 * k)
    return pygame.transform.smoothscale(big, (w, h))


def _scroll_strip(art: object, height: int) -> pygame.Surface:
    """The painting's layers composited at ``height`` px high (once), for the slow pan along the bottom."""
    layers = art.layers  # type: ignore[attr-defined]
    scale = height / art.height  # type: ignore[attr-defined]
    width = round(art.width * scale)  # type: ignore[attr-defined]
    strip = pygame.Surface((width, height))
    strip.fill((240, 229, 204))
    for layer, _factor in layers:
        scaled = pygame.transform.smoothscale(layer.convert_alpha(), (width, max(1, round(layer.get_height() * scale))))
        strip.blit(scaled, (0, 0))
    return strip.convert()
