"""Original art for every collectible, drawn by code: a chibi rabbit (or lantern) per item.

``collectible_art(item_id, colour, height)`` returns an RGBA figure (width = ASPECT × height)
standing on its bottom edge, the way the AR scene puts it on the card. Each item has its own
pose, fur and prop, so they are told apart at a glance; unknown ids get a rabbit in the item's
colour. ``silhouette`` turns a figure into the dark "???" shape of an item not yet found.
Shapes are drawn at twice the size and smooth-scaled down (anti-aliased edges).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pygame

RGB = tuple[int, int, int]
ASPECT = 0.8  # width / height of every figure
W, H = 400, 500  # drawing units (then scaled)

INK: RGB = (58, 40, 44)
WHITE: RGB = (252, 248, 242)
PINK: RGB = (244, 160, 170)
GOLD: RGB = (230, 178, 40)
RED: RGB = (206, 28, 46)


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


class Pen:
    """Draws in W×H units onto a surface ``k`` times larger, with an ink outline under each fill."""

    def __init__(self, k: float) -> None:
        self.k = k
        self.surf = pygame.Surface((round(W * k), round(H * k)), pygame.SRCALPHA)
        self.line = max(2, round(5 * k))

    def p(self, x: float, y: float) -> tuple[int, int]:
        return round(x * self.k), round(y * self.k)

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, fill: RGB, angle: float = 0.0,
                outline: RGB | None = INK) -> None:
        k = self.k
        pad = self.line * 2
        layer = pygame.Surface((round(2 * rx * k) + 2 * pad, round(2 * ry * k) + 2 * pad), pygame.SRCALPHA)
        box = pygame.Rect(pad, pad, round(2 * rx * k), round(2 * ry * k))
        if outline is not None:
            pygame.draw.ellipse(layer, outline, box.inflate(self.line * 2, self.line * 2))
        pygame.draw.ellipse(layer, fill, box)
        if angle:
            layer = pygame.transform.rotate(layer, angle)
        self.surf.blit(layer, layer.get_rect(center=self.p(cx, cy)))

    def circle(self, cx: float, cy: float, r: float, fill: RGB, outline: RGB | None = INK) -> None:
        if outline is not None:
            pygame.draw.circle(self.surf, outline, self.p(cx, cy), round(r * self.k) + self.line)
        pygame.draw.circle(self.surf, fill, self.p(cx, cy), round(r * self.k))

    def poly(self, pts: list[tuple[float, float]], fill: RGB, outline: RGB | None = INK) -> None:
        q = [self.p(x, y) for x, y in pts]
        pygame.draw.polygon(self.surf, fill, q)
        if outline is not None:
            pygame.draw.polygon(self.surf, outline, q, self.line)

    def rect(self, x: float, y: float, w: float, h: float, fill: RGB, radius: float = 0,
             outline: RGB | None = INK) -> None:
        r = pygame.Rect(*self.p(x, y), round(w * self.k), round(h * self.k))
        if outline is not None:
            pygame.draw.rect(self.surf, outline, r.inflate(self.line * 2, self.line * 2),
                             border_radius=round(radius * self.k) + self.line)
        pygame.draw.rect(self.surf, fill, r, border_radius=round(radius * self.k))

    def stroke(self, pts: list[tuple[float, float]], colour: RGB, width: float) -> None:
        q = [self.p(x, y) for x, y in pts]
        w = max(1, round(width * self.k))
        pygame.draw.lines(self.surf, colour, False, q, w)
        for pt in (q[0], q[-1]):
            pygame.draw.circle(self.surf, colour, pt, w // 2)

    def arc(self, cx: float, cy: float, r: float, a0: float, a1: float, colour: RGB, width: float) -> None:
        pts = [(cx + r * math.cos(a), cy + r * math.sin(a)) for a in
               [a0 + (a1 - a0) * i / 24 for i in range(25)]]
        self.stroke(pts, colour, width)

    def sparkle(self, cx: float, cy: float, r: float, colour: RGB) -> None:
        pts = []
        for i in range(8):
            a = i * math.pi / 4
            rr = r if i % 2 == 0 else r * 0.28
            pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
        self.poly(pts, colour, None)


def rabbit(pen: Pen, fur: RGB, *, cx: float = 200, base: float = 470, ears: str = "up", inner: RGB = PINK,
           blush: RGB = PINK, eyes: str = "open", mark: RGB | None = None) -> None:
    """A sitting chibi rabbit whose feet rest on ``base``; props are drawn by the caller after."""
    shade = _mix(fur, INK, 0.12)
    # ears
    if ears == "up":
        specs = ((cx - 46, 110, -10), (cx + 40, 116, 12))
    elif ears == "flop":
        specs = ((cx - 48, 112, -8), (cx + 92, 176, 62))
    else:  # "swept": blown back by the wind
        specs = ((cx - 20, 118, 28), (cx + 30, 128, 40))
    for ex, ey, ang in specs:
        pen.ellipse(ex, ey, 30, 92, fur, ang)
        pen.ellipse(ex, ey + 10, 14, 66, inner, ang, None)
    # body and feet
    pen.ellipse(cx, base - 86, 112, 96, fur)
    pen.ellipse(cx + 96, base - 66, 26, 24, WHITE)  # tail
    pen.ellipse(cx - 58, base - 12, 46, 22, shade)
    pen.ellipse(cx + 58, base - 12, 46, 22, shade)
    pen.ellipse(cx, base - 80, 62, 60, _mix(fur, WHITE, 0.55), 0, None)  # belly
    # head
    pen.ellipse(cx, 262, 104, 90, fur)
    if mark is not None:
        pen.ellipse(cx, 196, 20, 12, mark, 0, None)
    if eyes == "open":
        for ex in (cx - 44, cx + 44):
            pen.ellipse(ex, 262, 13, 17, INK, 0, None)
            pen.circle(ex + 5, 255, 5, WHITE, None)
    else:  # happy closed eyes
        for ex in (cx - 44, cx + 44):
            pen.arc(ex, 272, 14, math.pi * 1.15, math.pi * 1.85, INK, 6)
    for ex in (cx - 70, cx + 70):
        pen.ellipse(ex, 292, 20, 11, blush, 0, None)
    pen.poly([(cx - 9, 284), (cx + 9, 284), (cx, 294)], (214, 110, 120), None)
    pen.arc(cx - 9, 296, 9, 0.1, math.pi - 0.3, INK, 4)
    pen.arc(cx + 9, 296, 9, 0.3, math.pi - 0.1, INK, 4)


def paws(pen: Pen, fur: RGB, y: float, cx: float = 200, spread: float = 44) -> None:
    for x in (cx - spread, cx + spread):
        pen.ellipse(x, y, 22, 18, fur)


def _lantern(pen: Pen, cx: float, top: float, size: float) -> None:
    pen.stroke([(cx, top - size * 0.5), (cx, top)], INK, 5)
    pen.rect(cx - size * 0.32, top - 4, size * 0.64, size * 0.16, GOLD, 4)
    pen.ellipse(cx, top + size * 0.55, size * 0.55, size * 0.45, RED)
    for dx in (-0.3, 0.0, 0.3):
        pen.ellipse(cx + dx * size, top + size * 0.55, size * 0.12 * (1.4 - abs(dx) * 2), size * 0.42,
                    (232, 60, 64), 0, None)
    pen.rect(cx - size * 0.32, top + size * 0.92, size * 0.64, size * 0.14, GOLD, 4)
    for dx in (-0.14, 0.0, 0.14):
        pen.stroke([(cx + dx * size, top + size * 1.08), (cx + dx * size, top + size * 1.38)], GOLD, 5)
    pen.circle(cx, top + size * 0.55, size * 0.14, (255, 214, 120), None)


def _cloud(pen: Pen, cx: float, cy: float, s: float, fill: RGB, line: RGB) -> None:
    for dx, dy, r in ((-0.55, 0.1, 0.36), (-0.15, -0.12, 0.46), (0.3, -0.02, 0.42), (0.68, 0.14, 0.3)):
        pen.circle(cx + dx * s, cy + dy * s, r * s, fill)
    pen.rect(cx - 0.8 * s, cy + 0.05 * s, 1.6 * s, 0.35 * s, fill, 0.17 * s, None)
    pen.arc(cx - 0.15 * s, cy - 0.05 * s, 0.24 * s, math.pi * 0.9, math.pi * 2.3, line, 6)
    pen.arc(cx + 0.32 * s, cy + 0.04 * s, 0.18 * s, math.pi * 1.0, math.pi * 2.4, line, 6)


def draw_lantern_rabbit(pen: Pen, colour: RGB) -> None:
    rabbit(pen, WHITE)
    pen.stroke([(262, 388), (320, 300)], (120, 72, 40), 8)  # the pole
    _lantern(pen, 330, 300, 92)
    paws(pen, WHITE, 388, 236, 26)
    pen.sparkle(88, 150, 18, GOLD)


def draw_cloud_rabbit(pen: Pen, colour: RGB) -> None:
    sky = _mix(colour, WHITE, 0.35)
    rabbit(pen, (236, 242, 250), base=430, ears="swept", inner=(196, 214, 240), blush=(250, 180, 190))
    _cloud(pen, 200, 440, 170, _mix(colour, WHITE, 0.72), colour)
    paws(pen, (236, 242, 250), 372)
    for x, y in ((70, 120), (330, 90), (352, 214)):
        pen.sparkle(x, y, 14, sky)


def draw_hotpot_rabbit(pen: Pen, colour: RGB) -> None:
    rabbit(pen, WHITE, inner=(240, 80, 70), blush=(246, 110, 110), eyes="happy", base=430)
    # the pot: a wide bowl with the nine-grid and chilli-red broth, steam above
    pen.ellipse(200, 400, 170, 30, (90, 90, 96))
    pen.poly([(36, 398), (364, 398), (332, 478), (68, 478)], (110, 110, 120))
    pen.ellipse(200, 398, 160, 24, colour, 0, None)
    for dx in (-53, 53):
        pen.stroke([(200 + dx, 378), (200 + dx * 1.05, 418)], (90, 90, 96), 5)
    pen.stroke([(44, 398), (356, 398)], (90, 90, 96), 5)
    for x, y in ((120, 396), (240, 404), (290, 392)):
        pen.ellipse(x, y, 12, 6, (255, 196, 60), 20, None)
    for x in (150, 200, 250):
        pen.stroke([(x, 360), (x - 14, 330), (x + 6, 300), (x - 8, 270)], (255, 255, 255), 7)
    pen.rect(14, 420, 26, 18, (90, 90, 96), 6)
    pen.rect(360, 420, 26, 18, (90, 90, 96), 6)


def draw_mahua_rabbit(pen: Pen, colour: RGB) -> None:
    fur = (246, 236, 220)
    rabbit(pen, fur, ears="flop", inner=(236, 170, 150))
    # a twisted-dough stick held across the chest
    for i in range(7):
        x = 104 + i * 32
        pen.ellipse(x, 392 + (6 if i % 2 else -6), 24, 16, colour, 35 if i % 2 else -35)
        pen.stroke([(x - 10, 386), (x + 8, 398)], _mix(colour, WHITE, 0.45), 4)
    paws(pen, fur, 392, 200, 60)
    for x, y in ((330, 300), (80, 330)):
        pen.circle(x, y, 4, (250, 230, 160), None)


def draw_moon_gate_rabbit(pen: Pen, colour: RGB) -> None:
    night = (30, 42, 78)
    pen.circle(200, 250, 196, night)  # the moon gate: a round doorway onto the night
    pen.circle(200, 250, 182, (44, 62, 110), None)
    pen.circle(286, 150, 58, (250, 238, 196), None)  # the full moon behind
    pen.arc(200, 250, 188, math.pi * 0.0, math.pi * 2.0, (210, 196, 170), 16)
    for x, y in ((90, 140), (130, 90), (320, 300), (100, 330)):
        pen.sparkle(x, y, 10, (250, 238, 196))
    jade = colour
    rabbit(pen, jade, inner=_mix(jade, WHITE, 0.5), blush=_mix(jade, PINK, 0.5), mark=(250, 238, 196))
    paws(pen, jade, 392)
    pen.ellipse(200, 392, 18, 14, (250, 238, 196))  # a pearl held to the chest


def draw_golden_jade_rabbit(pen: Pen, colour: RGB) -> None:
    # a gilt halo with rays, a jade rabbit trimmed with gold, on a round plinth
    for i in range(16):
        a = i * math.pi / 8
        pen.poly([(200, 250), (200 + 230 * math.cos(a - 0.08), 250 + 230 * math.sin(a - 0.08)),
                  (200 + 230 * math.cos(a + 0.08), 250 + 230 * math.sin(a + 0.08))], _mix(colour, WHITE, 0.55), None)
    pen.circle(200, 250, 150, _mix(colour, WHITE, 0.3), None)
    jade = (120, 196, 160)
    pen.ellipse(200, 472, 150, 24, colour)
    rabbit(pen, jade, base=462, inner=colour, blush=(250, 190, 170), mark=colour)
    paws(pen, jade, 384)
    pen.circle(200, 384, 24, colour)  # a gold coin
    pen.rect(191, 375, 18, 18, _mix(colour, INK, 0.35), 2, None)
    for x, y, r in ((60, 90, 20), (344, 120, 16), (360, 330, 12), (46, 300, 12)):
        pen.sparkle(x, y, r, (255, 244, 200))


def draw_lotus_lantern(pen: Pen, colour: RGB) -> None:
    water = (60, 110, 150)
    pen.ellipse(200, 458, 190, 34, water)
    for dx in (-120, 120):
        pen.ellipse(200 + dx, 460, 54, 14, (94, 150, 110), 0, None)
    pen.circle(200, 300, 40, (255, 220, 130), None)
    petals = ((-40, 0.0), (40, 0.0), (-80, 28.0), (80, -28.0), (0, 0.0))
    for angle, dx in ((-50, -70), (50, 70), (-25, -36), (25, 36), (0, 0)):
        pen.ellipse(200 + dx, 380, 44, 96, _mix(colour, WHITE, 0.25) if angle else colour, -angle * 0.9)
    del petals
    pen.circle(200, 332, 16, (255, 232, 150))
    for x, y in ((90, 180), (310, 170), (200, 120)):
        pen.sparkle(x, y, 14, (255, 236, 170))


def draw_three_pools_moon(pen: Pen, colour: RGB) -> None:
    pen.circle(200, 150, 92, (252, 240, 200))
    pen.ellipse(200, 440, 190, 50, (52, 86, 120))
    for x, s in ((90, 0.8), (200, 1.0), (310, 0.8)):
        top = 300 - 70 * s
        pen.ellipse(x, top + 118 * s, 26 * s, 10 * s, (150, 150, 150))
        pen.circle(x, top + 70 * s, 34 * s, (170, 170, 168))
        pen.circle(x, top + 70 * s, 12 * s, (255, 214, 120), None)
        pen.poly([(x - 22 * s, top + 40 * s), (x + 22 * s, top + 40 * s), (x, top)], colour)
        pen.rect(x - 8 * s, top + 100 * s, 16 * s, 120 * s, (150, 150, 150), 2)
    pen.ellipse(200, 448, 40, 10, (252, 240, 200), 0, None)


DRAWERS: dict[str, Callable[[Pen, RGB], None]] = {
    "lantern-rabbit": draw_lantern_rabbit,
    "cloud-rabbit": draw_cloud_rabbit,
    "hotpot-rabbit": draw_hotpot_rabbit,
    "mahua-rabbit": draw_mahua_rabbit,
    "moon-gate-rabbit": draw_moon_gate_rabbit,
    "golden-jade-rabbit": draw_golden_jade_rabbit,
    "lotus-lantern": draw_lotus_lantern,
    "three-pools-moon": draw_three_pools_moon,
}


def _generic(pen: Pen, colour: RGB) -> None:
    rabbit(pen, _mix(colour, WHITE, 0.6))
    paws(pen, _mix(colour, WHITE, 0.6), 392)


def collectible_art(item_id: str, colour: RGB, height: int) -> pygame.Surface:
    """The item's figure, ``round(height * ASPECT)`` × ``height``, transparent around it."""
    pen = Pen(2 * height / H)
    DRAWERS.get(item_id, _generic)(pen, colour)
    return pygame.transform.smoothscale(pen.surf, (round(height * ASPECT), height))


def silhouette(figure: pygame.Surface, colour: RGB = (46, 40, 56)) -> pygame.Surface:
    """The figure as one flat dark shape (alpha kept): an item not yet found."""
    out = figure.copy()
    out.fill((*colour, 255), special_flags=pygame.BLEND_RGBA_MIN)
    out.fill((*colour, 0), special_flags=pygame.BLEND_RGBA_MAX)
    return out
