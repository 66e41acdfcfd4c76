"""White-patch colour constancy: undo a camera's white-balance error before colour cues are used.

The colour model of a reference expects its card and ink colours as printed. A webcam with a
fixed or wrong white balance (tungsten lobby light, shade) tints a white card peach or blue,
which puts it outside the model's card bins, so the card regions vanish (bench targets under
such a cast: recall 0.85 -> 0.51, docs/vision-heldout.md). The brightest pixels of a scene are
usually white surfaces, lamps or the card itself; their colour estimates the illuminant.
"""

from __future__ import annotations

import cv2
import numpy as np

LUMA = np.array([0.114, 0.587, 0.299], np.float32)  # BGR


def white_patch_gains(bgr: np.ndarray, min_ratio: float, max_gain: float = 1.6) -> np.ndarray | None:
    """Per-channel (BGR) gains that make the brightest 1 % of pixels grey, or None.

    None when the bright pixels are already near grey (their channel ratio is below ``min_ratio``)
    or too dark to judge. Gains are >= 1 (the weaker channels are raised) and capped.
    """
    sub = bgr[::4, ::4].reshape(-1, 3).astype(np.float32)
    if len(sub) < 100:
        return None
    luma = sub @ LUMA
    k = int(0.99 * (len(luma) - 1))
    cut = float(np.partition(luma, k)[k])
    m = sub[luma >= cut].mean(0)
    if float(m.min()) < 20.0 or float(m.max() / m.min()) < min_ratio:
        return None
    return np.clip(float(m.max()) / m, 1.0, max_gain).astype(np.float32)


def apply_gains(bgr: np.ndarray, gains: np.ndarray) -> np.ndarray:
    """The image with each channel scaled (saturating uint8)."""
    return cv2.transform(bgr, np.diag(gains).astype(np.float32))
