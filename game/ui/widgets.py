"""Small immediate-mode widgets: buttons, panels, progress bars. Drawing only; hit-tests are pure."""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from game.ui.contrast import CREAM
from game.ui.layout import MIN_TOUCH, Rect
from game.ui.text import TextRenderer

RGB = tuple[int, int, int]


def lighten(c: RGB, amount: float) -> RGB:
    return tuple(round(v + (255 - v) * amount) for v in c)  # type: ignore[return-value]


def darken(c: RGB, amount: float) -> RGB:
    return tuple(round(v * (1 - amount)) for v in c)  # type: ignore[return-value]


def shadow_surface(size: tuple[int, int], radius: int, strength: int = 70, spread: int = 14) -> pygame.Surface:
    """A soft drop shadow, made once per size (blur by repeated smooth downscale/upscale)."""
    w, h = size[0] + spread * 2, size[1] + spread * 2
    surf = pygame.Surface((w, h), pygame.SRCALPHA)
    pygame.draw.rect(surf, (0, 0, 0, strength), (spread, spread, size[0], size[1]), border_radius=radius)
    small = pygame.transform.smoothscale(surf, (max(1, w // 8), max(1, h // 8)))
    return pygame.transform.smoothscale(small, (w, h))


def draw_panel(
    surface: pygame.Surface,
    rect: Rect,
    fill: RGB | tuple[int, int, int, int],
    *,
    radius: int = 18,
    border: RGB | None = None,
    border_width: int = 2,
    shadow: pygame.Surface | None = None,
) -> None:
    r = pygame.Rect(rect.as_tuple())
    if shadow is not None:
        spread = (shadow.get_width() - r.width) // 2
        surface.blit(shadow, (r.x - spread, r.y - spread + 6))
    if len(fill) == 4 and fill[3] < 255:  # type: ignore[misc]
        layer = pygame.Surface(r.size, pygame.SRCALPHA)
        pygame.draw.rect(layer, fill, layer.get_rect(), border_radius=radius)
        surface.blit(layer, r.topleft)
    else:
        pygame.draw.rect(surface, fill, r, border_radius=radius)
    if border is not None:
        pygame.draw.rect(surface, border, r, border_width, border_radius=radius)


@dataclass
class Button:
    """A labelled touch target. ``rect`` is the drawn area; hits use at least 48×48 logical px."""

    id: str
    rect: Rect
    label: str = ""
    style: str = "primary"  # primary | secondary | ghost | chip
    enabled: bool = True
    selected: bool = False

    def hit(self, pos: tuple[float, float] | None) -> bool:
        return pos is not None and self.enabled and self.rect.inflated_to(MIN_TOUCH).contains(*pos)

    def draw(
        self, surface: pygame.Surface, text: TextRenderer, colours: dict[str, RGB], size: int = 30
    ) -> tuple[pygame.Rect, int] | None:
        """Draw; return where the label went and the (logical) size it was drawn at, or None."""
        primary, paper, ink = colours["primary"], colours["paper"], colours["ink"]
        if self.style == "primary":
            # the disabled grey still carries its label at 4.5:1 (WCAG AA)
            fill, fg, border = (primary if self.enabled else (120, 115, 109)), CREAM, darken(primary, 0.3)
        elif self.style == "secondary":
            fill, fg, border = paper, ink, darken(paper, 0.35)
        elif self.style == "chip":
            fill = primary if self.selected else lighten(paper, 0.4)
            fg = CREAM if self.selected else ink
            border = darken(primary, 0.2)
        else:
            fill, fg, border = (255, 255, 255, 40), paper, paper  # type: ignore[assignment]
        radius = round(min(self.rect.h / 2, 28))
        draw_panel(surface, self.rect, fill, radius=radius, border=border, border_width=2)
        if not self.label:
            return None
        label = text.render(self.label, size, fg, "bold")
        if label.get_width() > self.rect.w - 24:  # shrink rather than overflow the button
            size = text.fit_size(self.label, size, round(self.rect.w) - 24, "bold")
            label = text.render(self.label, size, fg, "bold")
        cx, cy = self.rect.center
        where = label.get_rect(center=(round(cx), round(cy)))
        surface.blit(label, where)
        return where, size


def fit_to_label(button: Button, text: TextRenderer, size: int, anchor: str = "left") -> None:
    """Grow ``button`` (never shrink it) so its label fits at ``size`` with room around it, whatever the
    text scale; the ``anchor`` edge (left or right) and the top stay where they are."""
    k = text.scale.factor
    w, h = text.size(button.label, size, "bold")
    r = button.rect
    new_w, new_h = max(r.w, w + round(44 * k)), max(r.h, h + round(12 * k))
    button.rect = Rect(r.x + r.w - new_w if anchor == "right" else r.x, r.y, new_w, new_h)


def hit_button(buttons: list[Button], pos: tuple[float, float] | None) -> Button | None:
    """Topmost (last drawn) button under the pointer."""
    for button in reversed(buttons):
        if button.hit(pos):
            return button
    return None


def draw_progress(
    surface: pygame.Surface,
    rect: Rect,
    fraction: float,
    fill: RGB,
    track: RGB,
    ticks: list[float] | None = None,
    tick_colour: RGB = (255, 255, 255),
) -> None:
    r = pygame.Rect(rect.as_tuple())
    radius = r.height // 2
    pygame.draw.rect(surface, track, r, border_radius=radius)
    filled = r.copy()
    filled.width = max(r.height, round(r.width * max(0.0, min(1.0, fraction)))) if fraction > 0 else 0
    if filled.width:
        pygame.draw.rect(surface, fill, filled, border_radius=radius)
    for t in ticks or []:
        x = r.x + round(r.width * t)
        pygame.draw.line(surface, tick_colour, (x, r.y + 3), (x, r.bottom - 4), 3)


def draw_close_icon(surface: pygame.Surface, centre: tuple[float, float], half: float, colour: RGB, width: int = 4) -> None:
    """An X drawn as two strokes (the subset fonts have no ✕ glyph), with round ends."""
    cx, cy = centre
    for (ax, ay), (bx, by) in (((-half, -half), (half, half)), ((-half, half), (half, -half))):
        pygame.draw.line(surface, colour, (cx + ax, cy + ay), (cx + bx, cy + by), width)
        for x, y in ((cx + ax, cy + ay), (cx + bx, cy + by)):
            pygame.draw.circle(surface, colour, (round(x), round(y)), width // 2)
