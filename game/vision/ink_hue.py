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


def chroma(contrast: np.ndarray) -> np.ndarray:
    """(H, W, 2) chroma of an (H, W, 3) BGR contrast image, float32."""
    return cv2.transform(contrast.astype(np.float32, copy=False), _CHROMA)


def card_contrast(patch: np.ndarray, card: np.ndarray) -> np.ndarray | None:
    """``patch / card - 1`` per channel, the card being the median of the ``card`` pixels; None without card."""
    if int(card.sum()) < 8:
        return None
    colour = np.median(patch[card].reshape(-1, 3), 0).astype(np.float32)
    return patch.astype(np.float32) / np.maximum(colour, 1.0) - 1.0


@dataclass(frozen=True)
class InkHue:
    """The reference's ink chroma at one sampling grid, relative to its card."""

    ink: np.ndarray  # (H, W) bool: ink pixels of the grid
    card: np.ndarray  # (H, W) bool: card pixels, away from the ink
    angle: np.ndarray  # (N,) reference hue (radians) at each ink pixel
    weight: np.ndarray  # (N,) reference chroma at each ink pixel (a grey stroke says nothing of hue)

    @classmethod
    def build(cls, reference: np.ndarray, ink: np.ndarray) -> InkHue:
        """From the reference resized to the grid (BGR) and its ink mask on that grid."""
        grown = cv2.dilate(ink.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
        card = ~grown
        contrast = card_contrast(reference, card)
        c = (cv2.GaussianBlur(chroma(contrast), (0, 0), SIGMA) if contrast is not None
             else np.zeros((*ink.shape, 2), np.float32))[ink]
        return cls(ink, card, np.arctan2(c[:, 1], c[:, 0]), np.hypot(c[:, 0], c[:, 1]))

    def offset(self, patch: np.ndarray, inside: np.ndarray | None = None) -> float:
        """Degrees between the view's ink hue and the reference's (0 when the view cannot say).

        ``patch`` is the view warped onto the grid (BGR); ``inside`` limits the comparison to the
        grid pixels inside the frame. The median over the ink pixels, each weighted by its chroma in
        the view and in the reference, so a thumb or a glare spot over part of the ink moves it little.
        """
        card = self.card if inside is None else self.card & inside
        contrast = card_contrast(patch, card)
        if contrast is None:
            return 0.0
        c = cv2.GaussianBlur(chroma(contrast), (0, 0), SIGMA)[self.ink]
        w = np.hypot(c[:, 0], c[:, 1]) * self.weight
        if inside is not None:
            w = w * inside[self.ink]
        total = float(w.sum())
        if total <= 1e-9:
            return 0.0
        d = np.abs((np.arctan2(c[:, 1], c[:, 0]) - self.angle + np.pi) % (2.0 * np.pi) - np.pi)
        order = np.argsort(d)
        median = d[order][int(np.searchsorted(np.cumsum(w[order]), 0.5 * total))]
        return math.degrees(float(median))
