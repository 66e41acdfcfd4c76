"""Texture-less shape matching: pose hypotheses from quantised gradient orientations (LINE-2D style).

Hinterstoisser et al., "Gradient Response Maps for Real-Time Detection of Textureless Objects"
(PAMI 2012), cut down to what a planar mark needs and to what numpy + cv2 do quickly:

* **Features** (once per mark): the strongest, well spread gradient points of the reference's
  grey projection, plus points along the card's outline (in a frame the card's edge against the
  background is the most robust cue of a small print), each with its edge orientation. The
  orientation is taken modulo 180 degrees: the polarity of an edge flips with the background.
* **Response maps** (once per frame and pyramid level): the gradient orientation of the
  projected grey frame, quantised into 8 bins, *spread* over a 3x3 neighbourhood (a bit field
  of the orientations present nearby), and turned into 8 maps that hold, at every pixel, how
  well each template orientation agrees with the orientations present nearby (``cv2.LUT`` on
  the bit field, written straight into one flat buffer of all levels' maps with a neutral
  border). Their cost depends on the frame size only, not on how cluttered it is.
* **Exhaustive coarse search**: a bank of the sparse coarse features turned over the full
  circle (22.5 degree steps) at two sizes per octave, summed from the response maps on a
  2-px grid. The maps are copied into LINE-2D's *linear memories* (one block per orientation
  and grid phase) in a single flat buffer, so that a feature of an entry is one addition of a
  contiguous slice covering the whole grid.
* **Local affine search**: the best peaks are scored again with all features at nearby turns,
  sizes, tilts (an anisotropic scale along four axes, for a print held at an angle) and shifts,
  evaluated by gathering from the response maps, all peaks of a frame at once; the best affine
  poses are the hypotheses that the detector's alignment and verification take over.

The per-frame arrays (gradients, maps, memories, sums, index arrays) live in per-thread buffers
that are reused from frame to frame (``_Arena``); only small arrays are allocated per frame.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from game.vision.align import FramePyramid

N_BINS = 8  # orientation bins over 180 degrees
STRIDE = 2  # the coarse search's grid step, px at the level


def _luts(sim: tuple[int, ...]) -> np.ndarray:
    """Per template orientation, the response to each spread bit field of image orientations.

    ``sim[d]``: the response (0-4) to an image orientation ``d`` bins away from the template's.
    A template orientation's response is its own minus the orthogonal orientation's, plus 4
    (0-8, as uint8): a textured patch holds every orientation nearby and scores about 4 (the
    neutral value) for any template, a clean edge of the right orientation 8.
    """
    one = np.zeros((N_BINS, 256), np.int16)
    for o in range(N_BINS):
        for bits in range(256):
            one[o, bits] = max((sim[min((b - o) % N_BINS, (o - b) % N_BINS)] for b in range(N_BINS)
                                if bits >> b & 1), default=0)
    return (one - np.roll(one, -N_BINS // 2, axis=0) + MAX_RESPONSE).astype(np.uint8)


MAX_RESPONSE = 4
NEUTRAL = MAX_RESPONSE  # a response map's value for "no evidence either way"
# An orientation one bin off counts a quarter: a more lenient table (4, 3, 1) with a wider spread
# (5 px) ranked the true pose among the coarse peaks less often on the val frames (10 against 22
# of 108 in the top six), because clutter gains more from it than the print.
STRICT = _luts((4, 1, 0, 0, 0))
SIZES = (17.0, 24.0, 34.0, 48.0)  # the bank's mark sizes (geometric mean side at a level, px)
_FOLD_BIT = np.array([1 << (v % N_BINS) for v in range(256)], np.uint8)  # a 16-bin angle -> its 8-bin bit


class _Arena(threading.local):
    """Per-thread buffers that live from frame to frame.

    A frame's maps, memories and index arrays are a few hundred KB each; allocated afresh, they
    can cost more in page faults than the arithmetic that fills them. Each buffer belongs to one
    step of the search (``key``), grows when a larger frame needs it and is only ever used by
    one call at a time on its thread; nothing returned to a caller points into one.
    """

    def __init__(self) -> None:
        self.bufs: dict[str, np.ndarray] = {}
        self.layouts: dict[str, object] = {}
        self.views: dict[str, dict[tuple, list[list[np.ndarray]]]] = {}

    def get(self, key: str, shape: tuple[int, ...], dtype: type) -> np.ndarray:
        """A buffer of ``shape`` (contents undefined)."""
        size = math.prod(shape)
        buf = self.bufs.get(key)
        if buf is None or buf.dtype != dtype or buf.size < size:
            buf = self.bufs[key] = np.zeros(max(size, 1), dtype)
            self.layouts.pop(key, None)
            self.views.pop(key, None)
        return buf[:size].reshape(shape)

    def slices(self, key: str, starts: np.ndarray, n: int) -> list[list[np.ndarray]]:
        """Views ``buffer[s:s + n]`` of buffer ``key`` for each of ``starts`` (E, F).

        Kept while the buffer is: the same layout and bank give the same views every frame.
        """
        buf = self.bufs[key]
        tag = (buf.ctypes.data, n, starts.shape, starts.tobytes())
        cache = self.views.setdefault(key, {})
        if tag not in cache:
            if len(cache) >= 8:
                cache.clear()
            cache[tag] = [[buf[s:s + n] for s in row] for row in starts.tolist()]
        return cache[tag]

    def zeroed(self, key: str, shape: tuple[int, ...], dtype: type, layout: object, value: int = 0) -> np.ndarray:
        """A buffer of ``shape``, ``value`` wherever the last user with the same ``layout`` did not write."""
        out = self.get(key, shape, dtype)
        if self.layouts.get(key) != (layout, value):
            out.fill(value)
            self.layouts[key] = (layout, value)
        return out


_ARENA = _Arena()


def orientation_bits(grey: np.ndarray, min_mag: float, out: np.ndarray | None = None) -> np.ndarray:
    """uint8: at each pixel with a gradient of at least ``min_mag``, the bit of its orientation bin (0-7), else 0."""
    shape = grey.shape
    fx, fy = _ARENA.get("gx", shape, np.float32), _ARENA.get("gy", shape, np.float32)
    if grey.dtype == np.uint8:
        # Integer Sobel (exact, and a fraction of the float path's time on uint8), then as float.
        sx, sy = _ARENA.get("sx", shape, np.int16), _ARENA.get("sy", shape, np.int16)
        cv2.Sobel(grey, cv2.CV_16S, 1, 0, dst=sx, ksize=3)
        cv2.Sobel(grey, cv2.CV_16S, 0, 1, dst=sy, ksize=3)
        np.copyto(fx, sx)
        np.copyto(fy, sy)
    else:
        g = grey.astype(np.float32, copy=False)
        cv2.Sobel(g, cv2.CV_32F, 1, 0, dst=fx, ksize=3)
        cv2.Sobel(g, cv2.CV_32F, 0, 1, dst=fy, ksize=3)
    tmp, b16 = _ARENA.get("angle", shape, np.float32), _ARENA.get("b16", shape, np.uint8)
    strong = _ARENA.get("strong", shape, np.uint8)
    # The angle's bin over the full circle (0-16, rounded down), folded to 180 degrees by the LUT.
    cv2.phase(fx, fy, angle=tmp)
    cv2.convertScaleAbs(tmp, dst=b16, alpha=2 * N_BINS / (2 * math.pi), beta=-0.5)
    cv2.magnitude(fx, fy, magnitude=tmp)
    cv2.compare(tmp, min_mag, cv2.CMP_GE, dst=strong)
    out = np.empty(shape, np.uint8) if out is None else out
    cv2.LUT(b16, _FOLD_BIT, dst=out)
    return cv2.bitwise_and(out, strong, dst=out)


def spread_bits(grey: np.ndarray, min_mag: float, out: np.ndarray) -> np.ndarray:
    """``out`` (H, W) uint8: the orientation bits present within 1 px (3x3) of each pixel of ``grey``.

    An OR of shifted copies (cv2.dilate would take the maximum of the bit fields).
    """
    bits = orientation_bits(grey, min_mag, _ARENA.get("bits", grey.shape, np.uint8))
    row = _ARENA.get("row", grey.shape, np.uint8)
    np.copyto(row, bits)
    np.bitwise_or(row[:, 1:], bits[:, :-1], out=row[:, 1:])
    np.bitwise_or(row[:, :-1], bits[:, 1:], out=row[:, :-1])
    np.copyto(out, row)
    np.bitwise_or(out[1:], row[:-1], out=out[1:])
    np.bitwise_or(out[:-1], row[1:], out=out[:-1])
    return out


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
    # numpy, not cv2.magnitude: OpenCV's vector path fuses the multiply-add and its scalar path
    # does not, and which pixels take which path depends on the buffer's address, so equal
    # inputs gave magnitudes 1 ulp apart. A symmetric mark has many equal magnitudes, and that
    # ulp reordered them: the chosen points, and so the detections, changed from run to run.
    mag = np.sqrt(gx * gx + gy * gy)
    mag[:2], mag[-2:], mag[:, :2], mag[:, -2:] = 0, 0, 0, 0  # the image border is the outline's job
    peak = (mag >= cv2.dilate(mag, np.ones((3, 3), np.uint8))) & (mag >= 0.2 * float(mag.max()))
    ys, xs = np.nonzero(peak)
    order = np.argsort(-mag[ys, xs], kind="stable")  # equal magnitudes in raster order
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
    px, py, bins = _moved(feats, a, t)
    return np.stack([px, py], -1), bins


def _moved(feats: Features, a: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``transform`` as x (N, F), y (N, F) and bins (N, F) int32."""
    x, y = feats.xy[:, 0], feats.xy[:, 1]
    a00, a01, a10, a11 = (a[:, i, j, None] for i, j in ((0, 0), (0, 1), (1, 0), (1, 1)))
    px = a00 * x + a01 * y + t[:, 0, None]
    py = a10 * x + a11 * y + t[:, 1, None]
    # Normals transform by the inverse transpose (up to its positive determinant's scale).
    nx, ny = feats.normal[:, 0], feats.normal[:, 1]
    # cv2.phase (0-2 pi, float32, about 0.3 degrees accurate): half the time of np.arctan2 here.
    ang = cv2.phase((a11 * nx - a10 * ny).astype(np.float32), (-a01 * nx + a00 * ny).astype(np.float32))
    bins = (ang * np.float32(N_BINS / math.pi)).astype(np.int32) % N_BINS  # as orientation_bits
    return px, py, bins


def shape_matrix(scale: float, turn: float, squash: float = 1.0, axis: float = 0.0) -> np.ndarray:
    """2x2: scale * rotation(turn) * (squash along ``axis``): a print seen turned and tilted."""
    c, s = math.cos(turn), math.sin(turn)
    ca, sa = math.cos(axis), math.sin(axis)
    r = np.array([[c, -s], [s, c]])
    ax = np.array([[ca, -sa], [sa, ca]])
    return scale * r @ ax @ np.diag([1.0, squash]) @ ax.T


class _Gather:
    """The response maps of all levels in one flat buffer, for scoring feature sets anywhere on them.

    Per level and template orientation, the response (``STRICT``) to the orientations present
    within 1 px: ``cv2.LUT`` of the spread bit field, written straight into the buffer. Each
    level's maps have a ``NEUTRAL`` border (filled when the buffer's layout changes, never
    written after): a feature outside the frame is clipped into it and counts as neither
    agreeing nor disagreeing.
    """

    SHIFT = 2  # the local search's largest shift, px
    BORDER = 2 * SHIFT + 1  # a feature clipped into the border stays there when shifted

    def __init__(self, greys: list[np.ndarray], min_mag: float) -> None:
        b = self.BORDER
        self.h = np.array([g.shape[0] + 2 * b for g in greys], np.int32)
        self.w = np.array([g.shape[1] + 2 * b for g in greys], np.int32)
        sizes = [N_BINS * int(h) * int(w) for h, w in zip(self.h, self.w, strict=True)]
        self.base = np.cumsum([0, *sizes])[:-1].astype(np.int32)
        self.flat = _ARENA.zeroed("gather", (sum(sizes),), np.uint8, tuple(sizes), NEUTRAL)
        self.maps: list[np.ndarray] = []  # per level (8, H, W): the frame's part of the bordered maps
        for li, g in enumerate(greys):
            h, w = int(self.h[li]), int(self.w[li])
            spread = spread_bits(g, min_mag, _ARENA.get(f"spread{li}", g.shape, np.uint8))
            m = self.flat[self.base[li]:self.base[li] + sizes[li]].reshape(N_BINS, h, w)[:, b:h - b, b:w - b]
            for o in range(N_BINS):
                cv2.LUT(spread, STRICT[o], dst=m[o])
            self.maps.append(m)

    def score(self, which: np.ndarray, x: np.ndarray, y: np.ndarray, bins: np.ndarray, shifts: np.ndarray) -> np.ndarray:
        """Mean responses (-1..1) (C, M * S) of feature sets at ``x``, ``y`` (C, M, F) level px with ``bins``.

        On levels ``which`` (C,), each moved by every one of the integer ``shifts`` (S, 2) (at most
        ``SHIFT`` px); the scores are ordered by set, then shift.
        """
        b = self.BORDER
        base, h, w = (v[which][:, None, None] for v in (self.base, self.h, self.w))
        lo = self.SHIFT
        xi = np.minimum(np.maximum((x + (b + 0.5)).astype(np.int32), lo), w - 1 - lo)
        yi = np.minimum(np.maximum((y + (b + 0.5)).astype(np.int32), lo), h - 1 - lo)
        idx = base + (bins.astype(np.int32, copy=False) * h + yi) * w + xi  # (C, M, F)
        step = shifts[:, 1].astype(np.int32)[None, :] * self.w[which][:, None] + shifts[:, 0].astype(np.int32)  # (C, S)
        n_c, n_m, n = x.shape
        full = _ARENA.get("score_idx", (n_c, n_m, len(shifts), n), np.intp)
        np.add(idx[:, :, None, :], step[:, None, :, None], out=full)
        vals = np.take(self.flat, full, out=_ARENA.get("score_vals", full.shape, np.uint8), mode="clip")
        # cv2.reduce: exact integer sums like numpy's, at a tenth of the time of a uint16 sum over a short last axis.
        sums = cv2.reduce(vals.reshape(-1, n), 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S).reshape(n_c, -1)
        return (sums - NEUTRAL * n) / (MAX_RESPONSE * n)


class _Level:
    """One pyramid level's response maps as LINE-2D's linear memories, for the exhaustive coarse search."""

    def __init__(self, li: int, maps: np.ndarray, scale: float, sizes: tuple[float, ...], pad: int) -> None:
        self.scale, self.sizes = scale, sizes
        self.h, self.w = maps.shape[1:]
        t = STRIDE
        # Linear memories (LINE-2D): for each orientation o and grid phase (py, px) the block
        # maps[o, py::t, px::t] of the padded maps, all in one flat buffer, so that a feature at
        # (dx, dy) with orientation o reads one contiguous slice for the whole grid. A grid row
        # is as wide as the padded block (gw_pad), its last columns are discarded. Outside the
        # frame the memory holds 0 (disagreement); only the frame's part is written per frame.
        self.gh, self.gw = -(-self.h // t), -(-self.w // t)
        self.ghp, self.gwp = -(-(self.h + 2 * pad) // t), -(-(self.w + 2 * pad) // t)
        self.n = self.gh * self.gwp
        self.memory = _ARENA.zeroed(f"memory{li}", (N_BINS * t * t * self.ghp * self.gwp + self.n,), np.uint8,
                                    (self.h, self.w, pad))
        blocks = self.memory[:-self.n].reshape(N_BINS, t, t, self.ghp, self.gwp)
        for py in range(t):
            for px in range(t):
                # Padded pixel (pad + y) = (row * t + py) holds the level's pixel y.
                y0, x0 = (py - pad) % t, (px - pad) % t
                src = maps[:, y0::t, x0::t]
                r0, c0 = (pad + y0) // t, (pad + x0) // t
                blocks[:, py, px, r0:r0 + src.shape[1], c0:c0 + src.shape[2]] = src
        self.pad, self.li = pad, li

    def offsets(self, dx: np.ndarray, dy: np.ndarray, bins: np.ndarray) -> np.ndarray:
        """Start in ``memory`` of each feature's slice (same shape as the inputs)."""
        t, yy, xx = STRIDE, dy + self.pad, dx + self.pad
        block = ((bins * t + yy % t) * t + xx % t) * (self.ghp * self.gwp)
        return block + (yy // t) * self.gwp + xx // t

    def coarse(self, dx: np.ndarray, dy: np.ndarray, bins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Summed responses (E, gh, gw) uint8 of entries with feature offsets ``dx``, ``dy`` (E, F) at each grid point,
        and their maximum over the entries (gh, gw).

        On a small level each feature's slices of all entries are gathered at once (rows of a
        sliding-window view of the memory) and added into the accumulator (E, grid): F gathers
        and additions a level. On a large one those (E, grid) blocks would not stay in the cache:
        there each entry's row of the accumulator (a few KB) takes its slices one by one.
        """
        starts = self.offsets(dx, dy, bins)
        n_e, n = len(dx), self.n
        acc = _ARENA.get(f"acc{self.li}", (n_e, n), np.uint8)
        if n < self.ROW_BYTES:
            rows = sliding_window_view(self.memory, n)
            np.copyto(acc, rows[starts[:, 0]])
            for j in range(1, starts.shape[1]):
                np.add(acc, rows[starts[:, j]], out=acc)
            best = np.maximum.reduce(acc, axis=0)
        else:
            add, best = np.add, None
            for row, views in zip(acc, _ARENA.slices(f"memory{self.li}", starts, n), strict=True):
                np.copyto(row, views[0])
                for v in views[1:]:
                    add(row, v, row)
                best = row.copy() if best is None else np.maximum(best, row, out=best)  # while the row is in the cache
        return (acc.reshape(n_e, self.gh, self.gwp)[:, :, :self.gw],
                best.reshape(self.gh, self.gwp)[:, :self.gw])

    ROW_BYTES = 12000  # grid size from which each entry is summed on its own


class ShapeMatcher:
    """Exhaustive LINE-2D style search for one mark: ``hypotheses(levels(pyr))`` -> scored affine poses."""

    def __init__(self, grey_ref: np.ndarray, n_features: int = 48, n_outline: int = 12, n_coarse: int = 24,
                 turns: int = 16, sizes: tuple[float, ...] = SIZES, min_mag: float = 30.0) -> None:
        h, w = grey_ref.shape
        self.ref_size = (w, h)
        self.fine, self.coarse = reference_features(grey_ref, n_features, n_outline, n_coarse)
        if len(self.coarse.xy) * 2 * MAX_RESPONSE > 255:
            raise ValueError(f"too many coarse features for uint8 sums: {len(self.coarse.xy)} (at most 31)")
        self.turns = turns
        self.min_mag = min_mag
        self._centre = np.array([w / 2.0, h / 2.0])
        self._geo = math.sqrt(w * h)  # reference px
        # Local search around a coarse entry: turns half a bank step either way and sizes an
        # eighth of an octave either way (9 variations) at shifts of one grid step; then tilts
        # of the best: squash 0.8 and 0.6 along four axes (8 more), then half those turn and
        # size steps, both at one-pixel shifts.
        half = math.pi / turns
        tilts = [(q, k * math.pi / 4) for q in (0.8, 0.6) for k in range(4)]
        self._local = np.array([shape_matrix(ds, dt) for dt in (-half, 0.0, half) for ds in (0.89, 1.0, 1.12)])
        self._tilt_m = np.array([np.eye(2)] + [shape_matrix(1.0, 0.0, sq, ax) for sq, ax in tilts])
        q = half / 2
        self._local2 = np.array([shape_matrix(ds, dt) for dt in (-q, 0.0, q) for ds in (0.94, 1.0, 1.06)])
        self._unit_shifts = np.array([(sx, sy) for sx in (-1, 0, 1) for sy in (-1, 0, 1)], np.float64)
        # The bank: every size and turn, as arrays over entries.
        sz, tn, mats, dxs, dys, bs = [], [], [], [], [], []
        for size in sizes:
            for i in range(turns):
                turn = 2 * math.pi * i / turns
                a = shape_matrix(size / self._geo, turn)
                xy, bins = transform(self.coarse, a[None], -(a @ self._centre)[None])
                d = np.rint(xy[0]).astype(np.int64)
                sz.append(size), tn.append(turn), mats.append(a), dxs.append(d[:, 0]), dys.append(d[:, 1])
                bs.append(bins[0])
        self._size, self._turn, self._a = np.array(sz), np.array(tn), np.array(mats)
        self._size_list, self._turn_list = [float(v) for v in sz], [float(v) for v in tn]
        self._dx, self._dy, self._bins = np.array(dxs), np.array(dys), np.array(bs)
        self._reach = np.maximum(np.abs(self._dx), np.abs(self._dy)).max(1)  # per entry, px from the centre
        self._banks: dict[tuple[float, ...], tuple[np.ndarray, int, np.ndarray, np.ndarray, np.ndarray]] = {}

    def levels(self, pyr: FramePyramid, search_scale: float = 1.0) -> list[tuple[np.ndarray, float, tuple[float, ...]]]:
        """``pyramid_levels`` for this mark."""
        return pyramid_levels(pyr, self.ref_size, search_scale)

    def hypotheses(self, levels: list[tuple[np.ndarray, float, tuple[float, ...]]], top: int = 4,
                   peaks: int = 6, refine: int = 10, again: int = 4) -> list[tuple[float, np.ndarray]]:
        """The ``top`` best (score 0-1, affine homography reference px -> level-0 px), best first.

        ``levels``: (grey image, its scale relative to level 0, sizes to search there), as
        ``pyramid_levels`` gives them. Of at most ``peaks`` coarse peaks per level, the ``refine``
        best are searched locally, and the ``again`` best of those a second time.

        On train quick and val (line art), every shape pose that went on to verify came from one
        of the eight best coarse peaks (train: the six best) and ranked among the three best after
        the first round; refining 10 and 4 rather than 16 and 8 peaks (all peaks of a frame but a
        few) cuts the local search by about 40 % and changed no outcome in the A/B.
        """
        gather = _Gather([grey for grey, _, _ in levels], self.min_mag)
        lvs, cands = [], []  # cands: (score, x, y, entry, level)
        for li, (_, scale, sizes) in enumerate(levels):
            ents, pad, dx, dy, bins = self._bank(sizes)
            lv = _Level(li, gather.maps[li], scale, sizes, pad)
            lvs.append(lv)
            cands += self._peaks(*lv.coarse(dx, dy, bins), ents, li, peaks)
        cands.sort(key=lambda c: -c[0])
        cands = cands[:refine]
        if not cands:
            return []
        idx, a, t, s = self._refine(gather, cands, again)
        results: list[tuple[float, np.ndarray, float]] = []
        for i, ai, ti, si in zip(idx.tolist(), a, t, s.tolist(), strict=True):
            _, _, _, e, li = cands[i]
            f = lvs[li].scale  # level px -> level-0 px
            hm = np.array([[ai[0, 0] / f, ai[0, 1] / f, ti[0] / f], [ai[1, 0] / f, ai[1, 1] / f, ti[1] / f],
                           [0.0, 0.0, 1.0]])
            results.append((si, hm, float(self._size[e]) / f))
        results.sort(key=lambda r: -r[0])
        out: list[tuple[float, np.ndarray]] = []
        kept_c: list[tuple[float, float, float, float]] = []
        for s_, hm, size in results:
            if s_ <= 0.0:  # no more agreeing than disagreeing orientations: nothing there
                break
            c = hm[:2, :2] @ self._centre + hm[:2, 2]
            turn = math.atan2(hm[1, 0], hm[0, 0])
            if any(math.hypot(c[0] - o[0], c[1] - o[1]) < 0.25 * max(size, o[2])
                   and abs((turn - o[3] + math.pi) % (2 * math.pi) - math.pi) < math.pi / 6 for o in kept_c):
                continue
            out.append((s_, hm))
            kept_c.append((float(c[0]), float(c[1]), size, turn))
            if len(out) >= top:
                break
        return out

    def _bank(self, sizes: tuple[float, ...]) -> tuple[np.ndarray, int, np.ndarray, np.ndarray, np.ndarray]:
        """(entries, pad, dx, dy, bins) of the bank's entries at ``sizes``; pad: their reach + 1 px."""
        key = tuple(sizes)
        if key not in self._banks:
            ents = np.flatnonzero(np.isin(self._size, sizes))
            self._banks[key] = (ents, int(self._reach[ents].max()) + 1, self._dx[ents], self._dy[ents], self._bins[ents])
        return self._banks[key]

    def _peaks(self, acc: np.ndarray, best: np.ndarray, ents: np.ndarray, li: int, peaks: int) -> list[tuple[float, float, float, int, int]]:
        """At most ``peaks`` coarse candidates (score, x, y, entry, level) of one level's sums ``acc`` (E, gh, gw).

        ``best``: the sums' maximum over the entries (gh, gw).

        The best entry's score at each grid point ranks the places; at each of the ``4 * peaks``
        best, the best two entries, unless a candidate kept already lies near with a similar turn.
        """
        n_c = self._dx.shape[1]
        flat = best.astype(np.int32).ravel()
        k = min(flat.size, 4 * peaks)
        idx = np.argpartition(-flat, k - 1)[:k]
        idx = idx[np.argsort(-flat[idx], kind="stable")]
        gys, gxs = np.divmod(idx, best.shape[1])
        cols = acc[:, gys, gxs].astype(np.int32)  # (E, k)
        # The best two entries at the place, when their turns differ: a ring of circles fits its
        # outline at any turn, and only the alignment tells them apart.
        top2 = np.argsort(-cols, axis=0, kind="stable")[:2]
        sizes, turns = self._size_list, self._turn_list
        kept: list[tuple[float, float, float, int, int]] = []
        for i, (gy, gx) in enumerate(zip(gys.tolist(), gxs.tolist(), strict=True)):
            x, y = float(gx * STRIDE), float(gy * STRIDE)
            for ei in top2[:, i].tolist():
                e = int(ents[ei])
                if any(math.hypot(x - g[1], y - g[2]) < 0.3 * max(sizes[e], sizes[g[3]])
                       and abs((turns[e] - turns[g[3]] + math.pi) % (2 * math.pi) - math.pi) < math.pi / 6
                       for g in kept):
                    continue
                kept.append(((float(cols[ei, i]) - NEUTRAL * n_c) / (MAX_RESPONSE * n_c), x, y, e, li))
            if len(kept) >= peaks:
                break
        return kept

    def _refine(self, gather: _Gather, cands: list[tuple[float, float, float, int, int]], n_again: int = 4
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(peak indices, A (K, 2, 2), t (K, 2), score (K,)): the best poses near coarse peaks, by coordinate descent.

        Nearby turns and sizes at shifts of one grid step; then the tilts of the best; then half
        the turn and size steps, at one-pixel shifts; then all three again from there at one-pixel
        shifts for the ``n_again`` best peaks (a second round pulls in the views whose first round
        went part of the way). All peaks at once, with all features.
        """
        which = np.array([c[4] for c in cands])
        ents = np.array([c[3] for c in cands])
        c = np.array([(c[1], c[2]) for c in cands], np.float64)  # (C, 2) level px
        a = self._a[ents]  # (C, 2, 2)
        first = ((self._local, float(STRIDE)), (self._tilt_m, 1.0), (self._local2, 1.0))
        again = ((self._local, 1.0), (self._tilt_m, 1.0), (self._local2, 1.0))
        idx = np.arange(len(cands))
        best = np.zeros(len(cands))
        for k, (mats, step) in enumerate(first + again):
            if k == len(first):  # the second round for the best few only
                keep = np.argsort(-best, kind="stable")[:max(1, n_again)]
                idx, which, a, c = idx[keep], which[keep], a[keep], c[keep]
            a_s = a[:, None] @ mats[None]  # (C, M, 2, 2)
            n_c, n_m = a_s.shape[:2]
            flat_a = a_s.reshape(-1, 2, 2)
            px, py, bins = _moved(self.fine, flat_a, -(flat_a @ self._centre))
            x = px.reshape(n_c, n_m, -1) + c[:, None, None, 0]  # (C, M, F)
            y = py.reshape(n_c, n_m, -1) + c[:, None, None, 1]
            shifts = self._unit_shifts * step
            sc = gather.score(which, x, y, bins.reshape(n_c, n_m, -1), shifts)
            j = np.argmax(sc, axis=1)
            mi, si = np.divmod(j, len(shifts))
            a, c, best = a_s[np.arange(n_c), mi], c + shifts[si], sc[np.arange(n_c), j]
        return idx, a, c - np.einsum("cij,j->ci", a, self._centre), best


def pyramid_levels(pyr: FramePyramid, ref_size: tuple[int, int], search_scale: float = 1.0
                   ) -> list[tuple[np.ndarray, float, tuple[float, ...]]]:
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
    for level, sizes in ((1, fine), (2, (24.0, 34.0)), (3, coarse)):
        img, f = pyr.level(level + extra)
        out.append((img, f, sizes))
    return out
