"""Pose hypotheses for full detection (no history), learnt cues only: nothing logo-specific.

Four generators feed the detector, from the half-size cue maps (``cue_maps``) computed once per
frame (the neutral-ink strokes from the grey search image):

* card regions (``card_regions``, ``card_hypotheses``): printed marks sit on their card (the
  reference's border colour). Card-coloured pixels are grouped into regions; each region gives (a)
  the card's quadrilateral, when its outline is four-sided, in its four cyclic corner orders, and
  (b) an affine pose from the second moments of the ink contrast inside it, with the in-plane
  rotation found by circular correlation of whitened polar signatures (works for line art without
  corners). ``recut_card_hypotheses`` gives the same for the regions cut apart from what they
  merged with (opened by a disk, split by brightness); the detector makes those only when the
  early tries of the best colour hypotheses did not settle the frame;
* ink blobs (``ink_hypotheses``): the same moment/rotation estimate on groups of ink-coloured
  strokes (for marks printed without a visible card, or whose card merges with the background),
  grouped on the half-size map and measured at search resolution; ``strong_ink_hypotheses`` gives
  the same for the most ink-like pixels only (a print on a background near its ink's colour), made
  by the detector only when the early tries did not settle the frame;
* neutral-ink strokes (``neutral_ink_hypotheses``, marks in dark neutral ink only): the same
  moment/rotation estimate on blobs of locally dark thin strokes (a black-hat at the reference's
  stroke width), where a grey photograph leaves the colour cues nothing; made only when the early
  tries did not settle the frame;
* outlines (``outline_hypotheses``): four-cornered outlines in the edge map and, for textured
  references, densely textured patches. They do not use colour, and the detector traces them only
  when the early tries did not settle the frame.

Each hypothesis is a 3x3 homography reference px -> frame px. The detector ranks them with a
cheap correlation and refines only the best few.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from game.vision.geometry import ref_corners
from game.vision.reference import (
    CONTRAST_FLOOR,
    SIG_ANGLES,
    ReferenceModel,
    ShapeModel,
    busy_fraction,
    contrast_weights,
    polar_samples,
    weighted_shape,
)

_SEP = SIG_ANGLES // 12  # peaks at least 30 degrees apart
_ANG = np.arange(SIG_ANGLES)
_NEAR = np.minimum(np.abs(_ANG[:, None] - _ANG[None, :]), SIG_ANGLES - np.abs(_ANG[:, None] - _ANG[None, :])) < _SEP


def peaks(corr: np.ndarray, k: int) -> list[int]:
    """Indices of the k highest circular peaks, at least 30 degrees apart."""
    c = np.array(corr, np.float64)
    out: list[int] = []
    while len(out) < k:
        i = int(np.argmax(c))
        if c[i] == -np.inf:
            break
        out.append(i)
        c[_NEAR[i]] = -np.inf
    return out


def moment_poses(weights: np.ndarray, offset: tuple[float, float], model: ShapeModel, work_scale: float,
                 to_frame: float, n_angles: int) -> list[tuple[float, np.ndarray]]:
    """Affine poses (reference px -> frame px) from a weight patch's moments and polar signature."""
    shape = weighted_shape(weights, offset)
    if shape is None:
        return []
    mean_f, sq_f = shape
    corr = model.correlate(polar_samples(weights, mean_f, sq_f, offset))
    # The 2x2 algebra in plain floats: numpy's per-call overhead dwarfs four multiplications.
    (p, q), (_, r) = sq_f.tolist()
    (i00, i01), (i10, i11) = model.sqrt_cov_inv.tolist()
    mx, my = model.mean.tolist()
    cx, cy = mean_f.tolist()
    out = []
    for kk in peaks(corr, n_angles):
        phi = 2 * math.pi * kk / SIG_ANGLES
        cs, sn = math.cos(phi), math.sin(phi)
        # a = sq_f @ [[cs, -sn], [sn, cs]] @ sqrt_cov_inv; t = mean_f - a @ model.mean
        b00, b01, b10, b11 = p * cs + q * sn, q * cs - p * sn, q * cs + r * sn, r * cs - q * sn
        a00, a01 = b00 * i00 + b01 * i10, b00 * i01 + b01 * i11
        a10, a11 = b10 * i00 + b11 * i10, b10 * i01 + b11 * i11
        t0, t1 = cx - (a00 * mx + a01 * my), cy - (a10 * mx + a11 * my)
        # scale_mat(to_frame) @ affine @ scale_mat(work_scale)
        hm = np.array([[to_frame * a00 * work_scale, to_frame * a01 * work_scale, to_frame * t0],
                       [to_frame * a10 * work_scale, to_frame * a11 * work_scale, to_frame * t1],
                       [0.0, 0.0, 1.0]])
        out.append((float(corr[kk]), hm))
    return out


def quad_from_contour(contour: np.ndarray, min_solidity: float = 0.75,
                      eps_steps: tuple[float, ...] = (0.02, 0.035, 0.05, 0.07, 0.09)) -> np.ndarray | None:
    """Four corners of a roughly quadrilateral outline (via its convex hull), or None."""
    hull = cv2.convexHull(contour)
    area = cv2.contourArea(hull)
    if area < 30:
        return None
    if min_solidity > 0 and cv2.contourArea(contour) < min_solidity * area:  # not solid: not a card outline
        return None
    peri = cv2.arcLength(hull, True)
    for eps in eps_steps:
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            if cv2.contourArea(approx) >= 0.85 * area:  # integer corners: same area as in float
                return approx.reshape(4, 2).astype(np.float64)
            break
        if len(approx) < 4:
            break
    return None


def _same_outline(a: list, b: list, tol: float, turns: int = 4) -> bool:
    """Whether two four-corner outlines (lists of (x, y)) agree within ``tol`` in every coordinate.

    ``a`` is tried in its first ``turns`` cyclic corner orders (1: only as given). Plain Python
    with an early exit: most pairs differ at the first corner.
    """
    for k in range(turns):
        for i in range(4):
            p, r = a[(i + k) % 4], b[i]
            if abs(p[0] - r[0]) >= tol or abs(p[1] - r[1]) >= tol:
                break
        else:
            return True
    return False


def edge_quads(grey: np.ndarray, min_side: float, limit: int, ink_seen: np.ndarray | None = None,
               reach: float = 0.5) -> list[np.ndarray]:
    """Convex four-sided outlines in the edge map of a grey image, busiest inside first.

    Edges are thickened by one pixel so that a border crossed by noise or a thin line stays
    closed; both the outer and the inner side of such a border are kept (RETR_LIST). Outlines
    are ranked by the edge density inside them: a printed mark or poster has strokes inside,
    while the filled or hollow boxes of a busy background are plain inside.

    ``ink_seen`` (a summed-area table over ``grey``'s pixels: those with ink colour) leaves out
    the outlines with no ink-coloured pixel within ``reach`` of their size around their box:
    the detector could not verify the mark there (``detector.INK_REACH``).
    """
    edges = cv2.Canny(grey, 40, 110)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    h, w = grey.shape[:2]
    min_area = max(30.0, min_side * min_side * 0.3)
    found: list[tuple[float, np.ndarray]] = []
    for i, x, y, bw, bh in _sized_boxes(contours, min_side, min_area, 0.8 * w * h, ink_seen, reach):
        c = contours[i]
        # An edge outline is rarely solid (the print's own strokes join its border, clutter
        # touches it), so only the hull's shape counts, and it must be clearly four-cornered.
        q = quad_from_contour(c, min_solidity=0.0, eps_steps=(0.02, 0.035))
        if q is None:
            continue
        mx, my = max(1, bw // 4), max(1, bh // 4)
        inner = edges[y + my:y + bh - my, x + mx:x + bw - mx]
        # Mean of a 0/255 map, counted by cv2 (numpy's mean costs more than the count here).
        found.append((255.0 * cv2.countNonZero(inner) / inner.size if inner.size else 0.0, q))
    found.sort(key=lambda t: -t[0])
    out: list[np.ndarray] = []
    kept: list[list[list[float]]] = []
    for _, q in found:
        # The two sides of one (thickened) border are the same outline (in any corner order).
        pts = q.tolist()
        tol = max(4.0, 0.06 * math.dist(pts[0], pts[2]))
        if any(_same_outline(pts, o, tol) for o in kept):
            continue
        out.append(q)
        kept.append(pts)
        if len(out) >= limit:
            break
    return out


def _sized_boxes(contours: Sequence[np.ndarray], min_side: float, min_area: float, max_area: float,
                 seen: np.ndarray | None = None, reach: float = 0.5) -> list[tuple[int, int, int, int, int]]:
    """(index, x, y, w, h) of the contours of four or more points whose bounding box (``cv2.boundingRect``)
    has a side of at least ``min_side`` and an area between ``min_area`` and ``max_area`` (and,
    with ``seen``, is ``box_inked``).

    One array pass over all the points: an edge map has hundreds of contours, nearly all of them
    small, and a ``boundingRect`` (and ``box_inked``) call and Python's loop per contour cost more
    than this.
    """
    n = len(contours)
    if n == 0:
        return []
    lens = np.fromiter(map(len, contours), np.intp, count=n)
    pts = np.concatenate(contours).reshape(-1, 2)
    starts = np.zeros(n, np.intp)
    np.cumsum(lens[:-1], out=starts[1:])
    x0 = np.minimum.reduceat(pts[:, 0], starts)
    y0 = np.minimum.reduceat(pts[:, 1], starts)
    bw = np.maximum.reduceat(pts[:, 0], starts) - x0 + 1
    bh = np.maximum.reduceat(pts[:, 1], starts) - y0 + 1
    area = bw * bh
    ok = (lens >= 4) & (np.maximum(bw, bh) >= min_side) & (area >= min_area) & (area <= max_area)
    if seen is not None:
        ok &= boxes_inked(seen, x0, y0, bw, bh, reach)
    idx = np.flatnonzero(ok)
    return list(zip(idx.tolist(), x0[idx].tolist(), y0[idx].tolist(), bw[idx].tolist(), bh[idx].tolist(),
                    strict=True))


def boxes_inked(seen: np.ndarray, x: np.ndarray, y: np.ndarray, bw: np.ndarray, bh: np.ndarray,
                reach: float) -> np.ndarray:
    """Per box (x, y, w, h; integer arrays), whether the summed-area table ``seen`` counts a pixel
    within ``reach`` of the box's long side around it."""
    g = np.ceil(reach * np.maximum(bw, bh)).astype(np.intp)
    ih, iw = seen.shape[0] - 1, seen.shape[1] - 1
    xa, ya = np.maximum(0, x - g), np.maximum(0, y - g)
    xb, yb = np.minimum(iw, x + bw + g), np.minimum(ih, y + bh + g)
    corner = [seen[r, c].astype(np.int64) for r, c in ((yb, xb), (ya, xb), (yb, xa), (ya, xa))]
    return corner[0] - corner[1] - corner[2] + corner[3] > 0


def box_inked(seen: np.ndarray, box: tuple[int, int, int, int], reach: float) -> bool:
    """``boxes_inked`` of one box (x, y, w, h)."""
    x, y, bw, bh = (np.array([int(v)], np.intp) for v in box)
    return bool(boxes_inked(seen, x, y, bw, bh, reach)[0])


def texture_quads(bgr: np.ndarray, min_side: float, ref_busy: float, limit: int) -> list[np.ndarray]:
    """Rectangles around patches as busy as a textured reference, busiest first.

    A photo poster's outline is often lost against clutter (its own colours run into the
    background), but its inside stays densely textured at any pose, while a line crossing the
    background makes a band of middling density only. The busy-pixel share is thresholded
    against the reference's own, and once more near full density: lines and text touching the
    poster join it at the first level and drop off at the second. Each region's minimum-area
    rectangle is a first guess of the poster's quad, which alignment then corrects.
    """
    h, w = bgr.shape[:2]
    busy = busy_fraction(bgr)
    ell = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    out: list[np.ndarray] = []
    for thr in (min(0.7, 0.8 * ref_busy), max(0.85, min(0.95, 1.05 * ref_busy))):
        mask = cv2.morphologyEx((busy > thr).astype(np.uint8), cv2.MORPH_OPEN, ell)
        _, lab, st, _ = cv2.connectedComponentsWithStats(mask)
        found: list[tuple[float, int]] = []
        # Size filter on the whole stats table at once: clutter makes hundreds of small components.
        cw, ch, ca = st[1:, cv2.CC_STAT_WIDTH], st[1:, cv2.CC_STAT_HEIGHT], st[1:, cv2.CC_STAT_AREA]
        keep = (np.maximum(cw, ch) >= min_side) & (ca >= 0.3 * min_side * min_side) & (cw * ch <= 0.6 * w * h)
        for j in (np.flatnonzero(keep) + 1).tolist():
            x, y, bw, bh, area = st[j].tolist()
            sel = lab[y:y + bh, x:x + bw] == j
            # Busier first (a poster is busy all over), then bigger and more solid.
            found.append((float(busy[y:y + bh, x:x + bw][sel].mean()) ** 2 * math.sqrt(area * area / (bw * bh)), j))
        found.sort(key=lambda t: -t[0])
        for _, j in found[:limit]:
            x, y, bw, bh = (int(v) for v in st[j, :4])
            cs, _ = cv2.findContours((lab[y:y + bh, x:x + bw] == j).astype(np.uint8), cv2.RETR_EXTERNAL,
                                     cv2.CHAIN_APPROX_SIMPLE)
            c = max(cs, key=cv2.contourArea)
            out.append(cv2.boxPoints(cv2.minAreaRect(c)).astype(np.float64) + np.array([x, y]))
    return out


def tone_split_quads(card: np.ndarray, grey: np.ndarray, min_side: float, min_gap: float,
                     keep: int = 2) -> list[np.ndarray]:
    """Quads of the parts of a card region that are brighter and darker than Otsu's threshold.

    The card colour model forgives white balance and exposure, so a white card held before a
    pale grey wall, or in a glare patch, joins the background in one card-coloured region. The
    two still differ in brightness: when the region's grey levels fall into two classes at least
    ``min_gap`` apart, each class is closed and its largest parts are tried as cards (``card``:
    0/1 card pixels of the region; ``grey`` over the same box).
    """
    vals = grey[card > 0]
    if vals.size < 50:
        return []
    t = cv2.threshold(vals.reshape(1, -1), 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[0]
    bright = vals > t
    n_hi = int(np.count_nonzero(bright))
    if min(n_hi, vals.size - n_hi) < 20:
        return []
    hi = float(vals[bright].mean())
    lo = (float(vals.sum()) - hi * n_hi) / (vals.size - n_hi)
    if hi - lo < min_gap:
        return []
    ell5 = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    above = cv2.threshold(grey, t, 1, cv2.THRESH_BINARY)[1]
    out: list[np.ndarray] = []
    for part in (card & above, card & (1 - above)):
        closed = cv2.morphologyEx(part, cv2.MORPH_CLOSE, ell5)
        cs, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for c in sorted(cs, key=cv2.contourArea, reverse=True)[:4]:
            _, _, w, h = cv2.boundingRect(c)
            if max(w, h) < min_side:
                break
            q = quad_from_contour(c)
            if q is not None:
                out.append(q)
                if len(out) >= keep:
                    return out
    return out


def disk_opening(mask: np.ndarray, radius: float) -> np.ndarray:
    """Morphological opening of a 0/1 mask by a disk of ``radius`` px, at a cost that does not grow with it.

    Two distance transforms (erosion: farther than ``radius`` from the background; dilation:
    within ``radius`` of what is left) instead of ``cv2.morphologyEx`` with an elliptic kernel,
    whose cost grows with the kernel's size: a large card region's opening took 1-3 ms that way.
    Pixels beyond the mask's border count as inside, as for ``cv2.erode``.
    """
    core = cv2.threshold(cv2.distanceTransform(mask, cv2.DIST_L2, cv2.DIST_MASK_5), radius, 1,
                         cv2.THRESH_BINARY)[1].astype(np.uint8)
    if not core.any():
        return core
    near = cv2.distanceTransform(1 - core, cv2.DIST_L2, cv2.DIST_MASK_5)
    return cv2.threshold(near, radius, 1, cv2.THRESH_BINARY_INV)[1].astype(np.uint8)


def card_quad_poses(quad: np.ndarray, ref_size: tuple[int, int], to_frame: float = 1.0) -> list[np.ndarray]:
    """Homographies mapping the reference rectangle onto the quad, for each cyclic corner order.

    Orders whose side-length ratios contradict the reference aspect by far are skipped. The
    homographies map into the quad's coordinates scaled by ``to_frame``.
    """
    w, h = ref_size
    # Clockwise on screen (y down) like the reference corners TL, TR, BR, BL. Four corners:
    # plain Python is several times quicker than numpy's per-call overhead here.
    pts = quad.tolist()
    cx = (pts[0][0] + pts[1][0] + pts[2][0] + pts[3][0]) / 4
    cy = (pts[0][1] + pts[1][1] + pts[2][1] + pts[3][1]) / 4
    pts = sorted(pts, key=lambda p: math.atan2(p[1] - cy, p[0] - cx))
    # Side lengths of the sorted quad: side i joins corner i to corner i + 1.
    sides = [math.dist(pts[i], pts[(i + 1) % 4]) for i in range(4)]
    src = ref_corners(w, h)
    q8 = np.array(pts + pts, np.float32)  # rows s..s+3: the corners starting at corner s (a view, no copy)
    aspect = w / h
    out = []
    for s in range(4):
        # Order starting at corner s: top = sides s and s + 2, left/right = sides s + 1 and s + 3.
        top = sides[s] + sides[(s + 2) % 4]
        side = sides[(s + 1) % 4] + sides[(s + 3) % 4]
        ratio = (top / max(side, 1e-6)) / aspect
        if not (0.4 < ratio < 2.5):
            continue
        hq = cv2.getPerspectiveTransform(src, q8[s:s + 4]).astype(np.float64)
        if to_frame != 1.0:
            hq[:2] *= to_frame  # = scale_mat(to_frame) @ hq
        out.append(hq)
    return out


@dataclass(frozen=True)
class CueMaps:
    """The search image's ink and card cues at half size, shared by the hypothesis generators."""

    ink: np.ndarray  # ink likelihood (uint8)
    ink_mask: np.ndarray  # 0/1: ink likely
    ink_weights: np.ndarray  # the ink likelihood at search resolution, zero below _INK_MIN (uint8)
    grey: np.ndarray  # the grey search image at half size
    card_mask: np.ndarray  # 0/1: card likely
    kx: float  # half px -> search px
    min_side: float  # smallest region side worth a hypothesis, half px


_INK_MIN = 40  # ink likelihood that counts as ink
# The ink level of ``strong_ink_hypotheses``: the most ink-like pixels (likelihood above it). Measured
# with its blobs among the early hypotheses, the generated val marks gained 4, 7 and 2 views at 90,
# 120 and 160 (train 2 each); made late, as now, val 6 gained and 1 lost, train quick 4 gained.
STRONG_INK = 120


def cue_maps(likelihoods: tuple[np.ndarray, np.ndarray], grey_search: np.ndarray, to_frame: float,
             min_side_px: float) -> CueMaps:
    """Half-size cue maps from the full-size (ink, card) likelihoods of the search image.

    Likelihoods at full size, then averaged: colours averaged first (half-size image) mix a red
    stroke with its surroundings into new colours (tried: more hypotheses, no faster).
    """
    ink_u8, card_u8 = likelihoods
    sh, sw = ink_u8.shape[:2]
    half = (max(1, sw // 2), max(1, sh // 2))
    ink = cv2.resize(ink_u8, half, interpolation=cv2.INTER_AREA)
    card = cv2.resize(card_u8, half, interpolation=cv2.INTER_AREA)
    kx = sw / half[0]
    return CueMaps(ink=ink, grey=cv2.resize(grey_search, half, interpolation=cv2.INTER_AREA),
                   ink_mask=cv2.threshold(ink, _INK_MIN, 1, cv2.THRESH_BINARY)[1],
                   ink_weights=cv2.threshold(ink_u8, _INK_MIN, 0, cv2.THRESH_TOZERO)[1],
                   # a bright-enough match: excludes the dark-bin leak
                   card_mask=cv2.threshold(card, 150, 1, cv2.THRESH_BINARY)[1],
                   kx=kx, min_side=min_side_px / to_frame / kx)


@dataclass(frozen=True)
class CardRegion:
    """A card-coloured region of the half-size cue maps: its filled outline (0/1) and the box's corner."""

    fill: np.ndarray
    origin: tuple[int, int]


def card_regions(cues: CueMaps, max_regions: int = 6) -> list[CardRegion]:
    """The largest card-coloured regions that hold ink, biggest and inkiest first.

    Card pixels are closed first, so that the thin strokes printed on the card do not cut it apart.
    """
    ell5 = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    closed = cv2.morphologyEx(cues.card_mask, cv2.MORPH_CLOSE, ell5)
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cand = []
    for c in contours:
        bx, by, bw, bh = cv2.boundingRect(c)
        if max(bw, bh) < cues.min_side or bw * bh < 12:
            continue
        area = cv2.contourArea(c)
        if area < 0.15 * bw * bh:
            continue
        # Rank by size and by how much ink the region holds (a plain white wall holds none).
        inside = cv2.countNonZero(cues.ink_mask[by:by + bh, bx:bx + bw]) / (bw * bh)  # = mean of the 0/1 mask
        cand.append((area * (0.05 + min(inside, 0.3)), c))
    cand.sort(key=lambda t: -t[0])
    out = []
    for _, c in cand[:max_regions]:
        bx, by, bw, bh = cv2.boundingRect(c)
        fill = np.zeros((bh, bw), np.uint8)
        cv2.drawContours(fill, [c], 0, 1, -1, offset=(-bx, -by))
        out.append(CardRegion(fill, (bx, by)))
    return out


def card_hypotheses(ref: ReferenceModel, cues: CueMaps, regions: list[CardRegion], grey_search: np.ndarray,
                    to_frame: float, n_angles: int = 2) -> list[tuple[float, np.ndarray, str]]:
    """Hypotheses from card regions: the card's quad ("card") and ink moments ("moments").

    ``to_frame`` converts search-image px to frame px. Returns (prior score, homography, kind).
    """
    hyps: list[tuple[float, np.ndarray, str]] = []
    for region in regions:
        hyps += _region_hypotheses(ref, cues, region.fill, region.origin, grey_search, to_frame, n_angles)
    return hyps


def recut_card_hypotheses(ref: ReferenceModel, cues: CueMaps, regions: list[CardRegion], grey_search: np.ndarray,
                          to_frame: float, n_angles: int = 2, tone_split: float = 20.0
                          ) -> list[tuple[float, np.ndarray, str]]:
    """``card_hypotheses`` of the card regions cut apart from what they merged with.

    Each region is opened by a disk a fifth of its shorter side, which cuts off arms, sticks and
    fingers glued to the card (the largest part left is tried when it lost at least 3 % of the
    area), and split by brightness (``tone_split_quads`` with gap ``tone_split``; 0: off).
    """
    hyps: list[tuple[float, np.ndarray, str]] = []
    for region in regions:
        fill = region.fill
        (bx, by), (bh, bw) = region.origin, fill.shape
        k = max(3, int(0.18 * min(bw, bh)) | 1)
        if k > 3:
            op = disk_opening(fill, (k - 1) / 2)
            n, lab, st, _ = cv2.connectedComponentsWithStats(op)
            if n > 1:
                j = 1 + int(np.argmax(st[1:, cv2.CC_STAT_AREA]))
                op = (lab == j).astype(np.uint8)
                if op.sum() < 0.97 * fill.sum():
                    hyps += _region_hypotheses(ref, cues, op, region.origin, grey_search, to_frame, n_angles)
        if tone_split > 0:
            box = (slice(by, by + bh), slice(bx, bx + bw))
            for quad in tone_split_quads(fill & cues.card_mask[box], cues.grey[box], cues.min_side, tone_split):
                for hq in card_quad_poses((quad + np.array([bx, by])) * cues.kx, ref.size, to_frame):
                    hyps.append((0.5, hq, "card"))
    return hyps


def _region_hypotheses(ref: ReferenceModel, cues: CueMaps, fill: np.ndarray, origin: tuple[int, int],
                       grey_search: np.ndarray, to_frame: float, n_angles: int) -> list[tuple[float, np.ndarray, str]]:
    """The quad poses of one filled region's outline, when four-sided, and its moment poses."""
    hyps: list[tuple[float, np.ndarray, str]] = []
    vc, _ = cv2.findContours(fill, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not vc:
        return hyps
    quad = quad_from_contour(max(vc, key=cv2.contourArea))
    if quad is not None:
        for hq in card_quad_poses((quad + np.array(origin)) * cues.kx, ref.size, to_frame):
            hyps.append((0.5, hq, "card"))
    model = ref.contrast_shape
    if model is not None:
        hyps += region_moment_poses(ref, model, fill, origin, cues.kx, cues.card_mask, grey_search, to_frame, n_angles)
    return hyps


def outline_hypotheses(ref: ReferenceModel, cues: CueMaps, search: np.ndarray, to_frame: float,
                       max_regions: int = 6, max_edge_quads: int = 8, ref_busy: float | None = None,
                       ink_seen: np.ndarray | None = None, reach: float = 0.5
                       ) -> list[tuple[float, np.ndarray, str]]:
    """Hypotheses without the colour cues: edge outlines and (textured references) busy patches ("edge").

    ``ink_seen``: see ``edge_quads`` (a summed-area table over the half-size cue maps)."""
    kx, min_side = cues.kx, cues.min_side
    half = (cues.ink.shape[1], cues.ink.shape[0])
    # Outlines from edges: a card or poster whose colour merges with the background (cream on a
    # pale wall) still has a visible border.
    quads = []
    if max_edge_quads > 0:
        quads += edge_quads(cues.grey, min_side, max_edge_quads, ink_seen, reach)
    if ref_busy is not None:  # textured references only: densely textured patches
        quads += texture_quads(cv2.resize(search, half, interpolation=cv2.INTER_AREA), min_side, ref_busy, max_regions)
    return [(0.4, hq, "edge") for quad in quads for hq in card_quad_poses(quad * kx, ref.size, to_frame)]


def ink_hypotheses(ref: ReferenceModel, cues: CueMaps, to_frame: float, max_regions: int = 6, n_angles: int = 2,
                   ink_radii: tuple[int, ...] = (2, 5), strong_level: int = 0) -> list[tuple[float, np.ndarray, str]]:
    """Ink blobs (strokes grouped at each gap radius) with moment poses ("ink"), for marks without a visible card.

    Blobs are found on the half-size map; their moments and polar signature are measured at
    search resolution, as those of card regions are (``region_moment_poses``). At half size a
    40-px print's strokes are one pixel wide or fade below the ink threshold, and its signature
    samples a blob of 20 px: its turn and spread come out wrong.

    Pixels count as ink from ``_INK_MIN`` on, or (``strong_level`` > 0) from that level on:
    see ``strong_ink_hypotheses``.
    """
    kx, min_side = cues.kx, cues.min_side
    if strong_level > 0:
        ink_mask = cv2.threshold(cues.ink, strong_level, 1, cv2.THRESH_BINARY)[1]
        if not cv2.countNonZero(ink_mask):
            return []
        weights = cv2.threshold(cues.ink_weights, strong_level, 0, cv2.THRESH_TOZERO)[1]
    else:
        ink_mask, weights = cues.ink_mask, cues.ink_weights
    hyps: list[tuple[float, np.ndarray, str]] = []
    sh, sw = weights.shape[:2]
    seen: list[tuple[int, int, int, int]] = []
    for radius in ink_radii:
        k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
        grown = cv2.dilate(ink_mask, k)
        cs, _ = cv2.findContours(grown, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        bx = [cv2.boundingRect(c) for c in cs]
        order = sorted(range(len(cs)), key=lambda j: -bx[j][2] * bx[j][3])[:max_regions]
        for j in order:
            x, y, bw, bh = bx[j]
            if max(bw, bh) < min_side:
                continue
            if any(abs(x - a) <= 2 and abs(y - b) <= 2 and abs(bw - c) <= 3 and abs(bh - d) <= 3
                   for a, b, c, d in seen):
                continue
            seen.append((x, y, bw, bh))
            fill = np.zeros((bh, bw), np.uint8)
            cv2.drawContours(fill, [cs[j]], 0, 1, -1, offset=(-x, -y))  # not (cs, j): that converts every contour
            x0, y0 = round(x * kx), round(y * kx)
            x1, y1 = min(sw, round((x + bw) * kx)), min(sh, round((y + bh) * kx))
            if x1 - x0 < 4 or y1 - y0 < 4:
                continue
            fill = cv2.resize(fill, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST)
            wts = np.multiply(weights[y0:y1, x0:x1], fill, dtype=np.float32)
            for s, hm in moment_poses(wts, (float(x0), float(y0)), ref.shape, ref.work_scale, to_frame, n_angles):
                hyps.append((s, hm, "ink"))
    return hyps


def strong_ink_hypotheses(ref: ReferenceModel, cues: CueMaps, to_frame: float, max_regions: int = 6,
                          n_angles: int = 2, ink_radii: tuple[int, ...] = (2, 5),
                          level: int = STRONG_INK) -> list[tuple[float, np.ndarray, str]]:
    """``ink_hypotheses`` of the blobs of the most ink-like pixels (likelihood above ``level``).

    A background near the ink's colour (dry grass under a warm cast for gold ink, a red saucer
    or skin for red ink) passes ``_INK_MIN`` all around a print, so its strokes merge with the
    background or a thumb into one blob whose moments are the clutter's; the print's own strokes
    are the most ink-like pixels there and stand apart at this level. On a clean frame the same
    level splits a large print into its strongest strokes, whose partial poses would crowd the
    whole print's out of the ranking: the detector makes these only when the early tries of the
    colour hypotheses did not settle the frame, with the recut card regions and the outlines.
    Only the widest of ``ink_radii`` groups the strokes: at this level a print keeps only the
    cores of its strokes, which the narrow gap leaves apart as letters and pieces (measured: the
    same views found on the generated val marks, one more on train, with half the blobs).

    Line art only: a textured reference's "ink" is its whole palette, and its most ink-like
    pixels are its most saturated patches, not the print (on the photo posters of
    bench/vision_heldout.py these blobs cost a view in 90; its hypotheses come from texture).
    """
    if ref.textured or not ink_radii:
        return []
    return ink_hypotheses(ref, cues, to_frame, max_regions, n_angles, (max(ink_radii),), strong_level=level)


def region_moment_poses(ref: ReferenceModel, model: ShapeModel, fill: np.ndarray, origin: tuple[int, int],
                        kx: float, card_mask: np.ndarray, grey_search: np.ndarray, to_frame: float,
                        n_angles: int) -> list[tuple[float, np.ndarray, str]]:
    """Moment poses of the ink contrast inside one card region (measured at search resolution)."""
    bx, by = origin
    bh, bw = fill.shape
    sh, sw = grey_search.shape[:2]
    if min(bw, bh) > 8:
        fill = cv2.erode(fill, np.ones((3, 3), np.uint8))
    x0, y0 = round(bx * kx), round(by * kx)
    x1, y1 = min(sw, round((bx + bw) * kx)), min(sh, round((by + bh) * kx))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return []
    g = grey_search[y0:y1, x0:x1]
    m = cv2.resize(fill, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST)
    cm = cv2.resize(card_mask[by:by + bh, bx:bx + bw], (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST)
    gc = masked_median(g, cv2.bitwise_and(m, cm))  # both masks are 0/1
    if gc is None:
        return []
    # contrast_weights(g, gc) * m, through a 256-entry table (g is uint8).
    wts = cv2.LUT(g, contrast_weights(_GREY_LEVELS, gc))
    np.multiply(wts, m, out=wts)
    return [(s, hm, "moments") for s, hm in
            moment_poses(wts, (float(x0), float(y0)), model, ref.work_scale, to_frame, n_angles)]


_GREY_LEVELS = np.arange(256, dtype=np.uint8)


def masked_median(grey: np.ndarray, mask: np.ndarray, min_count: int = 8) -> float | None:
    """np.median of the uint8 ``grey`` pixels where ``mask`` is set (None below ``min_count`` pixels).

    Read off the masked histogram: no boolean indexing and sorting of the selected pixels.
    """
    cum = np.cumsum(cv2.calcHist([grey], [0], mask, [256], [0, 256]).ravel())
    n = int(cum[-1])
    if n < min_count:
        return None
    hi = int(np.searchsorted(cum, n // 2, side="right"))  # value of the sorted element n // 2
    if n % 2:
        return float(hi)
    lo = int(np.searchsorted(cum, n // 2 - 1, side="right"))
    return (lo + hi) / 2


def dedupe(hyps: list[np.ndarray], ref_size: tuple[int, int], limit: int) -> list[np.ndarray]:
    """Drop near-identical poses (same blob seen twice)."""
    kept: list[np.ndarray] = []
    kept_q: list[list[tuple[float, float]]] = []
    w, h = ref_size
    corners = ((0.0, 0.0), (float(w), 0.0), (float(w), float(h)), (0.0, float(h)))
    for hm in hyps:
        # geometry.project on four corners, in plain floats (this runs for every ranked hypothesis).
        (a, b, c), (d, e, f), (g, k, m) = hm.tolist()
        q = []
        for x, y in corners:
            z = g * x + k * y + m
            if abs(z) < 1e-12:
                z = 1e-12
            q.append(((a * x + b * y + c) / z, (d * x + e * y + f) / z))
        tol = 0.06 * math.dist(q[0], q[2])
        if any(_same_outline(q, p, tol, turns=1) for p in kept_q):
            continue
        kept.append(hm)
        kept_q.append(q)
        if len(kept) >= limit:
            break
    return kept


# ``neutral_ink_hypotheses``: the apparent long sides (frame px) whose strokes the black-hat
# kernels cover (a kernel twice the reference's stroke width at that size), and the share of the
# reference's ink contrast (card grey - ink grey) from which a locally dark pixel counts as a stroke.
# Measured on the black marks' views without a hypothesis within reach (val 14, train quick 6):
# at 0.2 the strokes join the stones' shadows (7 within reach), at 0.3 11, at 0.4 12, at 0.5 thin
# or blurred strokes fade (10); a third side (45, 90, 180) reached 13 but found no more views.
NEUTRAL_SIDES = (60.0, 180.0)
NEUTRAL_CONTRAST = 0.4
# The least correlation of a blob's polar signature with the reference's for its pose to count.
# Dark strokes are everywhere in clutter (glyphs, shadows between stones), and their blobs, ranked
# among the late hypotheses by the quick correlation, pushed out the good card and edge poses of
# the grey held-out mark (2 views lost). On the black val marks' views the print's blobs
# correlated 0.37-0.83 (one 0.30), the clutter's at most 0.29.
NEUTRAL_MIN_CORR = 0.35


def neutral_ink_profile(ref: ReferenceModel) -> tuple[float, float] | None:
    """(stroke width / long side, ink contrast in grey levels) of a reference printed in dark
    neutral ink on a lighter card, or None for any other reference (chromatic or textured marks,
    light ink on a dark card).

    The stroke width is four times the mean distance of the ink pixels from the card (a stroke
    of width w holds distances 1..w/2, so this overstates w by about 2 px of the 256-px working
    image, where it is measured; the black-hat kernel is twice the width and wide enough either way).
    """
    out = None
    if not ref.textured and not ref.chromatic and ref.contrast_shape is not None:
        ink = ref.ink_mask.astype(np.uint8)
        if cv2.countNonZero(ink) >= 20:
            ink_grey = float(np.median(ref.grey(ref.work)[ref.ink_mask]))
            contrast = ref.card_grey - ink_grey
            if contrast > 40.0:  # four times verification's contrast noise floor
                dist = cv2.distanceTransform(ink, cv2.DIST_L2, 3)
                width = 4.0 * float(dist[ink > 0].mean()) / max(ref.work.shape[:2])
                out = (width, contrast)
    return out


def neutral_ink_hypotheses(ref: ReferenceModel, profile: tuple[float, float] | None, cues: CueMaps,
                           grey_search: np.ndarray, to_frame: float, max_regions: int = 3,
                           n_angles: int = 2) -> list[tuple[float, np.ndarray, str]]:
    """Moment poses ("neutral") of the blobs of locally dark thin strokes, for marks in dark neutral ink.

    Black or grey ink on a white card gives the colour cues nothing to hold on a grey or neutral
    photograph: the ink's colour bins are the shadows', the card's are the highlights'. What
    still sets the print apart is its strokes: thin and much darker than the card right next to
    them. A black-hat (closing minus image) with a kernel twice the reference's stroke width at
    the apparent sizes ``NEUTRAL_SIDES`` keeps exactly those; pixels from ``NEUTRAL_CONTRAST`` of
    the reference's ink contrast count as strokes, strokes within a kernel of each other are one
    blob, and the largest blobs (at least ``min_side`` search px long) give moment poses from
    their black-hat response, against the reference's contrast shape, when their polar signature
    correlates with the reference's by ``NEUTRAL_MIN_CORR`` at least. ``profile`` is the
    reference's ``neutral_ink_profile`` (measured once per mark); None gives nothing.
    """
    if profile is None:
        return []
    width, contrast = profile
    model = ref.contrast_shape
    sh, sw = grey_search.shape[:2]
    min_side = cues.min_side * cues.kx
    thr = NEUTRAL_CONTRAST * contrast
    hyps: list[tuple[float, np.ndarray, str]] = []
    seen: list[tuple[int, int, int, int]] = []
    for side in NEUTRAL_SIDES:
        k = max(3, round(2.0 * width * side / to_frame) | 1)
        kern = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
        hat = cv2.morphologyEx(grey_search, cv2.MORPH_BLACKHAT, kern)
        mask = cv2.threshold(hat, thr, 1, cv2.THRESH_BINARY)[1]
        if not cv2.countNonZero(mask):
            continue
        grown = cv2.dilate(mask, kern)
        _, lab, st, _ = cv2.connectedComponentsWithStats(grown)
        big = np.maximum(st[1:, cv2.CC_STAT_WIDTH], st[1:, cv2.CC_STAT_HEIGHT])
        keep = (big >= min_side) & (st[1:, cv2.CC_STAT_WIDTH] * st[1:, cv2.CC_STAT_HEIGHT] <= 0.5 * sw * sh)
        order = sorted((np.flatnonzero(keep) + 1).tolist(), key=lambda j: -int(st[j, cv2.CC_STAT_AREA]))
        for j in order[:max_regions]:
            x, y, bw, bh = (int(v) for v in st[j, :4])
            if any(abs(x - a) <= 3 and abs(y - b) <= 3 and abs(bw - c) <= 5 and abs(bh - d) <= 5
                   for a, b, c, d in seen):
                continue
            seen.append((x, y, bw, bh))
            fill = (lab[y:y + bh, x:x + bw] == j)
            wts = cv2.threshold(hat[y:y + bh, x:x + bw], CONTRAST_FLOOR, 0, cv2.THRESH_TOZERO)[1].astype(np.float32)
            wts *= fill
            for s, hm in moment_poses(wts, (float(x), float(y)), model, ref.work_scale, to_frame, n_angles):
                if s >= NEUTRAL_MIN_CORR:
                    hyps.append((s, hm, "neutral"))
    return hyps
