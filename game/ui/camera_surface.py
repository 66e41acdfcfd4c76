"""The live camera image as a pygame surface, refreshed once per camera frame (pygame side).

The vision worker hands over each frame already scaled to the view and laid out as B,G,R,A bytes,
which is how a 32-bit little-endian screen stores its pixels. This keeps one opaque surface in the
display's format and copies the bytes straight into it, so showing a new camera frame is one memory
copy and drawing it at 60 Hz is a plain opaque blit (no per-pixel alpha, no format conversion).
A display with another layout gets a converted surface instead.
"""

from __future__ import annotations

import numpy as np
import pygame

BGRX_MASKS = (0xFF0000, 0xFF00, 0xFF)  # 32-bit pixels whose bytes in memory are B, G, R, X


class CameraSurface:
    """One display-format surface that always holds the latest camera frame shown."""

    def __init__(self) -> None:
        self.surface: pygame.Surface | None = None

    def show(self, pixels: np.ndarray) -> pygame.Surface:
        """Put an H×W×4 B,G,R,A uint8 frame on the surface (allocated on the first frame or a new size)."""
        h, w = pixels.shape[:2]
        surf = self.surface
        if surf is None or surf.get_size() != (w, h):
            surf = self.surface = pygame.Surface((w, h)).convert()
        if surf.get_bitsize() == 32 and surf.get_masks()[:3] == BGRX_MASKS and surf.get_pitch() == w * 4:
            _copy_into(surf, pixels)
        else:
            surf.blit(pygame.image.frombuffer(np.ascontiguousarray(pixels), (w, h), "BGRA"), (0, 0))
        return surf

    def drop(self) -> None:
        """Forget the surface and the frame on it (no camera frame outlives the scene)."""
        self.surface = None


def _copy_into(surf: pygame.Surface, pixels: np.ndarray) -> None:
    # the buffer view locks the surface; it is released when this function returns
    view = np.frombuffer(surf.get_view("0"), np.uint8).reshape(pixels.shape)
    np.copyto(view, pixels)
