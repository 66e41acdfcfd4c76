"""Linear motion blur: the kernel, and verification templates blurred the way a moving print is.

A print moved during the exposure is smeared along the motion. A small, fast-moving view then
no longer correlates with the sharp template cell by cell, though it is plainly the mark; its
correlation with the template smeared the same way stays high. ``BlurBank`` holds the template
under a bank of lengths and directions, and picks the one that explains a patch best.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from game.vision.align import VerifyTemplate, match_score
from game.vision.planes import deplane

LENGTHS = (3.0, 5.0, 8.0, 12.0, 16.0)  # 64-px template px: 9 frame px of blur on a 36-px view is 16
ANGLES = tuple(float(a) for a in range(0, 180, 15))
MIN_SIDE = 24  # a template narrower than this keeps too few rows to compare once cropped (a long wordmark)


def motion_kernel(length: float, angle_deg: float) -> np.ndarray | None:
    """Normalised kernel of a straight motion of ``length`` px; None below 1.5 px (no visible blur)."""
    if length < 1.5:
        return None
    n = math.ceil(length) | 1
    k = np.zeros((n, n), np.float32)
    c = n // 2
    dx, dy = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    cv2.line(k, (round(c - dx * length / 2), round(c - dy * length / 2)),
             (round(c + dx * length / 2), round(c + dy * length / 2)), 1.0, 1, cv2.LINE_AA)
    return k / max(1e-6, float(k.sum()))


def motion_blur(img: np.ndarray, length: float, angle_deg: float) -> np.ndarray:
    """Linear motion blur of the given length (px) and direction."""
    k = motion_kernel(length, angle_deg)
    return img if k is None else cv2.filter2D(img, -1, k)


def turned_motion(length: float, angle_deg: float, u: np.ndarray) -> tuple[float, float]:
    """A motion (length, angle) in the template of pose ``h``, seen from the template of pose ``h @ u``.

    ``u`` maps the second template's reference coordinates into the first's (a turn and shift of
    the mark onto itself), so a direction there is ``u``'s linear part inverted, applied here.
    """
    a = math.radians(angle_deg)
    lin = np.linalg.inv(np.asarray(u, np.float64)[:2, :2] / float(u[2, 2]))
    dx, dy = lin @ np.array([math.cos(a), math.sin(a)]) * length
    return math.hypot(dx, dy), math.degrees(math.atan2(dy, dx))


@dataclass(frozen=True)
class BlurBank:
    """A verification template under each of a bank of motion blurs (in template px).

    Each blur is compared on the template's interior only, half its length in from the edges
    (at most a quarter of the side): there the frame's print is smeared into its surroundings
    (a dark rim on a white card before a darker wall), which the template cannot know.
    """

    kernels: tuple[tuple[float, float], ...]  # (length, angle) per entry
    margins: tuple[tuple[int, int], ...]  # interior crop (x, y) per entry
    templates: tuple[VerifyTemplate, ...]  # of the cropped, blurred template
    units: tuple[np.ndarray, ...]  # per length: its entries' deplaned unit pixels, float32 (K, N)

    @classmethod
    def build(cls, tmpl: np.ndarray, lengths: tuple[float, ...] = LENGTHS,
              angles: tuple[float, ...] = ANGLES) -> BlurBank:
        if min(tmpl.shape[:2]) < MIN_SIDE:
            raise ValueError(f"a blur bank needs a template of at least {MIN_SIDE} px a side, not {tmpl.shape}")
        t = tmpl.astype(np.float32)
        kernels, margins, vts, units = [], [], [], []
        th, tw = t.shape
        for length in lengths:
            m = math.ceil(length / 2) + 1
            m = (min(m, tw // 4), min(m, th // 4))
            group = [VerifyTemplate.build(_crop(motion_blur(t, length, a), m)) for a in angles]
            kernels += [(length, a) for a in angles]
            margins += [m] * len(angles)
            vts += group
            units.append(np.stack([v.unit for v in group]))
        return cls(tuple(kernels), tuple(margins), tuple(vts), tuple(units))

    def best(self, patch: np.ndarray) -> int | None:
        """Index of the blur whose template correlates best with ``patch`` (None: a flat patch)."""
        return self.best_fit(patch)[0]

    def best_fit(self, patch: np.ndarray) -> tuple[int | None, float]:
        """``best`` and its plain correlation ``c``, which bounds its ``score``: at most ``(1 + c) / 2``.

        (``match_score`` is the mean of this correlation and that of the kept pixels, at most 1.)
        """
        patch = patch.astype(np.float32, copy=False)
        best, top, start = None, -np.inf, 0
        for units in self.units:
            b = deplane(_crop(patch, self.margins[start]).ravel(), self.templates[start].plane)
            m, s = cv2.meanStdDev(b)
            if s[0, 0] < 2.0:
                return None, 0.0
            # One (K x N) product gives the plain correlation of every direction of this length;
            # the full (trimmed, cell-gated) score is then computed for the best blur only.
            nc = units @ ((b - np.float32(m[0, 0])) / np.float32(s[0, 0]))
            i = int(np.argmax(nc))
            if nc[i] / b.size > top:
                best, top = start + i, float(nc[i]) / b.size
            start += len(units)
        return best, top

    def score(self, patch: np.ndarray, index: int | None = None) -> float:
        """``match_score`` of ``patch`` against blur ``index`` (default: the best-fitting one; 0 when flat)."""
        i = self.best(patch) if index is None else index
        if i is None:
            return 0.0
        return match_score(self.templates[i], _crop(patch.astype(np.float32, copy=False), self.margins[i]))


def _crop(img: np.ndarray, margin: tuple[int, int]) -> np.ndarray:
    mx, my = margin
    return np.ascontiguousarray(img[my:img.shape[0] - my, mx:img.shape[1] - mx])
