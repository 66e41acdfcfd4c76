"""Text that fits its box at any text scale: wrapped blocks that shrink to a floor, button rows that grow
to their labels, and a record of where each text went (read by the layout tests).

The convention (the map bar, the album header): a text is drawn at the size asked for when it fits; it
wraps before it shrinks; it shrinks down to a floor; it is never clipped. Boxes (panels, buttons) grow
with the text scale where the screen has room.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pygame

from game.ui.layout import Rect
from game.ui.text import Colour, PlacedText, TextRenderer
from game.ui.widgets import Button


@dataclass
class Block:
    """A paragraph laid out at one size: its lines, the line step and the height it takes."""

    text: str
    lines: list[str]
    size: int
    face: str
    step: int
    height: int


@dataclass
class Placements:
    """Where a screen's texts and buttons went, for the layout tests."""

    texts: list[PlacedText] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)

    def clear(self) -> None:
        self.texts.clear()
        self.buttons.clear()

    def add(self, role: str, text: str, rect: pygame.Rect, box: pygame.Rect | Rect) -> None:
        """Record ``text`` drawn at ``rect`` (its glyphs), which must stay inside ``box``."""
        if isinstance(box, Rect):
            box = pygame.Rect(box.as_tuple())
        self.texts.append(PlacedText(role, text, rect, box))


def block(text: TextRenderer, s: str, size: int, width: int, face: str = "sans", *, min_size: int = 14,
          max_lines: int | None = None, spacing: float = 1.3) -> Block:
    """``s`` wrapped to ``width`` at the largest size <= ``size`` (not under ``min_size``) where it takes at
    most ``max_lines`` lines (any number when None), no line wider than ``width``."""
    fitted = size
    if max_lines is not None:
        fitted = text.paragraph_size(s, size, width, max_lines, face, min_size)
    else:
        while fitted > min_size and any(text.size(line, fitted, face)[0] > width
                                        for line in text.wrap(s, fitted, width, face)):
            fitted -= 1
    lines = text.wrap(s, fitted, width, face)
    step = round(text.px(fitted) * spacing)
    line_h = text.size("Ag", fitted, face)[1]
    return Block(s, lines, fitted, face, step, (len(lines) - 1) * step + line_h if lines else 0)


def draw_block(surface: pygame.Surface, text: TextRenderer, b: Block, colour: Colour, x: int, y: int, width: int,
               align: str = "left") -> list[pygame.Rect]:
    """Draw ``b`` with its top at ``y`` in the column ``x .. x + width``; return each line's inked box."""
    out = []
    for i, line in enumerate(b.lines):
        img = text.render(line, b.size, colour, b.face)
        if align == "center":
            at = img.get_rect(midtop=(x + width // 2, y + i * b.step))
        else:
            at = img.get_rect(topleft=(x, y + i * b.step))
        surface.blit(img, at)
        out.append(img.get_bounding_rect().move(at.topleft))
    return out


def union(rects: list[pygame.Rect]) -> pygame.Rect:
    return rects[0].unionall(rects[1:]) if rects else pygame.Rect(0, 0, 0, 0)


def label_size(text: TextRenderer, labels: list[str], size: int, max_label_w: int, min_size: int = 16) -> int:
    """One label size for a row of buttons: ``size``, or smaller until the widest label fits ``max_label_w``."""
    while size > min_size and max(text.size(label, size, "bold")[0] for label in labels) > max_label_w:
        size -= 1
    return size


def button_row(text: TextRenderer, buttons: list[Button], size: int, centre_x: int, y: int, *, min_w: int,
               min_h: int, max_row_w: int, gap: int, min_size: int = 16) -> int:
    """Lay ``buttons`` (labels set) out in one centred row of equal buttons that hold their labels: as wide
    as the widest label plus padding (at least ``min_w``), the row no wider than ``max_row_w`` (the labels
    shrink first). Returns the label size every button is drawn at."""
    k = text.scale.factor
    pad_x, pad_y = round(44 * k), round(16 * k)
    n = len(buttons)
    widest = max(1, (max_row_w - gap * (n - 1)) // n - pad_x)
    size = label_size(text, [b.label for b in buttons], size, widest, min_size)
    label_w = max(text.size(b.label, size, "bold")[0] for b in buttons)
    label_h = text.size(buttons[0].label, size, "bold")[1]
    w = min(max(min_w, label_w + pad_x), (max_row_w - gap * (n - 1)) // n)
    h = max(min_h, label_h + pad_y)
    x = centre_x - (n * w + (n - 1) * gap) // 2
    for i, b in enumerate(buttons):
        b.rect = Rect(x + i * (w + gap), y, w, h)
    return size


def draw_button(surface: pygame.Surface, text: TextRenderer, button: Button, colours: dict[str, tuple[int, int, int]],
                size: int, placed: Placements | None = None) -> None:
    """Draw ``button`` and record its label's box against the button's."""
    drawn = button.draw(surface, text, colours, size)
    if placed is not None:
        placed.buttons.append(button)
        if drawn is not None:
            where, _ = drawn
            placed.add(f"button:{button.id}", button.label, where, pygame.Rect(button.rect.as_tuple()))
