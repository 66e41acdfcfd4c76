"""The hue of a print's ink relative to its card: a colour check that white balance does not move.

A pixel of ink on a card, seen through a camera, is ``gain * (a * ink + (1 - a) * card)`` per
channel: ``a`` is how much of the pixel the stroke covers (anti-aliasing, blur, small views, JPEG's
halved colour resolution), ``gain`` the white balance and exposure. Divided by the card seen in the
same view, ``pixel / card - 1 = a * (ink / card - 1)``: the gains cancel, and the coverage only
scales the vector. So the direction of its chroma (the vector with its grey component removed) is
the ink's hue relative to its card, the same under a colour cast, in dim light and in a blurred or
small view, while red ink is about 38 degrees from gold ink and 110 from green.

The absolute colour model (``ReferenceModel.likelihood``) cannot tell red from gold: its hue bins
are 22.5 degrees wide and smoothed into their neighbours, so that a cast does not move the ink out
of them. This check is what tells neighbouring ink colours apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

# Chroma of a BGR contrast: (red - green, red + green - 2 blue), orthonormal, orthogonal to grey.
_CHROMA = np.array([[0.0, -1.0, 1.0], [-2.0, 1.0, 1.0]], np.float32) / np.float32([[math.sqrt(2.0)], [math.sqrt(6.0)]])
# Chroma is compared after a Gaussian of this sigma (sampling-grid px): JPEG stores colour at half
# resolution, and a stroke's colour spreads beyond the stroke's pixels.
SIGMA = 1.0
# A view whose ink hue is further than this from the reference's (median over the ink, weighted by
# chroma) shows another ink. True views on the generalisation set's train and val splits stay within
# 21 degrees (glare clipping a gold stroke's red channel, colour casts: 19), save one 49-px
# motion-blurred view (36); red is 38 degrees from gold, the closest pair of the set's inks.
MAX_HUE_OFFSET = 30.0
_COS_MAX = math.cos(math.radians(MAX_HUE_OFFSET))
# Grey ink: a view's ink whose chroma exceeds this share of its grey level is coloured (true views of
# black marks on train and val: at most 0.16; red ink about 0.9).
_TAN_MAX = math.tan(math.radians(MAX_HUE_OFFSET))
# ``_contrast``'s affine transform before its columns are divided by the card colour: the chroma
# rows, then the mean of the three channels minus one.
_AFFINE = np.zeros((3, 4), np.float32)
_AFFINE[:2, :3] = _CHROMA
_AFFINE[2, :3] = 1.0 / 3.0
_AFFINE[2, 3] = -1.0


def _card_colour(patch: np.ndarray, card: np.ndarray) -> np.ndarray | None:
    """Median BGR of the ``card`` pixels (flat indices) of ``patch``, float32; None without enough card."""
    if card.size < 8:
        return None
    px = np.ascontiguousarray(np.take(patch.reshape(-1, 3), card, axis=0).T)  # (3, N)
    k = card.size // 2
    px.partition(k, axis=1)
    return px[:, k].astype(np.float32)


def _contrast(patch: np.ndarray, card: np.ndarray) -> np.ndarray | None:
    """(H * W, 3) chroma and grey level of ``patch / card - 1`` after the ``SIGMA`` blur; None without card.

    Columns: the two chroma components, then the mean of the three channels (negative for ink
    darker than the card). One affine transform of the patch, its columns divided by the card colour
    (the chroma rows are orthogonal to grey, so the ``- 1`` only shifts the grey level).
    """
    colour = _card_colour(patch, card)
    if colour is None:
        return None
    divisor = np.ones(4, np.float32)
    divisor[:3] = np.maximum(colour, 1.0)
    c = cv2.GaussianBlur(cv2.transform(patch.astype(np.float32, copy=False), _AFFINE / divisor), (0, 0), SIGMA)
    return c.reshape(-1, 3)


@dataclass(frozen=True)
class InkHue:
    """The reference's ink chroma at one sampling grid, relative to its card."""

    ink: np.ndarray  # (H, W) bool: ink pixels of the grid
    ink_idx: np.ndarray  # flat indices of the ink pixels
    card_idx: np.ndarray  # flat indices of the card pixels, away from the ink
    chroma: np.ndarray  # (N, 2) reference chroma at each ink pixel (a grey stroke has none: no say on hue)
    grey: bool  # the ink is grey (black, grey): the view's ink must be grey too
    # ``chroma``'s two components as contiguous rows and its squared norm per pixel (per view, only
    # the view's side of the comparison is computed)
    chroma_rows: np.ndarray  # (2, N)
    chroma_sq: np.ndarray  # (N,)

    @classmethod
    def build(cls, reference: np.ndarray, ink: np.ndarray, grey: bool = False) -> InkHue:
        """From the reference resized to the grid (BGR), its ink mask on that grid and whether the ink is grey."""
        card = ~(cv2.dilate(ink.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0)
        ink_idx, card_idx = np.flatnonzero(ink), np.flatnonzero(card)
        c = _contrast(reference, card_idx)
        chroma = np.zeros((ink_idx.size, 2), np.float32) if c is None else c[ink_idx, :2]
        rows = np.ascontiguousarray(chroma.T)
        return cls(ink, ink_idx, card_idx, chroma, grey, rows, rows[0] * rows[0] + rows[1] * rows[1])

    def agreement(self, patch: np.ndarray, inside: np.ndarray | None = None) -> float:
        """Share of the view's ink chroma whose hue is within ``MAX_HUE_OFFSET`` of the reference's.

        ``patch`` is the view warped onto the grid (BGR); ``inside`` limits the comparison to the
        grid pixels inside the frame. Each ink pixel weighs its chroma in the view times that in
        the reference, so a thumb or a glare spot over part of the ink moves the share little; a
        share of at least a half means the weighted median hue offset is within the bound.
        1.0 when the view has no chroma to compare (a grey copy is the colour model's to refuse).

        For grey ink, the share of the view's ink contrast (weighted by its grey level) whose
        chroma is at most ``tan(MAX_HUE_OFFSET)`` of its grey level: red ink has about 0.9 of it.
        """
        card = self.card_idx if inside is None else self.card_idx[inside.ravel()[self.card_idx]]
        cl = _contrast(patch, card)
        if cl is None:
            return 1.0
        x, y, grey = np.ascontiguousarray(np.take(cl, self.ink_idx, axis=0).T)  # the view's chroma, grey level
        sq = x * x + y * y
        if self.grey:
            level = np.abs(grey)
            if inside is not None:
                level = level * inside.ravel()[self.ink_idx]
            total = float(level.sum())
            if total <= 1e-9:
                return 1.0
            return float(level[sq <= (_TAN_MAX * level) ** 2].sum()) / total
        dot = x * self.chroma_rows[0] + y * self.chroma_rows[1]
        norms = np.sqrt(sq * self.chroma_sq)
        if inside is not None:
            norms *= inside.ravel()[self.ink_idx]
        total = float(norms.sum())
        if total <= 1e-9:
            return 1.0
        return float(norms[dot >= _COS_MAX * norms].sum()) / total
