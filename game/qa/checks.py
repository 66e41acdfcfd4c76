"""Checks of a rendered screen for review: real content (not a blank or flat frame) and no missing glyphs."""

from __future__ import annotations

import numpy as np
import pygame

from game.ui.text import TextRenderer


def pixels(surface: pygame.Surface) -> np.ndarray:
    """(h, w, 3) uint8 copy of a surface."""
    return pygame.surfarray.array3d(surface).swapaxes(0, 1).copy()


def content_problems(rgb: np.ndarray) -> list[str]:
    """Why a frame looks empty: few colours, one colour over half the frame, or detail in few places."""
    h, w, _ = rgb.shape
    problems = []
    packed = (rgb[..., 0].astype(np.uint32) << 16) | (rgb[..., 1].astype(np.uint32) << 8) | rgb[..., 2]
    values, counts = np.unique(packed, return_counts=True)
    if len(values) <= 500:  # a flat fill or a placeholder has a handful
        problems.append(f"only {len(values)} distinct colours")
    if counts.max() / packed.size >= 0.5:
        problems.append(f"one colour covers {counts.max() / packed.size:.0%}")
    grey = rgb.mean(axis=2)
    edges = (np.abs(np.diff(grey, axis=1)) > 24)[:-1, :] | (np.abs(np.diff(grey, axis=0)) > 24)[:, :-1]
    tiles = [edges[y:y + h // 4, x:x + w // 4].mean() for y in range(0, h - 1, h // 4) for x in range(0, w - 1, w // 4)]
    busy = sum(1 for t in tiles if t > 0.002)
    if busy < 10:  # detail everywhere, not one busy corner
        problems.append(f"only {busy}/16 tiles have any detail")
    return problems


def drawn_strings(text: TextRenderer) -> list[str]:
    """The strings the renderer has drawn recently (its cache: text, size, colour, face)."""
    return [key[0] for key in text._cache]


def missing_glyphs(text: TextRenderer) -> set[str]:
    """Characters drawn that neither the bundled font nor the fallback font has (they show as boxes)."""
    missing: set[str] = set()
    chars = text._faces["sans"].chars
    for s in drawn_strings(text):
        for ch in s:
            if ch.isspace() or (chars is not None and ch in chars):
                continue
            metrics = text._fallback(24).metrics(ch)
            if not metrics or metrics[0] is None:
                missing.add(ch)
    return missing
