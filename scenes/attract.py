"""Attract screen: the brand and an animated, bilingual invitation to touch."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pygame

from game.actions import Action, Kind
from game.scene import Push, Replace, Scene
from game.services import Services
from game.ui.fit import Block, Placements, block, draw_block, draw_button, union
from game.ui.layout import LOGICAL_SIZE, Rect
from game.ui.widgets import Button, darken, fit_to_label, lighten
from scenes.decor import draw_cloud, draw_lantern, radial_glow

COL_X, COL_W = 964, 860  # the text column, inside the gold frame (at the normal text size)
COL_RIGHT = 1830  # where the column and the button row end, inside the gold frame
MEDALLION, MEDALLION_MIN, MEDALLION_AT = 620, 440, (560, 540)  # its size (smaller with large text) and centre
LANTERNS = ((190, 96), (330, 74), (1460, 74), (1600, 96))  # x and size, hanging from the top of the frame
STRIP_Y, STRIP_H = 918, 128  # the scroll panning along the bottom, once it is painted
STRIP_SCALE_H, STRIP_BAND = 400, 0.40  # painted at this height; the band shown starts this far down
PAN_PX_S = 20.0  # its slow pan, logical px per second (back and forth)
PEEK_EVERY, PEEK_UP, PEEK_HOLD = 7.0, 0.6, 1.4  # the rabbit peeks out of the logo: period, rise, stay (s)


@dataclass
class AttractLayout:
    key: tuple[object, ...]
    column: pygame.Surface
    column_at: tuple[int, int]
    pill: pygame.Rect
    label_size: int
    alt_size: int
    alt_gap: int
    scan: Rect
    scan_size: int
    lang: Rect
    placed: Placements
    obstacles: list[pygame.Rect]


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
        self._layout: AttractLayout | None = None
        self.placed = Placements()  # where the texts went (read by the layout tests)
        self.buttons_placed = Placements()  # the buttons and their labels, this frame

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
        cx, cy, _ = self.medallion()
        out = {"start": (float(cx), float(cy)), "language": self.lang_button.rect.center}
        if self.scan_scene is not None:
            out["scan"] = self.scan_button.rect.center
        return out

    def medallion(self) -> tuple[int, int, int]:
        """The medallion's centre and size: it gives the text column room (smaller, further left) as the
        text grows."""
        k = max(1.0, self.s.text.scale.factor)
        size = max(MEDALLION_MIN, round(MEDALLION - 180 * (k - 1)))
        return MEDALLION_AT[0] - (MEDALLION - size), MEDALLION_AT[1], size

    def _lang_size(self) -> int:
        """The language button's label: a little smaller once the text grows, so the button stays above the
        column's title (it shares the top right with the brand line)."""
        return 30 if self.s.text.scale.factor <= 1.0 else 24

    def lanterns(self) -> tuple[tuple[int, int], ...]:
        """The lanterns (x, size): the two over the text column hang only at the normal text size; larger
        text needs the column's full height."""
        return LANTERNS if self.s.text.scale.factor <= 1.0 else LANTERNS[:2]

    def art_boxes(self) -> list[pygame.Rect]:
        """What the texts must keep clear of: the lanterns, the medallion (with the rabbit over it) and the
        scroll along the bottom."""
        cx, cy, size = self.medallion()
        boxes = [pygame.Rect(round(x - 0.7 * s), 28, round(1.4 * s), round(2.35 * s)) for x, s in self.lanterns()]
        medallion = pygame.Rect(0, 0, size, size)
        medallion.center = (cx, cy)
        boxes.append(medallion.inflate(0, 20))  # it bobs 10 px
        rabbit = pygame.Rect(0, 0, round(180 * size / MEDALLION), round(260 * size / MEDALLION))
        rabbit.midtop = (round(cx + 140 * size / MEDALLION), round(cy - 10 - (240 + 200) * size / MEDALLION))
        boxes.append(rabbit)
        boxes.append(pygame.Rect(44, STRIP_Y - 2, LOGICAL_SIZE[0] - 88, STRIP_H + 4))
        return boxes

    def draw(self, surface: pygame.Surface) -> None:
        s, p = self.s, self.s.palette
        assert self.background is not None
        surface.blit(self.background, (0, 0))
        for i, (x, size) in enumerate(self.lanterns()):
            draw_lantern(surface, (x, 28), size, 0.12 * math.sin(self.t * 1.3 + i), (214, 40, 40), p.accent)
        cx, cy, size = self.medallion()
        card = s.images.remember(("attract-card", s.campaign.id, size), lambda: self._logo_card(size))
        bob = 10 * math.sin(self.t * 1.6)
        self._draw_rabbit(surface, round(cy + bob), cx, size)
        surface.blit(card, card.get_rect(center=(cx, round(cy + bob))))
        self._draw_strip(surface)
        cream = lighten(p.secondary, 0.3)
        lay = self._lay_out()
        surface.blit(lay.column, lay.column_at)
        pill = lay.pill
        pulse = 0.5 + 0.5 * math.sin(self.t * 3.2)
        glow = pygame.Surface(pill.inflate(40, 40).size, pygame.SRCALPHA)
        pygame.draw.rect(glow, (*p.accent, round(40 + 70 * pulse)), glow.get_rect(), border_radius=80)
        surface.blit(glow, pill.inflate(40, 40).topleft)
        pygame.draw.rect(surface, p.accent, pill, border_radius=min(60, pill.h // 2))
        label = s.text.render(s.t("attract.touch"), lay.label_size, p.text_on_accent, "bold")
        surface.blit(label, label.get_rect(center=pill.center))
        alt = s.text.render(s.t("attract.touch_alt"), lay.alt_size, p.text_on_brand, "sans")
        surface.blit(alt, alt.get_rect(midtop=(pill.centerx, pill.bottom + lay.alt_gap)))
        self.buttons_placed.clear()
        colours = {"primary": p.primary, "paper": cream, "ink": p.ink}
        if self.scan_scene is not None:
            self.scan_button.label = s.t("map.scan")
            self.scan_button.rect = lay.scan
            draw_button(surface, s.text, self.scan_button, colours, lay.scan_size, self.buttons_placed)
        self.lang_button.label = s.t("app.language")
        self.lang_button.rect = lay.lang
        draw_button(surface, s.text, self.lang_button, colours, self._lang_size(), self.buttons_placed)

    def _lay_out(self) -> AttractLayout:
        """The text column, the pill and the buttons, laid out once per language and text size: the column
        keeps clear of the lanterns, the medallion and the scroll; its texts wrap, and shrink together
        toward their floors only when the column's height runs out."""
        s = self.s
        key = (s.lang, s.text.generation, self.scan_scene is not None)
        if self._layout is not None and self._layout.key == key:
            return self._layout
        k = max(1.0, s.text.scale.factor)
        cx, _, size = self.medallion()
        col_x = cx + size // 2 + COL_X - MEDALLION_AT[0] - MEDALLION // 2
        col_w = min(COL_RIGHT - col_x, COL_W + (COL_X - col_x))
        self.lang_button.label = s.t("app.language")
        self.lang_button.rect = Rect(1700, 40, 170, 64)
        fit_to_label(self.lang_button, s.text, self._lang_size(), "right")
        lang = pygame.Rect(self.lang_button.rect.as_tuple())
        obstacles = [box for box in self.art_boxes() if box.right > col_x] + [lang]
        bottom = STRIP_Y - 16
        scan_w = 0
        if self.scan_scene is not None:
            self.scan_button.label = s.t("map.scan")
        for shrink in [1.0 - 0.05 * i for i in range(10)]:
            column, height, rows = self._paint_column(col_w, shrink)
            label_size = s.text.fit_size(s.t("attract.touch"), round(54 * shrink), 560, "bold", 30)
            label_h = s.text.size(s.t("attract.touch"), label_size, "bold")[1]
            alt_size = s.text.fit_size(s.t("attract.touch_alt"), round(32 * shrink), 620, "sans", 20)
            alt_h = s.text.size(s.t("attract.touch_alt"), alt_size, "sans")[1]
            scan_size = round(40 * shrink)
            if self.scan_scene is not None:
                sw, _ = s.text.size(self.scan_button.label, scan_size, "bold")
                scan_w = max(220, sw + round(44 * k)) + 24
            pill_w = min(round(620 * k ** 0.5), col_w - scan_w)
            label_size = min(label_size, s.text.fit_size(s.t("attract.touch"), label_size, pill_w - 60, "bold", 30))
            label_h = s.text.size(s.t("attract.touch"), label_size, "bold")[1]
            pill_h = max(120, label_h + 24)
            alt_gap = round(22 * shrink)
            total = height + pill_h + alt_gap + alt_h
            top = max(112 if len(self.lanterns()) == len(LANTERNS) else 40, min(self._column_top, bottom - total))
            clear = self._clear_of(rows, col_x, top, obstacles)
            if clear is not None and clear + total <= bottom:
                top = clear
                break
        placed = Placements()
        for role, text, rect in rows:
            placed.add(role, text, rect.move(col_x, top), pygame.Rect(col_x - 8, 0, col_w + 16, bottom))
        pill = pygame.Rect(col_x, top + height, pill_w, pill_h)
        alt_w = s.text.size(s.t("attract.touch_alt"), alt_size, "sans")[0]
        alt_rect = pygame.Rect(0, 0, alt_w, alt_h)
        alt_rect.midtop = (pill.centerx, pill.bottom + alt_gap)
        touch = pygame.Rect(0, 0, s.text.size(s.t("attract.touch"), label_size, "bold")[0], label_h)
        touch.center = pill.center
        placed.add("touch", s.t("attract.touch"), touch, pill)
        placed.add("touch alt", s.t("attract.touch_alt"), alt_rect, pygame.Rect(0, 0, *LOGICAL_SIZE))
        scan = Rect(pill.right + 24, pill.y, max(0, scan_w - 24), pill.h)
        self._layout = AttractLayout(key, column, (col_x - 4, top), pill, label_size, alt_size, alt_gap, scan,
                                     round(40 * shrink), Rect(*lang), placed, obstacles)
        self.placed = placed
        return self._layout

    @staticmethod
    def _clear_of(rows: list[tuple[str, str, pygame.Rect]], x: int, top: int,
                  obstacles: list[pygame.Rect]) -> int | None:
        """The highest top (``top`` or lower) at which no row of the column meets an obstacle above the
        column's middle (the lanterns, the language button); None if none clears them."""
        for _ in range(40):
            hits = [o for o in obstacles for _, _, r in rows if r.move(x, top).colliderect(o) and o.bottom < 540]
            if not hits:
                return top
            top = max(o.bottom for o in hits) + 12
        return None

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

    def _draw_rabbit(self, surface: pygame.Surface, card_y: int, card_x: int = MEDALLION_AT[0],
                     size: int = MEDALLION) -> None:
        """The jade rabbit peeks over the medallion's upper right edge (drawn before it, so it hides behind)."""
        peek = self._peek()
        if peek <= 0:
            return
        k = size / MEDALLION
        rabbit = self.s.images.remember(("attract-rabbit",), _paint_rabbit)
        if size != MEDALLION:
            rabbit = self.s.images.remember(("attract-rabbit", size), lambda: pygame.transform.smoothscale_by(
                self.s.images.remember(("attract-rabbit",), _paint_rabbit), k))
        x, y = round(card_x + 140 * k), round(card_y - (240 + 200 * peek) * k)
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

    def _paint_column(self, col_w: int, shrink: float) -> tuple[pygame.Surface, int, list[tuple[str, str, pygame.Rect]]]:
        """Brand, title, tagline and hint at ``shrink`` times their sizes (not under their floors), wrapped to
        ``col_w`` and never cut; returns the column, its height (to the pill) and each text's inked box."""
        s = self.s
        p = s.palette
        cream = lighten(p.secondary, 0.3)
        surf = pygame.Surface((col_w + 8, LOGICAL_SIZE[1]), pygame.SRCALPHA)
        rows: list[tuple[str, str, pygame.Rect]] = []
        x, y = 4, 0  # the column's left edge; the title sits 4 px further left, as set in serif

        def put(role: str, b: Block, colour: tuple[int, int, int], at_x: int, width: int) -> None:
            rows.append((role, b.text, union(draw_block(surf, s.text, b, colour, at_x, y, width)).move(-4, 0)))

        brand = block(s.text, s.campaign.brand.name.get(s.lang), round(40 * shrink), col_w, "bold", min_size=24,
                      max_lines=2, spacing=1.15)
        put("brand", brand, p.accent, x, col_w)
        y += brand.height + 8
        title = s.campaign.meta.name.get(s.lang)
        big = round((84 if s.lang == "zh" else 66) * shrink)
        one = s.text.fit_size(title, big, col_w, "serif", round(50 * shrink))
        if s.text.size(title, one, "serif")[0] <= col_w:
            b = block(s.text, title, one, col_w, "serif", min_size=one, max_lines=1)
            put("title", b, cream, x - 4, col_w)
            y += b.height + round(24 * shrink)
        else:  # too long for one line: two lines
            b = block(s.text, title, round(60 * shrink), col_w, "serif", min_size=round(36 * shrink), max_lines=2,
                      spacing=1.2)
            put("title", b, cream, x - 4, col_w)
            y += len(b.lines) * b.step + round(34 * shrink)
        b = block(s.text, s.t("attract.tagline"), round(40 * shrink), col_w, "sans", min_size=24, spacing=1.3)
        put("tagline", b, cream, x, col_w)
        y += len(b.lines) * b.step + round(10 * shrink)
        b = block(s.text, s.t("attract.hint"), round(30 * shrink), col_w - 40, "sans", min_size=20, spacing=1.35)
        put("hint", b, lighten(p.secondary, 0.1), x, col_w - 40)
        y += len(b.lines) * b.step + round(50 * shrink)
        return surf, y, rows

    def _logo_card(self, size: int = MEDALLION) -> pygame.Surface:
        """The brand mark on a round cream medallion with a gold ring."""
        s, p = self.s, self.s.palette
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
            logo = s.images.cutout(logo_file, round(400 * size / MEDALLION))
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
