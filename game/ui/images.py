"""Image assets: loaded once after the display exists, converted, cached."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pygame


class ImageCache:
    """Loads each file once; keys include the requested size so scaling also happens once."""

    def __init__(self) -> None:
        if pygame.display.get_surface() is None:
            raise RuntimeError("ImageCache needs the display (convert() requires it)")
        self._cache: dict[tuple[object, ...], pygame.Surface] = {}

    def load(self, path: Path, size: tuple[int, int] | None = None, *, alpha: bool = True) -> pygame.Surface:
        key = ("file", str(path), size, alpha)
        if key not in self._cache:
            surf = pygame.image.load(str(path))
            if size is not None:
                surf = pygame.transform.smoothscale(surf, size)
            self._cache[key] = surf.convert_alpha() if alpha else surf.convert()
        return self._cache[key]

    def cutout(self, path: Path, height: int) -> pygame.Surface:
        """A logo printed on a light card, with the card made transparent (for drawing on colour)."""
        key = ("cutout", str(path), height)
        if key not in self._cache:
            src = pygame.image.load(str(path)).convert_alpha()
            w = round(src.get_width() * height / src.get_height())
            surf = pygame.transform.smoothscale(src, (w, height))
            rgb = pygame.surfarray.pixels3d(surf).astype(np.int16)
            # The card colour is whatever the border is (white or cream); ink is what differs from it.
            border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
            card = np.median(border, axis=0)
            distance = np.abs(rgb - card[None, None, :]).max(axis=2)
            alpha = np.clip((distance - 18) * 4, 0, 255).astype(np.uint8)
            del rgb
            pixels = pygame.surfarray.pixels_alpha(surf)
            pixels[...] = np.minimum(pixels, alpha)
            del pixels
            self._cache[key] = surf
        return self._cache[key]

    def remember(self, key: tuple[object, ...], make: object) -> pygame.Surface:
        """Cache any derived surface (e.g. a pre-rendered panel): ``make`` is a zero-arg callable."""
        if key not in self._cache:
            self._cache[key] = make()  # type: ignore[operator]
        return self._cache[key]

    def retain(self, keep: object) -> int:
        """Drop every entry whose key ``keep(key)`` rejects (a kiosk wipe keeps only visitor-neutral
        drawings). Returns how many were dropped."""
        doomed = [key for key in self._cache if not keep(key)]  # type: ignore[operator]
        for key in doomed:
            del self._cache[key]
        return len(doomed)

    def keys(self) -> list[tuple[object, ...]]:
        return list(self._cache)

    def __len__(self) -> int:
        return len(self._cache)
