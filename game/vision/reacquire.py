"""Re-acquisition hypotheses: where a print just lost by the tracker has moved to.

A print that comes back after a dropout (lowered, covered by a hand) usually keeps its size
and turn within a few per cent and degrees but shows up tens of pixels away, too far for the
tracker's alignment from the old pose, and the detector's own hypotheses may miss it (a pale
card on a pale wall, bigger clutter). So the reference is drawn at the last pose, and
normalised cross-correlation over a coarse pyramid level finds where that appearance now is.
The results are only hypotheses: the detector aligns and verifies them like any other.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from game.vision.align import FramePyramid
from game.vision.geometry import long_side, project, ref_corners, scale_mat, translate_mat

SEARCH_SIDE = 64.0  # longest side of the print at the search level (the pyramid level is chosen for it)
SCALES = (0.88, 1.0, 1.13)  # size changes tried about the old pose's centre
REACH = 1.0  # how far it is looked for, in print sizes from where it was
MIN_NCC = 0.3  # a peak below this is background
MIN_SIDE_PX = 8  # a print drawn smaller than this at the search level has no shape to match


def appearance_hypotheses(pyr: FramePyramid, template: np.ndarray, k: float, h_last: np.ndarray,
                          ref_size: tuple[int, int], max_hyps: int = 2) -> list[np.ndarray]:
    """Poses of the print near its last pose ``h_last`` (reference px -> frame px), best first.

    ``template`` is the reference in the pyramid's grey projection, ``k`` template px per
    reference px. Each hypothesis is the last pose rescaled about its centre and shifted.
    """
    corners = ref_corners(*ref_size)
    quad = project(h_last, corners)
    apparent = long_side(quad)
    if not np.isfinite(apparent) or apparent <= 0:
        return []
    level = max(0, math.ceil(math.log2(apparent / SEARCH_SIDE)))  # the print at most SEARCH_SIDE px
    img, f = pyr.level(level)
    img = img.astype(np.float32)
    centre = quad.mean(0)
    about = translate_mat(*centre)
    peaks: list[tuple[float, np.ndarray]] = []
    th, tw = template.shape[:2]
    for s in SCALES:
        h_s = about @ scale_mat(s) @ translate_mat(*-centre) @ h_last
        q = project(scale_mat(f) @ h_s, corners)
        x0, y0 = np.floor(q.min(0)).astype(int)
        x1, y1 = np.ceil(q.max(0)).astype(int)
        bw, bh = x1 - x0 + 1, y1 - y0 + 1
        # Only around the old place: a cheaper match with fewer look-alikes.
        reach = round(REACH * max(bw, bh))
        wx0, wy0 = max(0, x0 - reach), max(0, y0 - reach)
        window = img[wy0:min(img.shape[0], y1 + reach + 1), wx0:min(img.shape[1], x1 + reach + 1)]
        if min(bw, bh) < MIN_SIDE_PX or bw >= window.shape[1] or bh >= window.shape[0]:
            continue
        # template px -> reference px -> level px, with the box's corner at the origin
        m = translate_mat(-x0, -y0) @ scale_mat(f) @ h_s @ scale_mat(1.0 / k)
        drawn = cv2.warpPerspective(template, m, (bw, bh), flags=cv2.INTER_LINEAR)
        mask = cv2.warpPerspective(np.ones((th, tw), np.uint8), m, (bw, bh), flags=cv2.INTER_NEAREST)
        inside = mask > 0
        if int(inside.sum()) < MIN_SIDE_PX * MIN_SIDE_PX or float(drawn[inside].std()) < 1.0:
            continue
        # Outside the print the drawing holds its own mean, which adds nothing to the
        # correlation: an unmasked (FFT) match, several times cheaper than a masked one.
        drawn[~inside] = float(drawn[inside].mean())
        res = cv2.matchTemplate(window, drawn, cv2.TM_CCOEFF_NORMED)
        res = np.nan_to_num(res, nan=-1.0, posinf=-1.0, neginf=-1.0)
        radius = max(2, min(bw, bh) // 3)
        for _ in range(max_hyps):
            _, best, _, (px, py) = cv2.minMaxLoc(res)
            if best < MIN_NCC:
                break
            shift = translate_mat((wx0 + px - x0) / f, (wy0 + py - y0) / f)
            peaks.append((float(best), shift @ h_s))
            res[max(0, py - radius):py + radius + 1, max(0, px - radius):px + radius + 1] = -1.0
    peaks.sort(key=lambda t: -t[0])
    return [h for _, h in peaks[:max_hyps]]
