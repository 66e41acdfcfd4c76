"""Direct image alignment (ECC homography, coarse to fine) and correlation verification.

Alignment always happens in template space: the frame is warped by the current estimate into a
small patch, so the cost depends on the template size, never on the camera resolution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from game.vision.geometry import long_side, project, scale_mat, translate_mat
from game.vision.ic import ICTemplate, ic_align
from game.vision.planes import cached_plane_basis, deplane, plane_basis


class FramePyramid:
    """Lazily built pyrDown levels of the projected-grey frame."""

    def __init__(self, grey: np.ndarray) -> None:
        self.levels = [grey]

    def level(self, i: int) -> tuple[np.ndarray, float]:
        """The image at level i (or the deepest available) and its scale relative to level 0."""
        while len(self.levels) <= i:
            prev = self.levels[-1]
            if min(prev.shape[:2]) < 16:
                break
            self.levels.append(cv2.pyrDown(prev))
        j = min(i, len(self.levels) - 1)
        return self.levels[j], 0.5**j

    def level_for(self, apparent: float, template_side: float) -> int:
        """The deepest level where the target is still at least as big as the template."""
        if apparent <= template_side:
            return 0
        return max(0, math.floor(math.log2(apparent / template_side)))


def apparent_size(h: np.ndarray, ref_size: tuple[int, int]) -> float:
    """Long side of the projected reference, in frame pixels.

    Plain floats on four corners: this runs for every alignment level and verification, where
    ``project``'s numpy calls cost ten times the arithmetic.
    """
    (a, b, c), (d, e, f), (g, k, m) = h.tolist()
    w, hh = float(ref_size[0]), float(ref_size[1])
    q = []
    for x, y in ((0.0, 0.0), (w, 0.0), (w, hh), (0.0, hh)):
        z = g * x + k * y + m
        if abs(z) < 1e-12:
            z = 1e-12
        q.append(((a * x + b * y + c) / z, (d * x + e * y + f) / z))
    return long_side(np.array(q))


def warp_to_template(level_img: np.ndarray, h_t2l: np.ndarray, size: tuple[int, int], margin: int = 0) -> np.ndarray:
    """Sample the frame level at template coordinates (plus a margin all round)."""
    m = h_t2l @ translate_mat(-margin, -margin)
    return cv2.warpPerspective(level_img, m, (size[0] + 2 * margin, size[1] + 2 * margin),
                               flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE)


def frame_patch(pyr: FramePyramid, size: tuple[int, int], k: float, h: np.ndarray, apparent: float) -> np.ndarray:
    """The frame under pose ``h`` sampled on a template grid of ``size`` (template px per reference px ``k``).

    Taken from the pyramid level where the view (``apparent`` px long) is about template-sized.
    """
    img, f = pyr.level(pyr.level_for(apparent, max(size)))
    return warp_to_template(img, scale_mat(f) @ h @ scale_mat(1.0 / k), size)


def ecc_refine(pyr: FramePyramid, templates: list[tuple[np.ndarray, float]], h: np.ndarray,
               ref_size: tuple[int, int], levels: tuple[int, ...], iters: int = 30,
               margin_frac: float = 0.2, blur: int = 5, motion: int = cv2.MOTION_HOMOGRAPHY
               ) -> tuple[np.ndarray, float] | None:
    """Refine h (reference px -> frame px) with ECC over the given template levels.

    Returns (h, correlation at the finest level) or None when ECC diverged.
    """
    cc = 0.0
    for li in levels:
        tmpl, k = templates[li]
        th, tw = tmpl.shape
        side = max(tw, th)
        lvl = pyr.level_for(apparent_size(h, ref_size), side)
        img, f = pyr.level(lvl)
        h_t2l = scale_mat(f) @ h @ scale_mat(1.0 / k)
        margin = max(2, round(margin_frac * side))
        patch = warp_to_template(img, h_t2l, (tw, th), margin).astype(np.float32)
        # Without its brightness ramp (see match_score): ECC itself allows only gain and bias. (The
        # template keeps its own: removing it too lost 4 of 200 bench detections without a ramp.)
        patch = deplane(patch.ravel(), cached_plane_basis(patch.shape)).reshape(patch.shape)
        delta = translate_mat(margin, margin).astype(np.float32)
        if motion != cv2.MOTION_HOMOGRAPHY:
            delta = delta[:2].copy()
        crit = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, iters, 1e-4)
        try:
            cc, delta = cv2.findTransformECC(tmpl, patch, delta, motion, crit, None, blur)
        except cv2.error:
            return None
        if delta.shape[0] == 2:
            delta = np.vstack([delta, [0.0, 0.0, 1.0]])
        h_t2l = h_t2l @ translate_mat(-margin, -margin) @ delta.astype(np.float64)
        h = scale_mat(1.0 / f) @ h_t2l @ scale_mat(k)
        h = h / h[2, 2]
        if not np.all(np.isfinite(h)):
            return None
    return h, float(cc)


def ic_refine(pyr: FramePyramid, ics: list[ICTemplate], h: np.ndarray, ref_size: tuple[int, int],
              levels: tuple[int, ...], iters: int = 30, partial: bool = False,
              give_up: tuple[int, float] | None = None) -> tuple[np.ndarray, float] | None:
    """Like ``ecc_refine``, with the inverse-compositional aligner (for starts already close).

    With ``partial``, the template pixels the start pose puts outside the frame (a print reaching
    beyond the frame's edge) are left out.
    ``give_up`` is passed to ``ic_align`` for each level.
    """
    cc = 0.0
    for li in levels:
        ict = ics[li]
        th, tw = ict.tmpl.shape
        img, f = pyr.level(pyr.level_for(apparent_size(h, ref_size), max(tw, th)))
        m0 = scale_mat(f) @ h @ scale_mat(1.0 / ict.scale)
        mask = None
        if partial:
            full = pyr.levels[0].shape
            inside = inframe_mask((tw, th), ict.scale, h, (full[1], full[0]))
            if inside is not None:
                # eroded: the aligner's 3-px smoothing reaches a pixel past the edge
                inside = cv2.erode(inside.astype(np.uint8), np.ones((3, 3), np.uint8))
                mask = inside * 255 if mask is None else np.minimum(mask, inside * 255)
        res = ic_align(img, ict, m0, iters, mask=mask, subset=partial, give_up=give_up)
        if res is None:
            return None
        m, cc = res
        h = scale_mat(1.0 / f) @ m @ scale_mat(ict.scale)
        h = h / h[2, 2]
    return h, float(cc)


def verify(pyr: FramePyramid, template: tuple[np.ndarray, float], h: np.ndarray, ref_size: tuple[int, int],
           keep: float = 0.8, min_cells: float = 0.75, prepared: VerifyTemplate | None = None,
           partial: bool = False) -> float:
    """Occlusion-tolerant normalised correlation between the template and the warped frame.

    The worst (1 - keep) of pixels by residual are ignored, so fingers or glare over part of the
    logo lower the score only a little, while a random patch still scores low. (Comparing with a
    blurred template as well would find more blurred prints, but a blurred ring-shaped mark then
    matches any red ellipse: tried and dropped.) ``prepared`` is ``VerifyTemplate.build(template[0])``,
    precomputed by callers that verify often. With ``partial``, a view reaching beyond the frame
    is compared on its pixels inside the frame only (``inframe_mask``).
    """
    tmpl, k = template
    th, tw = tmpl.shape
    patch = frame_patch(pyr, (tw, th), k, h, apparent_size(h, ref_size)).astype(np.float32)
    full = pyr.levels[0].shape
    visible = inframe_mask((tw, th), k, h, (full[1], full[0])) if partial else None
    return match_score(prepared or VerifyTemplate.build(tmpl), patch, keep, min_cells, visible)


def inframe_mask(size: tuple[int, int], k: float, h: np.ndarray, frame_size: tuple[int, int]) -> np.ndarray | None:
    """Template pixels (``size`` = (w, h), ``k`` template px per reference px) that pose ``h`` puts
    inside the frame, as a bool array; None when all of them are inside."""
    tw, th = size
    fw, fh = frame_size
    q = project(h @ scale_mat(1.0 / k), _pixel_grid(tw, th)).reshape(th, tw, 2)
    inside = (q[..., 0] >= 0) & (q[..., 0] <= fw - 1) & (q[..., 1] >= 0) & (q[..., 1] <= fh - 1)
    return None if bool(inside.all()) else inside


def narrowest_stretch(h: np.ndarray, ref_size: tuple[int, int]) -> float:
    """Frame px per reference px of pose ``h`` along the direction it squashes most, at the mark's centre.

    The smallest singular value of the pose's Jacobian there: a view resolves its mark along every
    direction by ``narrowest_stretch * max(ref_size)`` frame px at least (``apparent_size`` is the
    long side, the most it resolves along any).
    """
    (a, b, c), (d, e, f), (g, k, m) = np.asarray(h, np.float64).tolist()
    x, y = 0.5 * ref_size[0], 0.5 * ref_size[1]
    z = g * x + k * y + m
    if abs(z) < 1e-12:
        return 0.0
    u, v = (a * x + b * y + c) / z, (d * x + e * y + f) / z
    j11, j12, j21, j22 = (a - u * g) / z, (b - u * k) / z, (d - v * g) / z, (e - v * k) / z
    t = j11 * j11 + j12 * j12 + j21 * j21 + j22 * j22
    det = j11 * j22 - j12 * j21
    # sigma_max from the sum, sigma_min = |det| / sigma_max (no cancellation for thin poses).
    s_max = math.sqrt(0.5 * (t + math.sqrt(max(0.0, t * t - 4.0 * det * det))))
    return abs(det) / s_max if s_max > 0.0 else 0.0


@lru_cache(maxsize=16)
def _pixel_grid(w: int, h: int) -> np.ndarray:
    ys, xs = np.mgrid[0:h, 0:w]
    g = np.stack([xs.ravel(), ys.ravel()], 1).astype(np.float64)
    g.flags.writeable = False
    return g


@dataclass(frozen=True)
class CellStats:
    """A template's per-cell means and variances on a grid (for ``cell_agreement``)."""

    grid: int
    crop: tuple[int, int]  # (rows, cols) covered by whole cells
    centred: np.ndarray  # the cropped template minus its mean, float32
    mean: np.ndarray  # (grid, grid) cell means of ``centred``
    var: np.ndarray  # (grid, grid) cell variances
    textured: np.ndarray  # (grid, grid) bool: cells with a standard deviation >= 3 grey levels
    # per call, only the patch's side is computed: the rest of the correlation's terms are fixed
    var_pos: np.ndarray  # ``var`` clipped at 0 (float32 rounding)
    n_textured: int  # textured cells
    eps: float  # guard of the correlation's denominator (1e-6 per cell pixel)

    @classmethod
    def build(cls, tmpl: np.ndarray, grid: int) -> CellStats:
        th, tw = tmpl.shape
        crop = (th // grid * grid, tw // grid * grid)
        a = np.ascontiguousarray(tmpl[: crop[0], : crop[1]], np.float32)
        a = a - float(a.mean())  # centred, so the float32 moments below stay well-conditioned
        mean = _cell_means(a, grid)
        var = _cell_means(a * a, grid) - mean * mean
        textured = var >= 9.0
        return cls(grid, crop, a, mean, var, textured, np.maximum(var, 0.0), int(np.count_nonzero(textured)),
                   1e-6 / ((crop[0] // grid) * (crop[1] // grid)))


@dataclass(frozen=True)
class VerifyTemplate:
    """The fixed half of ``match_score``: the normalised template and its cell statistics."""

    tmpl: np.ndarray
    unit: np.ndarray  # pixels without their best-fit plane, unit variance, float32 (N,)
    plane: np.ndarray  # orthonormal basis of the planes a + b x + c y over the template, float32 (N, 3)
    cells: tuple[CellStats, CellStats]  # 4x4 and 6x6 grids

    @classmethod
    def build(cls, tmpl: np.ndarray) -> VerifyTemplate:
        t = tmpl.astype(np.float32)
        plane = cached_plane_basis(t.shape)  # one per shape: a blur bank builds 60 of a few shapes
        return cls(t, _unit(deplane(t.ravel(), plane)), plane, (CellStats.build(t, 4), CellStats.build(t, 6)))


def _unit(x: np.ndarray) -> np.ndarray:
    """Zero-mean, unit-variance copy (cv2.meanStdDev: numpy's std costs five times as much here)."""
    m, s = cv2.meanStdDev(x)
    return (x - np.float32(m[0, 0])) * np.float32(1.0 / (s[0, 0] + 1e-6))


def _cell_means(x: np.ndarray, grid: int) -> np.ndarray:
    return cv2.resize(x, (grid, grid), interpolation=cv2.INTER_AREA)


def match_score(tmpl: VerifyTemplate | np.ndarray, patch: np.ndarray, keep: float = 0.8,
                min_cells: float = 0.75, visible: np.ndarray | None = None) -> float:
    """The verification score of a template-sized patch (see ``verify``); 0 when it fails a gate.

    ``visible`` (template shape, bool) limits the comparison to the template pixels that lie
    inside the frame: outside it, the patch holds replicated border pixels (stripes).
    """
    vt = tmpl if isinstance(tmpl, VerifyTemplate) else VerifyTemplate.build(tmpl)
    patch = patch.astype(np.float32, copy=False)
    # Compared without their best-fit planes: under a lamp to one side, the plain card of a
    # print is a brightness ramp that the template lacks (bench prints under a 0.5-1.3 light
    # falloff across the frame: true poses lost 0.1-0.3 of their score).
    if visible is None:
        a, b = vt.unit, deplane(patch.ravel(), vt.plane)
    else:
        plane = plane_basis(patch.shape, visible)
        a, b = _unit(deplane(vt.tmpl[visible], plane)), deplane(patch[visible], plane)
    mean, sd = cv2.meanStdDev(b)
    if sd[0, 0] < 2.0:  # a flat patch (or a plain ramp) cannot be the logo
        return 0.0
    # Trimming (below) forgives a finger, but it also forgives a mirrored or look-alike mark whose
    # differing strokes are fewer than the trimmed pixels; most of the mark's cells must agree.
    # (Checked first: a pose that fails here needs none of the correlations.)
    if cell_agreement(vt.cells[0], patch, visible=visible) < min_cells:
        return 0.0
    # A 4x4 grid still passes a plain ring for a mark drawn inside an oval outline (11 of 14
    # cells hold only the outline); on a finer grid the inner strokes own enough cells to fail
    # it, while true views keep >= 0.75 there (bench: 5th percentile 0.67-0.9 by target).
    if min_cells > 0 and cell_agreement(vt.cells[1], patch, visible=visible) < min_cells - 0.15:
        return 0.0
    b = (b - np.float32(mean[0, 0])) * np.float32(1.0 / (sd[0, 0] + 1e-6))  # _unit(b)
    n = a.size
    ncc_all = float(np.dot(a, b)) / n
    r = np.abs(a - b)
    # np.quantile(r, keep) (linear interpolation), from a partial sort: a fifth of the cost. The
    # next order statistic is the least of those above (a quarter of the cost of a second kth).
    pos = keep * (n - 1)
    lo = int(pos)
    part = np.partition(r, lo)
    lo_v = part[lo]
    hi_v = part[lo + 1:].min() if lo + 1 < n else lo_v
    cut = float(lo_v) + (pos - lo) * float(hi_v - lo_v)
    sel = r <= cut
    a2, b2 = a[sel], b[sel]
    m = a2.size
    # Pearson correlation of the kept pixels from sums (no centred copies).
    sa, sb_, sab = float(a2.sum()), float(b2.sum()), float(np.dot(a2, b2))
    va = float(np.dot(a2, a2)) - sa * sa / m
    vb = float(np.dot(b2, b2)) - sb_ * sb_ / m
    ncc_kept = (sab - sa * sb_ / m) / (math.sqrt(max(va, 0.0) * max(vb, 0.0)) + 1e-6)
    return max(0.0, 0.5 * ncc_all + 0.5 * ncc_kept)


def cell_agreement(cells: CellStats | np.ndarray, patch: np.ndarray, grid: int = 4, good: float = 0.4,
                   visible: np.ndarray | None = None) -> float:
    """Fraction of the template's textured grid cells whose local correlation with the patch is good.

    ``cells`` is the template's ``CellStats`` (its grid wins over ``grid``) or the template itself.
    With ``visible`` (see ``match_score``) only cells wholly inside the frame count, and a view
    that leaves more than half of the textured cells outside scores 0.
    """
    cs = cells if isinstance(cells, CellStats) else CellStats.build(cells, grid)
    textured, n = cs.textured, cs.n_textured
    if visible is not None:
        inside = _cell_means(np.ascontiguousarray(visible[: cs.crop[0], : cs.crop[1]], np.float32), cs.grid) >= 0.999
        textured = textured & inside
        if 2 * int(np.count_nonzero(textured)) < n:
            return 0.0
        n = int(np.count_nonzero(textured))
    if n == 0:
        return 1.0
    b = np.ascontiguousarray(patch[: cs.crop[0], : cs.crop[1]], np.float32)
    b = b - float(b.sum() / b.size)  # the mean (ndarray.mean's wrapper costs more than the sum)
    mb = _cell_means(b, cs.grid)
    vb = _cell_means(b * b, cs.grid) - mb * mb
    cab = _cell_means(cs.centred * b, cs.grid) - cs.mean * mb
    ncc = cab / (np.sqrt(cs.var_pos * np.maximum(vb, 0.0)) + cs.eps)
    return np.count_nonzero(ncc[textured] > good) / n


def quick_score(pyr: FramePyramid, template: tuple[np.ndarray, float], h: np.ndarray, apparent: float,
                tnorm: np.ndarray | None = None) -> float:
    """Plain normalised correlation of the small template with the warped frame (for ranking).

    ``tnorm`` is ``normalized_template(template[0])``, precomputed by callers that score many
    hypotheses (this runs ~40 times per frame, so per-call overhead matters).
    """
    tmpl, k = template
    th, tw = tmpl.shape
    lvl = pyr.level_for(apparent, max(tw, th))
    img, f = pyr.level(lvl)
    m = h * _quick_scales(f, k)  # scale_mat(f) @ h @ scale_mat(1 / k)
    patch = cv2.warpPerspective(img, m, (tw, th), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                borderMode=cv2.BORDER_REPLICATE)
    _, sd = cv2.meanStdDev(patch)
    sd = float(sd[0, 0])
    if sd < 2.0:
        return 0.0
    if tnorm is None:
        tnorm = normalized_template(tmpl)
    return float(np.dot(tnorm.ravel(), patch.ravel().astype(np.float32))) / (sd * tnorm.size)


@lru_cache(maxsize=64)
def _quick_scales(f: float, k: float) -> np.ndarray:
    """Element-wise factors that turn h into ``scale_mat(f) @ h @ scale_mat(1 / k)`` (read-only)."""
    a, b = f / k, 1.0 / k
    m = np.array([[a, a, f], [a, a, f], [b, b, 1.0]])
    m.flags.writeable = False
    return m


def normalized_template(tmpl: np.ndarray) -> np.ndarray:
    """Zero-mean, unit-std float32 copy of a template (the fixed half of a normalised correlation)."""
    t = tmpl.astype(np.float32)
    t = t - t.mean()
    return t / (float(t.std()) + 1e-6)
