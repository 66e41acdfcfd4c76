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


@dataclass(frozen=True)
class _Entry:
    size: float  # mark long side at the level, px
    turn: float
    dx: np.ndarray  # (F,) integer offsets from the grid point (the mark's centre)
    dy: np.ndarray
    bins: np.ndarray


class ShapeMatcher:
    """Exhaustive LINE-2D style search for one mark: ``hypotheses(pyramid_levels)`` -> scored affine poses."""

    def __init__(self, grey_ref: np.ndarray, n_features: int = 48, n_outline: int = 12, n_coarse: int = 36,
                 turns: int = 16,
                 sizes: tuple[float, ...] = (24.0, 34.0, 48.0), stride: int = 2, spread: int = 3) -> None:
        h, w = grey_ref.shape
        self.ref_size = (w, h)
        self.fine, self.coarse = reference_features(grey_ref, n_features, n_outline, n_coarse)
        self.turns = turns
        self.sizes = sizes
        self.stride = stride
        self.spread = spread
        centre = np.array([w / 2.0, h / 2.0])
        long_ = float(max(w, h))
        self._entries: list[_Entry] = []
        for size in sizes:
            for i in range(turns):
                turn = 2 * math.pi * i / turns
                a = shape_matrix(size / long_, turn)
                xy, bins = transform(self.coarse, a[None], -(a @ centre)[None])
                d = np.rint(xy[0]).astype(np.int64)
                self._entries.append(_Entry(size, turn, d[:, 0], d[:, 1], bins[0]))
        self._pad = int(max(max(abs(e.dx).max(), abs(e.dy).max()) for e in self._entries)) + 1
        # Local search steps: turns half a coarse step either way, sizes a sixth of an octave,
        # tilts (squash 0.85 and 0.65 along four axes), shifts of one coarse stride.
        half = math.pi / turns
        self._local = [(dt, ds, sq, ax) for dt in (-half, 0.0, half) for ds in (0.89, 1.12)
                       for sq, ax in [(1.0, 0.0)] + [(q, k * math.pi / 4) for q in (0.8, 0.6) for k in range(4)]]
        self._local += [(dt, 1.0, sq, ax) for dt in (-half, 0.0, half)
                        for sq, ax in [(1.0, 0.0)] + [(q, k * math.pi / 4) for q in (0.8, 0.6) for k in range(4)]]
        self._local_m = np.array([shape_matrix(ds, dt, sq, ax) for dt, ds, sq, ax in self._local])
        q = math.pi / turns / 2
        self._local2_m = np.array([shape_matrix(ds, dt) for dt in (-q, 0.0, q) for ds in (0.94, 1.0, 1.06)])

    def coarse_scores(self, rm: ResponseMaps, sizes: tuple[float, ...]) -> list[tuple[np.ndarray, _Entry]]:
        """Score maps (on the stride grid) of the bank entries of ``sizes`` over one level's response maps."""
        t, p = self.stride, self._pad
        maps = np.pad(rm.maps, ((0, 0), (p, p), (p, p)))
        h, w = rm.shape
        gh, gw = (h + t - 1) // t, (w + t - 1) // t
        # Linear memories: lm[o][phase_y][phase_x] is maps[o, phase_y::t, phase_x::t], contiguous.
        lm = [[[np.ascontiguousarray(maps[o, py::t, px::t]) for px in range(t)] for py in range(t)]
              for o in range(N_BINS)]
        out = []
        for e in self._entries:
            if e.size not in sizes:
                continue
            acc = np.zeros((gh, gw), np.int16)
            for dx, dy, b in zip(e.dx.tolist(), e.dy.tolist(), e.bins.tolist(), strict=True):
                yy, xx = p + dy, p + dx
                m = lm[b][yy % t][xx % t]
                oy, ox = yy // t, xx // t
                acc += m[oy:oy + gh, ox:ox + gw]
            out.append((acc, e))
        return out

    def hypotheses(self, levels: list[tuple[np.ndarray, float, tuple[float, ...]]], top: int = 4,
                   peaks: int = 6, min_mag: float = 30.0) -> list[tuple[float, np.ndarray]]:
        """The ``top`` best (score 0-1, affine homography reference px -> level-0 px), best first.

        ``levels``: (grey image, its scale relative to level 0, sizes to search there).
        """
        cands: list[tuple[float, float, float, float, float, ResponseMaps, float]] = []
        n_c = len(self.coarse.xy)
        for grey, scale, sizes in levels:
            rm = ResponseMaps(grey, self.spread, min_mag)
            found: list[tuple[float, float, float, float, float]] = []
            for acc, e in self.coarse_scores(rm, sizes):
                flat = acc.ravel()
                k = min(peaks, flat.size)
                idx = np.argpartition(-flat, k - 1)[:k]
                for i in idx.tolist():
                    gy, gx = divmod(i, acc.shape[1])
                    found.append((float(flat[i]) / (MAX_RESPONSE * n_c), gx * self.stride, gy * self.stride, e.size, e.turn))
            found.sort(key=lambda f: -f[0])
            kept: list[tuple[float, float, float, float, float]] = []
            for f in found:
                if any(math.hypot(f[1] - g[1], f[2] - g[2]) < 0.3 * max(f[3], g[3])
                       and abs((f[4] - g[4] + math.pi) % (2 * math.pi) - math.pi) < math.pi / 6 for g in kept):
                    continue
                kept.append(f)
                if len(kept) >= peaks:
                    break
            cands += [(*f, rm, scale) for f in kept]
        cands.sort(key=lambda c: -c[0])
        results: list[tuple[float, np.ndarray, float]] = []
        w, h = self.ref_size
        centre = np.array([w / 2.0, h / 2.0])
        long_ = float(max(w, h))
        for _, cx, cy, size, turn, rm, scale in cands[:peaks * 2]:
            best = self._refine(rm, cx, cy, size, turn, centre, long_)
            a, t, s = best
            # Level px -> level-0 px.
            hm = np.array([[a[0, 0], a[0, 1], t[0]], [a[1, 0], a[1, 1], t[1]], [0.0, 0.0, 1.0]])
            hm = np.diag([1.0 / scale, 1.0 / scale, 1.0]) @ hm
            results.append((s, hm, size / scale))
        results.sort(key=lambda r: -r[0])
        out: list[tuple[float, np.ndarray]] = []
        kept_c: list[tuple[float, float, float, float]] = []
        for s, hm, size in results:
            if s <= 0.0:  # no more agreeing than disagreeing orientations: nothing there
                break
            c = hm[:2, :2] @ centre + hm[:2, 2]
            turn = math.atan2(hm[1, 0], hm[0, 0])
            # The same place at another turn is another hypothesis: a ring of circles fits its
            # outline at any turn, and only the alignment on all its pixels tells them apart.
            if any(math.hypot(c[0] - o[0], c[1] - o[1]) < 0.25 * max(size, o[2])
                   and abs((turn - o[3] + math.pi) % (2 * math.pi) - math.pi) < math.pi / 6 for o in kept_c):
                continue
            out.append((s, hm))
            kept_c.append((float(c[0]), float(c[1]), size, turn))
            if len(out) >= top:
                break
        return out

    def _refine(self, rm: ResponseMaps, cx: float, cy: float, size: float, turn: float, centre: np.ndarray,
                long_: float) -> tuple[np.ndarray, np.ndarray, float]:
        """Best (A, t, score) near a coarse peak: all features, nearby turns, sizes, tilts and shifts.

        Two rounds: turns, sizes and tilts around the coarse entry with shifts of one stride, then
        half the turn and size steps and one-pixel shifts around the best, at the same tilt.
        """
        a0 = shape_matrix(size / long_, turn)
        c0 = np.array([cx, cy], np.float64)
        shifts1 = np.array([(sx, sy) for sx in (-1, 0, 1) for sy in (-1, 0, 1)], np.float64) * self.stride
        a_s = a0 @ self._local_m
        best_a, best_c, best_s = self._best(rm, a_s, c0, shifts1, centre)
        a_s = best_a @ self._local2_m
        shifts2 = np.array([(sx, sy) for sx in (-1, 0, 1) for sy in (-1, 0, 1)], np.float64)
        best_a, best_c, best_s = self._best(rm, a_s, best_c, shifts2, centre)
        return best_a, best_c - best_a @ centre, best_s

    def _best(self, rm: ResponseMaps, a_s: np.ndarray, c0: np.ndarray, shifts: np.ndarray,
              centre: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        a_all = np.repeat(a_s, len(shifts), axis=0)
        c_all = c0[None, :] + np.tile(shifts, (len(a_s), 1))
        t_all = c_all - a_all @ centre
        xy, bins = transform(self.fine, a_all, t_all)
        sc = rm.score(xy, bins)
        i = int(np.argmax(sc))
        return a_all[i], c_all[i], float(sc[i])


def pyramid_levels(pyr: FramePyramid) -> list[tuple[np.ndarray, float, tuple[float, ...]]]:
    """The levels to search and the mark sizes there: one level per octave of 40-400 px views.

    Level 1 (half size) for views of about 40-80 px, level 2 for 80-160 and level 3 for 160-400,
    each at 24 and 34 px (and 48 px at level 3); the local search covers the size between.
    """
    return [(pyr.level(1)[0], 0.5, (24.0, 34.0)), (pyr.level(2)[0], 0.25, (24.0, 34.0)),
            (pyr.level(3)[0], 0.125, (24.0, 34.0, 48.0))]
