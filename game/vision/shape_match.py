"""Texture-less shape matching: pose hypotheses from quantised gradient orientations (LINE-2D style).

Hinterstoisser et al., "Gradient Response Maps for Real-Time Detection of Textureless Objects"
(PAMI 2012), cut down to what a planar mark needs and to what numpy + cv2 do quickly:

* **Features** (once per mark): the strongest, well spread gradient points of the reference's
  grey projection, plus points along the card's outline (in a frame the card's edge against the
  background is the most robust cue of a small print), each with its edge orientation. The
  orientation is taken modulo 180 degrees: the polarity of an edge flips with the background.
* **Response maps** (once per frame and pyramid level): the gradient orientation of the
  projected grey frame, quantised into 8 bins, *spread* over a neighbourhood with ``cv2.dilate``
  (one binary map per bin), and turned into 8 maps that hold, at every pixel, how well each
  template orientation agrees with the orientations present nearby (``cv2.LUT`` on the spread
  bit field). Their cost depends on the frame size only, not on how cluttered it is.
* **Exhaustive coarse search**: a bank of the sparse coarse features turned over the full
  circle (22.5 degree steps) at two sizes per octave, summed from the response maps on a
  stride grid (``linear memories``: one contiguous array per orientation and grid phase, so a
  feature is one array addition). One pyramid level per octave keeps the mark 20-48 px long.
* **Local affine search**: the best peaks are scored again with all features at nearby turns,
  sizes, tilts (an anisotropic scale along four axes, for a print held at an angle) and shifts,
  evaluated by gathering from the response maps; the best affine poses are the hypotheses that
  the detector's alignment and verification take over.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from game.vision.align import FramePyramid

N_BINS = 8  # orientation bins over 180 degrees


def _luts(sim: tuple[int, ...]) -> np.ndarray:
    """Per template orientation, the response (0-4) to each spread bit field of image orientations.

    ``sim[d]``: the response to an image orientation ``d`` bins away from the template's.
    """
    out = np.zeros((N_BINS, 256), np.uint8)
    for o in range(N_BINS):
        for bits in range(256):
            out[o, bits] = max((sim[min((b - o) % N_BINS, (o - b) % N_BINS)] for b in range(N_BINS)
                                if bits >> b & 1), default=0)
    return out


# An orientation one bin off counts a quarter: a more lenient table (4, 3, 1) with a wider spread
# (5 px) ranked the true pose among the coarse peaks less often on the val frames (10 against 22
# of 108 in the top six), because clutter gains more from it than the print.
STRICT = _luts((4, 1, 0, 0, 0))
MAX_RESPONSE = 4
SIZES = (17.0, 24.0, 34.0, 48.0)  # the bank's mark sizes (geometric mean side at a level, px)


def orientation_bins(grey: np.ndarray, min_mag: float) -> tuple[np.ndarray, np.ndarray]:
    """(bin index 0-7 as uint8, mask of pixels with a gradient of at least ``min_mag``) of a grey image."""
    g = grey.astype(np.float32, copy=False)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    mag, ang = cv2.cartToPolar(gx, gy)  # ang in radians, 0..2pi
    b = (ang * (N_BINS / math.pi)).astype(np.int32) % N_BINS
    return b.astype(np.uint8), mag >= min_mag


@dataclass(frozen=True)
class Features:
    """Template points in reference px with their edge orientations (radians, modulo pi)."""

    xy: np.ndarray  # (F, 2) float64
    normal: np.ndarray  # (F, 2) unit gradient direction


def reference_features(grey_ref: np.ndarray, n: int, n_outline: int, n_coarse: int) -> tuple[Features, Features]:
    """(fine, coarse) features of a reference's grey projection (any size; coordinates in its px).

    Fine: ``n`` points, a quarter of them on the outline; coarse: a sparser subset of about a third.
    """
    h, w = grey_ref.shape
    k = 96.0 / max(w, h)  # pick points on a 96-px copy: spacing is about the template scale, not the reference's
    sw, sh = max(8, round(w * k)), max(8, round(h * k))
    small = cv2.GaussianBlur(cv2.resize(grey_ref.astype(np.float32), (sw, sh), interpolation=cv2.INTER_AREA), (0, 0), 1.0)
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    mag = cv2.magnitude(gx, gy)
    mag[:2], mag[-2:], mag[:, :2], mag[:, -2:] = 0, 0, 0, 0  # the image border is the outline's job
    peak = (mag >= cv2.dilate(mag, np.ones((3, 3), np.uint8))) & (mag >= 0.2 * float(mag.max()))
    ys, xs = np.nonzero(peak)
    order = np.argsort(-mag[ys, xs])
    ys, xs = ys[order], xs[order]

    def spread(min_d: float, count: int) -> list[int]:
        chosen: list[int] = []
        pts = np.stack([xs, ys], 1).astype(np.float32)
        for d in (min_d, min_d * 0.7, min_d * 0.5, min_d * 0.35, 0.0):
            for i in range(len(xs)):
                if len(chosen) >= count:
                    return chosen
                if i in chosen:
                    continue
                if chosen and float(np.min(np.sum((pts[chosen] - pts[i]) ** 2, 1))) < d * d:
                    continue
                chosen.append(i)
        return chosen

    inner_n = n - n_outline
    area = float(sw * sh)
    fine_i = spread(math.sqrt(area / max(1, inner_n)) * 0.9, inner_n)
    coarse_i = spread(math.sqrt(area / max(1, n_coarse)) * 0.9, n_coarse)

    def inner(idx: list[int]) -> tuple[np.ndarray, np.ndarray]:
        i = np.asarray(idx, np.int64)
        xy = np.stack([xs[i], ys[i]], 1).astype(np.float64) / k  # small px -> reference px (approximately)
        v = np.stack([gx[ys[i], xs[i]], gy[ys[i], xs[i]]], 1).astype(np.float64)
        return xy, v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)

    def outline(count: int) -> tuple[np.ndarray, np.ndarray]:
        # Points along the four sides, evenly by length, each with the side's normal.
        per = np.array([w, h, w, h], np.float64)
        t = (np.arange(count) + 0.5) / count * per.sum()
        xy, nv = [], []
        for s in t:
            side = int(np.searchsorted(np.cumsum(per), s, side="right"))
            u = s - (np.cumsum(per)[side - 1] if side else 0.0)
            if side == 0:
                xy.append((u, 0.0)), nv.append((0.0, 1.0))
            elif side == 1:
                xy.append((w, u)), nv.append((1.0, 0.0))
            elif side == 2:
                xy.append((w - u, h)), nv.append((0.0, 1.0))
            else:
                xy.append((0.0, h - u)), nv.append((1.0, 0.0))
        return np.array(xy, np.float64), np.array(nv, np.float64)

    fx, fn = inner(fine_i)
    ox, on = outline(n_outline)
    cx, cn = inner(coarse_i)
    px, pn = outline(max(4, n_outline // 2))
    return (Features(np.vstack([fx, ox]), np.vstack([fn, on])),
            Features(np.vstack([cx, px]), np.vstack([cn, pn])))


def transform(feats: Features, a: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions (N, F, 2) and orientation bins (N, F) of features under affine maps ``a`` (N, 2, 2), ``t`` (N, 2)."""
    x, y = feats.xy[:, 0], feats.xy[:, 1]
    a00, a01, a10, a11 = (a[:, i, j, None] for i, j in ((0, 0), (0, 1), (1, 0), (1, 1)))
    px = a00 * x + a01 * y + t[:, 0, None]
    py = a10 * x + a11 * y + t[:, 1, None]
    # Normals transform by the inverse transpose (up to its positive determinant's scale).
    nx, ny = feats.normal[:, 0], feats.normal[:, 1]
    ang = np.arctan2(-a01 * nx + a00 * ny, a11 * nx - a10 * ny)
    bins = np.floor(ang * (N_BINS / math.pi)).astype(np.int64) % N_BINS  # as orientation_bins
    return np.stack([px, py], -1), bins


def shape_matrix(scale: float, turn: float, squash: float = 1.0, axis: float = 0.0) -> np.ndarray:
    """2x2: scale * rotation(turn) * (squash along ``axis``): a print seen turned and tilted."""
    c, s = math.cos(turn), math.sin(turn)
    ca, sa = math.cos(axis), math.sin(axis)
    r = np.array([[c, -s], [s, c]])
    ax = np.array([[ca, -sa], [sa, ca]])
    return scale * r @ ax @ np.diag([1.0, squash]) @ ax.T


class ResponseMaps:
    """The 8 response maps of one pyramid level, and their linear memories for a stride grid."""

    def __init__(self, grey: np.ndarray, spread: int, min_mag: float, luts: np.ndarray = STRICT) -> None:
        bins, strong = orientation_bins(grey, min_mag)
        kernel = np.ones((spread, spread), np.uint8)
        bits = np.zeros(grey.shape, np.uint8)
        strong8 = strong.astype(np.uint8)
        for b in range(N_BINS):
            m = cv2.bitwise_and(cv2.compare(bins, b, cv2.CMP_EQ), strong8 * 255)
            bits |= cv2.dilate(m, kernel) & np.uint8(1 << b)
        resp = [cv2.LUT(bits, luts[o]).astype(np.int8) for o in range(N_BINS)]
        # Against the orthogonal orientation: a textured patch holds every orientation nearby and
        # scores about 0 for any template, a clean edge of the right orientation 4.
        self.maps = np.stack([resp[o] - resp[(o + N_BINS // 2) % N_BINS] for o in range(N_BINS)])  # (8, H, W) int8
        self.shape = grey.shape

    def score(self, xy: np.ndarray, bins: np.ndarray) -> np.ndarray:
        """Mean response (0-1) of feature sets: ``xy`` (..., F, 2) level px, ``bins`` (..., F)."""
        h, w = self.shape
        x = np.rint(xy[..., 0]).astype(np.int64)
        y = np.rint(xy[..., 1]).astype(np.int64)
        inside = (x >= 0) & (x < w) & (y >= 0) & (y < h)
        idx = (bins * h + np.clip(y, 0, h - 1)) * w + np.clip(x, 0, w - 1)
        vals = self.maps.ravel()[idx].astype(np.int32) * inside
        return vals.sum(-1) / (MAX_RESPONSE * xy.shape[-2])


@dataclass(frozen=True, eq=False)
class _Entry:
    """One turned and scaled copy of the coarse features, and its local search table."""

    size: float  # the mark's geometric mean side (square root of its area) at the level, px
    turn: float
    a: np.ndarray  # 2x2: reference px -> level px (about the mark's centre)
    dx: np.ndarray  # (F,) integer offsets of the coarse features from the mark's centre
    dy: np.ndarray
    bins: np.ndarray
    local_xy: np.ndarray  # (L, F_fine, 2): the fine features under each local variation, from the centre
    local_bins: np.ndarray  # (L, F_fine)


class ShapeMatcher:
    """Exhaustive LINE-2D style search for one mark: ``hypotheses(pyramid_levels(pyr))`` -> scored affine poses."""

    def __init__(self, grey_ref: np.ndarray, n_features: int = 48, n_outline: int = 12, n_coarse: int = 24,
                 turns: int = 16, sizes: tuple[float, ...] = SIZES, spread: int = 3) -> None:
        h, w = grey_ref.shape
        self.ref_size = (w, h)
        self.fine, self.coarse = reference_features(grey_ref, n_features, n_outline, n_coarse)
        if len(self.coarse.xy) * 2 * MAX_RESPONSE > 255:
            raise ValueError(f"too many coarse features for uint8 sums: {len(self.coarse.xy)} (at most 31)")
        self.turns = turns
        self.spread = spread
        self._centre = np.array([w / 2.0, h / 2.0])
        self._geo = math.sqrt(w * h)  # reference px
        # Local search around a coarse entry: turns half a bank step either way and sizes an
        # eighth of an octave either way (9 variations), then tilts of the best: squash 0.8 and
        # 0.6 along four axes (8 more), then half those turn and size steps.
        half = math.pi / turns
        self._tilts = [(q, k * math.pi / 4) for q in (0.8, 0.6) for k in range(4)]
        local = np.array([shape_matrix(ds, dt) for dt in (-half, 0.0, half) for ds in (0.89, 1.0, 1.12)])
        self._local = local
        self._tilt_m = np.array([shape_matrix(1.0, 0.0, sq, ax) for sq, ax in self._tilts])
        q = half / 2
        self._local2 = np.array([shape_matrix(ds, dt) for dt in (-q, 0.0, q) for ds in (0.94, 1.0, 1.06)])
        self._entries: list[_Entry] = []
        for size in sizes:
            for i in range(turns):
                turn = 2 * math.pi * i / turns
                a = shape_matrix(size / self._geo, turn)
                xy, bins = transform(self.coarse, a[None], -(a @ self._centre)[None])
                d = np.rint(xy[0]).astype(np.int64)
                al = a @ local
                lxy, lbins = transform(self.fine, al, -(al @ self._centre))
                self._entries.append(_Entry(size, turn, a, d[:, 0], d[:, 1], bins[0], lxy, lbins))
        self._pad = int(max(max(abs(e.dx).max(), abs(e.dy).max()) for e in self._entries)) + 1
        self._shifts = np.array([(sx, sy) for sx in (-1, 0, 1) for sy in (-1, 0, 1)], np.float64) * 2

    def levels(self, pyr: FramePyramid, search_scale: float = 1.0
               ) -> list[tuple[np.ndarray, float, tuple[float, ...], int]]:
        """``pyramid_levels`` for this mark."""
        return pyramid_levels(pyr, self.ref_size, search_scale)

    def coarse_scores(self, rm: ResponseMaps, sizes: tuple[float, ...], t: int) -> tuple[np.ndarray, list[_Entry]]:
        """Score maps (E, grid h, grid w) on the stride grid of the bank entries of ``sizes``, and the entries."""
        p = self._pad
        # Responses shifted to 0-8 as uint8: a coarse entry's sum stays below 256 (at most 31
        # features), and uint8 blocks add twice as fast as int16 ones.
        maps = np.pad(rm.maps + np.int8(4), ((0, 0), (p, p), (p, p))).view(np.uint8)
        h, w = rm.shape
        gh, gw = (h + t - 1) // t, (w + t - 1) // t
        # Linear memories (LINE-2D): lm[o][phase_y][phase_x] = maps[o, phase_y::t, phase_x::t],
        # contiguous, so that each feature of an entry adds one contiguous block.
        lm = [[[np.ascontiguousarray(maps[o, py::t, px::t]) for px in range(t)] for py in range(t)]
              for o in range(N_BINS)]
        entries = [e for e in self._entries if e.size in sizes]
        acc = np.zeros((len(entries), gh, gw), np.uint8)
        for k, e in enumerate(entries):
            a = acc[k]
            for dx, dy, b in zip(e.dx.tolist(), e.dy.tolist(), e.bins.tolist(), strict=True):
                yy, xx = p + dy, p + dx
                oy, ox = yy // t, xx // t
                a += lm[b][yy % t][xx % t][oy:oy + gh, ox:ox + gw]
        return acc, entries

    def hypotheses(self, levels: list[tuple[np.ndarray, float, tuple[float, ...], int]], top: int = 4,
                   peaks: int = 6, refine: int = 8, min_mag: float = 30.0) -> list[tuple[float, np.ndarray]]:
        """The ``top`` best (score 0-1, affine homography reference px -> level-0 px), best first.

        ``levels``: (grey image, its scale relative to level 0, sizes to search there), as
        ``pyramid_levels`` gives them. Of at most ``peaks`` coarse peaks per level, the ``refine``
        best are searched locally.
        """
        cands: list[tuple[float, float, float, _Entry, ResponseMaps, float]] = []
        n_c = len(self.coarse.xy)
        for grey, scale, sizes, stride in levels:
            rm = ResponseMaps(grey, self.spread, min_mag)
            acc, entries = self.coarse_scores(rm, sizes, stride)
            best = acc.max(0)  # the best entry's score at each grid point
            flat = best.ravel()
            k = min(flat.size, 4 * peaks)
            idx = np.argpartition(-flat, k - 1)[:k]
            idx = idx[np.argsort(-flat[idx])]
            kept: list[tuple[float, float, float, _Entry, ResponseMaps, float]] = []
            for i in idx.tolist():
                gy, gx = divmod(i, best.shape[1])
                x, y = float(gx * stride), float(gy * stride)
                col = acc[:, gy, gx]
                # The best two entries at the place, when their turns differ: a ring of circles
                # fits its outline at any turn, and only the alignment tells them apart.
                for ei in np.argsort(-col)[:2].tolist():
                    e = entries[ei]
                    if any(math.hypot(x - g[1], y - g[2]) < 0.3 * max(e.size, g[3].size)
                           and abs((e.turn - g[3].turn + math.pi) % (2 * math.pi) - math.pi) < math.pi / 6
                           for g in kept):
                        continue
                    kept.append(((float(col[ei]) - 4.0 * n_c) / (MAX_RESPONSE * n_c), x, y, e, rm, scale, stride))
                if len(kept) >= peaks:
                    break
            cands += kept
        cands.sort(key=lambda c: -c[0])
        results: list[tuple[float, np.ndarray, float]] = []
        for _, cx, cy, e, rm, scale, stride in cands[:refine]:
            a, t, s = self._refine(rm, cx, cy, e, stride)
            # Level px -> level-0 px.
            hm = np.array([[a[0, 0] / scale, a[0, 1] / scale, t[0] / scale],
                           [a[1, 0] / scale, a[1, 1] / scale, t[1] / scale], [0.0, 0.0, 1.0]])
            results.append((s, hm, e.size / scale))
        results.sort(key=lambda r: -r[0])
        out: list[tuple[float, np.ndarray]] = []
        kept_c: list[tuple[float, float, float, float]] = []
        for s, hm, size in results:
            if s <= 0.0:  # no more agreeing than disagreeing orientations: nothing there
                break
            c = hm[:2, :2] @ self._centre + hm[:2, 2]
            turn = math.atan2(hm[1, 0], hm[0, 0])
            if any(math.hypot(c[0] - o[0], c[1] - o[1]) < 0.25 * max(size, o[2])
                   and abs((turn - o[3] + math.pi) % (2 * math.pi) - math.pi) < math.pi / 6 for o in kept_c):
                continue
            out.append((s, hm))
            kept_c.append((float(c[0]), float(c[1]), size, turn))
            if len(out) >= top:
                break
        return out

    def _refine(self, rm: ResponseMaps, cx: float, cy: float, e: _Entry, stride: int
                ) -> tuple[np.ndarray, np.ndarray, float]:
        """Best (A, t, score) near a coarse peak, with all features, by coordinate descent.

        Nearby turns and sizes (the entry's precomputed table) at shifts of one stride; then
        the tilts of the best; then half the turn and size steps at one-pixel shifts.
        """
        c = np.array([cx, cy])
        shifts = self._shifts * stride / 2
        xy = (e.local_xy[:, None] + (c + shifts)[None, :, None, :]).reshape(-1, *e.local_xy.shape[1:])
        bins = np.repeat(e.local_bins, len(shifts), axis=0)
        i = int(np.argmax(rm.score(xy, bins)))
        li, si = divmod(i, len(shifts))
        a, c = e.a @ self._local[li], c + shifts[si]
        if stride > 2:  # a coarser grid: one more round of shifts at half the stride
            xy = (e.local_xy[li][None] + (c + self._shifts)[:, None, :])
            j = int(np.argmax(rm.score(xy, np.repeat(e.local_bins[li][None], len(self._shifts), axis=0))))
            c = c + self._shifts[j]
        for mats, shifts in ((np.concatenate([np.eye(2)[None], self._tilt_m]), self._shifts / 2),
                             (self._local2, self._shifts / 2)):
            a_s = a @ mats
            xy, bins = transform(self.fine, a_s, -(a_s @ self._centre))
            xy = (xy[:, None] + (c + shifts)[None, :, None, :]).reshape(-1, *xy.shape[1:])
            sc = rm.score(xy, np.repeat(bins, len(shifts), axis=0))
            j = int(np.argmax(sc))
            mi, sj = divmod(j, len(shifts))
            a, c, best = a_s[mi], c + shifts[sj], float(sc[j])
        return a, c - a @ self._centre, best




def pyramid_levels(pyr: FramePyramid, ref_size: tuple[int, int], search_scale: float = 1.0
                   ) -> list[tuple[np.ndarray, float, tuple[float, ...], int]]:
    """The levels to search and the mark sizes there, for 40-400 px views in the search image.

    ``search_scale``: search image px per frame (level-0) px; a 1280-px frame is searched one
    level deeper than a 640-px one.

    One level per octave keeps the mark 24-34 px (geometric mean side) at its level: level 1
    (half size), 2 and 3, with 48 px at level 3 for the largest square views and 17 px at level 1
    for the smallest elongated ones (a 4:1 wordmark 40 px long is 20 x 5 px at level 1).
    """
    w, h = ref_size
    root = math.sqrt(max(w, h) / min(w, h))
    smallest, largest = 40.0 / root, 400.0 / root  # geometric mean side at level 0
    fine = (17.0, 24.0, 34.0) if smallest < 24.0 * 2 * 0.75 else (24.0, 34.0)
    coarse = (24.0, 34.0, 48.0) if largest > 34.0 * 8 * 1.12 else (24.0, 34.0)
    extra = max(0, round(math.log2(1.0 / search_scale)))
    out = []
    # A 2-px grid on every level: a 4-px grid at the half level found fewer small views (val
    # frames: a near pose for 7 rather than 11 of the views the detector otherwise missed).
    for level, sizes, stride in ((1, fine, 2), (2, (24.0, 34.0), 2), (3, coarse, 2)):
        img, f = pyr.level(level + extra)
        out.append((img, f, sizes, stride))
    return out
