"""Fonts and text: bundled CJK fonts loaded by path, per-character fallback, cached renders."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pygame

from game.ui.display import TextScale
from game.ui.fonts import FACES, FONTS_DIR, Face, load_face

__all__ = ["FACES", "FONTS_DIR", "Colour", "Face", "PlacedText", "TextRenderer", "edge_fade", "inked", "load_face",
           "split_runs", "wrap_words"]

Colour = tuple[int, int, int] | tuple[int, int, int, int]


@dataclass(frozen=True)
class PlacedText:
    """One text a scene drew: the box of its glyphs and the box it must stay inside (a panel, a button),
    both in the coordinates of ``space`` ("screen", or a scrolling panel's own content surface).
    Scenes keep a list of these so layout tests measure what was really drawn."""

    role: str
    text: str
    rect: pygame.Rect
    box: pygame.Rect
    space: str = "screen"


def inked(image: pygame.Surface, at: tuple[int, int]) -> pygame.Rect:
    """The box of the glyphs actually drawn (a text line's leading left out), where ``image`` went."""
    return image.get_bounding_rect().move(at)


@lru_cache(maxsize=32)
def edge_fade(width: int, height: int, colour: Colour, top: bool = False) -> pygame.Surface:
    """A strip of a panel's ``colour``, clear at the text's side and opaque at the edge: laid over the foot
    (or, with ``top``, the head) of a scrolling text view, a line the edge cuts fades out instead of showing
    half its glyphs, and the fade itself says there is more that way. Cached: blit it, never draw on it."""
    strip = pygame.Surface((width, height), pygame.SRCALPHA)
    for y in range(height):
        k = y / max(1, height - 1)
        strip.fill((*colour[:3], round(255 * k)), (0, height - 1 - y if top else y, width, 1))
    return strip


def split_runs(text: str, chars: frozenset[str] | None) -> list[tuple[str, bool]]:
    """Split into runs of (substring, covered by the primary font)."""
    if chars is None:
        return [(text, True)] if text else []
    runs: list[tuple[str, bool]] = []
    for ch in text:
        ok = ch in chars or ch.isspace()
        if runs and runs[-1][1] == ok:
            runs[-1] = (runs[-1][0] + ch, ok)
        else:
            runs.append((ch, ok))
    return runs


NO_LINE_START = frozenset("，。、；：？！）」』】》〉”’…·,.;:?!)")


def _is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def wrap_words(text: str, fits: Callable[[str], bool], max_lines: int | None = None) -> list[str]:
    """Greedy line wrapping: English breaks at spaces, CJK anywhere; '\\n' forces a break.

    ``fits(line) -> bool`` says whether a candidate line fits the width. Overflowing text is
    ended with an ellipsis when ``max_lines`` is reached, never clipped mid-glyph.
    """
    lines: list[str] = []
    for para in text.split("\n"):
        tokens: list[str] = []
        word = ""
        for ch in para:
            if ch == " " or _is_cjk(ch):
                if word:
                    tokens.append(word)
                    word = ""
                tokens.append(ch)
            else:
                word += ch
        if word:
            tokens.append(word)
        line = ""
        for tok in tokens:
            candidate = line + tok
            if not line or fits(candidate.rstrip()):
                line = candidate
            elif tok in NO_LINE_START and len(line) > 1 and _is_cjk(line[-1]):
                # CJK line-breaking rule: closing punctuation never starts a line; take a character along
                lines.append(line[:-1].rstrip())
                line = line[-1] + tok
            else:
                lines.append(line.rstrip())
                line = tok.lstrip()
        lines.append(line.rstrip())
    if max_lines is not None and len(lines) > max_lines:
        kept = lines[:max_lines]
        last = kept[-1]
        while last and not fits(last + "…"):
            last = last[:-1]
        kept[-1] = last.rstrip() + "…"
        return kept
    return lines


class TextRenderer:
    """Renders text with the bundled fonts. Create after ``pygame.font.init()``.

    Font objects and rendered surfaces are cached (LRU), so a label costs one blit per frame.
    Sizes are logical pixels; the ``scale`` (text size and UI scale settings, game/ui/display.py)
    maps each to the pixel size drawn, and ``smallest_px`` records the smallest one drawn.
    """

    def __init__(self, fonts_dir: Path = FONTS_DIR, cache_size: int = 1024, scale: TextScale | None = None) -> None:
        if not pygame.font.get_init():
            raise RuntimeError("TextRenderer needs pygame.font.init() first")
        self._faces = {name: load_face(name, fonts_dir) for name in FACES}
        self._fonts: dict[tuple[str | None, int], pygame.font.Font] = {}
        self._cache: OrderedDict[tuple, pygame.Surface] = OrderedDict()
        self._cache_size = cache_size
        self._fit_cache: dict[tuple, int] = {}
        self.hits = 0
        self.misses = 0
        self.generation = 0  # bumped when the scale changes, for scenes that cache painted pages
        self.scale = scale or TextScale()
        self.smallest_px: int | None = None

    def set_scale(self, scale: TextScale) -> None:
        """Change the text size live; cached renders and fits are dropped (scenes repaint on change)."""
        if scale != self.scale:
            self.scale = scale
            self._cache.clear()
            self._fit_cache.clear()
            self.generation += 1

    def px(self, size: int) -> int:
        return self.scale.px(size)

    def size_for_px(self, px: int) -> int:
        """The size to ask for so text is drawn ``px`` tall whatever the text scale (lettering that is part
        of a fixed-size picture, such as a seal); the scale's floor still applies."""
        return max(1, round(px / self.scale.factor))

    def clear_cache(self) -> None:
        """Forget every rendered string (a kiosk wipe: the last visitor's totals were drawn here)."""
        self._cache.clear()
        self._fit_cache.clear()

    def cached_texts(self) -> list[str]:
        return [key[0] for key in self._cache]

    def font(self, face: str, size: int) -> pygame.font.Font:
        size = self.px(size)
        key = (face, size)
        if key not in self._fonts:
            path = self._faces[face].path if face in self._faces else None
            self._fonts[key] = pygame.font.Font(path, size)
        return self._fonts[key]

    def _fallback(self, size: int) -> pygame.font.Font:
        size = self.px(size)
        key = (None, size)
        if key not in self._fonts:
            self._fonts[key] = pygame.font.Font(None, round(size * 1.15))
        return self._fonts[key]

    def size(self, text: str, size: int, face: str = "sans") -> tuple[int, int]:
        width, height = 0, self.font(face, size).get_linesize()
        for run, ok in split_runs(text, self._faces[face].chars):
            font = self.font(face, size) if ok else self._fallback(size)
            width += font.size(run)[0]
        return width, height

    def render(self, text: str, size: int, colour: Colour, face: str = "sans") -> pygame.Surface:
        key = (text, size, colour, face)
        cached = self._cache.get(key)
        if cached is not None:
            self.hits += 1
            self._cache.move_to_end(key)
            return cached
        self.misses += 1
        if text.strip():
            drawn = self.px(size)
            self.smallest_px = drawn if self.smallest_px is None else min(self.smallest_px, drawn)
        surf = self._render_uncached(text, size, colour, face)
        self._cache[key] = surf
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return surf

    def _render_uncached(self, text: str, size: int, colour: Colour, face: str) -> pygame.Surface:
        primary = self.font(face, size)
        runs = split_runs(text, self._faces[face].chars)
        if len(runs) <= 1 and (not runs or runs[0][1]):
            return primary.render(text or " ", True, colour)
        parts = [(primary if ok else self._fallback(size)).render(run, True, colour) for run, ok in runs]
        height = primary.get_linesize()
        out = pygame.Surface((sum(p.get_width() for p in parts), height), pygame.SRCALPHA)
        x = 0
        for part in parts:
            out.blit(part, (x, (height - part.get_height()) // 2))
            x += part.get_width()
        return out

    def fit(
        self, text: str, size: int, max_width: int, colour: Colour, face: str = "sans", min_size: int = 14
    ) -> pygame.Surface:
        """One line that never exceeds ``max_width``: shrink down to ``min_size``, then end with an ellipsis."""
        fitted = self.fit_size(text, size, max_width, face, min_size)
        if self.size(text, fitted, face)[0] <= max_width:
            return self.render(text, fitted, colour, face)
        return self.render(self.wrap(text, fitted, max_width, face, max_lines=1)[0], fitted, colour, face)

    def fit_size(self, text: str, size: int, max_width: int, face: str = "sans", min_size: int = 14) -> int:
        """The largest size <= ``size`` (not below ``min_size``) at which ``text`` fits one line."""
        width = self.size(text, size, face)[0]
        if width <= max_width or size <= min_size:
            return size
        guess = max(min_size, min(size - 1, int(size * max_width / width)))
        while guess > min_size and self.size(text, guess, face)[0] > max_width:
            guess -= 1
        return guess

    def paragraph_size(
        self, text: str, size: int, width: int, max_lines: int, face: str = "sans", min_size: int = 14
    ) -> int:
        """The largest size <= ``size`` at which ``text`` wraps into ``max_lines`` lines of ``width``, none
        wider than ``width`` (``min_size`` if none does: the caller's max_lines then ellipsises)."""
        key = (text, size, width, max_lines, face, min_size)
        cached = self._fit_cache.get(key)
        if cached is not None:
            return cached
        found = min_size
        for candidate in range(size, min_size - 1, -1):
            lines = self.wrap(text, candidate, width, face)
            if len(lines) <= max_lines and all(self.size(line, candidate, face)[0] <= width for line in lines):
                found = candidate
                break
        if len(self._fit_cache) > 4096:
            self._fit_cache.clear()
        self._fit_cache[key] = found
        return found

    def draw_fitted_paragraph(
        self,
        surface: pygame.Surface,
        text: str,
        pos: tuple[int, int],
        width: int,
        size: int,
        colour: Colour,
        face: str = "sans",
        line_spacing: float = 1.3,
        max_lines: int = 2,
        min_size: int = 14,
    ) -> int:
        """Wrap into at most ``max_lines`` lines, shrinking the size first so nothing is cut; return height."""
        fitted = self.paragraph_size(text, size, width, max_lines, face, min_size)
        return self.draw_paragraph(surface, text, pos, width, fitted, colour, face, line_spacing, max_lines)

    def wrap(self, text: str, size: int, width: int, face: str = "sans", max_lines: int | None = None) -> list[str]:
        return wrap_words(text, lambda line: self.size(line, size, face)[0] <= width, max_lines)

    def draw_paragraph_inked(
        self,
        surface: pygame.Surface,
        text: str,
        pos: tuple[int, int],
        width: int,
        size: int,
        colour: Colour,
        face: str = "sans",
        line_spacing: float = 1.35,
        max_lines: int | None = None,
    ) -> tuple[int, pygame.Rect]:
        """``draw_paragraph`` that also returns the box of the glyphs it drew: (height used, ink box)."""
        y = pos[1]
        step = round(self.px(size) * line_spacing)
        ink: pygame.Rect | None = None
        for line in self.wrap(text, size, width, face, max_lines):
            image = self.render(line, size, colour, face)
            surface.blit(image, (pos[0], y))
            box = inked(image, (pos[0], y))
            if box.width:
                ink = box if ink is None else ink.union(box)
            y += step
        return y - pos[1], ink if ink is not None else pygame.Rect(pos, (0, 0))

    def draw_paragraph(
        self,
        surface: pygame.Surface,
        text: str,
        pos: tuple[int, int],
        width: int,
        size: int,
        colour: Colour,
        face: str = "sans",
        line_spacing: float = 1.35,
        max_lines: int | None = None,
    ) -> int:
        """Draw wrapped text; return the height used."""
        y = pos[1]
        step = round(self.px(size) * line_spacing)
        for line in self.wrap(text, size, width, face, max_lines):
            surface.blit(self.render(line, size, colour, face), (pos[0], y))
            y += step
        return y - pos[1]
