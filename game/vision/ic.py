"""Inverse-compositional Gauss-Newton homography alignment (Baker & Matthews 2004), gain/bias invariant.

OpenCV's ``findTransformECC`` rebuilds the Jacobian and Hessian of the warped input at every
iteration (about 0.1 ms per iteration for a 32-px template and 0.8 ms for a 128-px one here).
The inverse-compositional form computes them once per template: an iteration is one warp of
the frame, a normalisation and one (8 x N) product, so it costs a fraction of ECC's. Like ECC
it ignores gain and bias: the warped patch is normalised to the template's mean and spread, and
the steepest-descent images are made orthogonal to the brightness planes a + bx + cy and to the
template itself (the "project out" method for linear appearance variation), so a light falling
off across the print does not pull the pose either.

It converges from closer starting poses than ECC with smoothing, so the detector keeps ECC for
the coarse step from rough hypotheses and uses this for the fine levels and for tracking.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from game.vision.planes import deplane, plane_basis


@dataclass(frozen=True)
class ICTemplate:
    """Precomputed steepest-descent images and inverse Hessian of one template level."""

    tmpl: np.ndarray  # smoothed template, float32 (th, tw)
    zero: np.ndarray  # the template's pixels minus their mean, float32 (N,)
    spread: float  # their standard deviation
    sd: np.ndarray  # steepest-descent images, float32 (8, N), in normalised coordinates
    h_inv: np.ndarray  # inverse Gauss-Newton Hessian, float64 (8, 8)
    norm: np.ndarray  # template px -> normalised coordinates (3, 3)
    norm_inv: np.ndarray
    scale: float  # template px per reference px
    plane: np.ndarray  # orthonormal basis of brightness planes over the template, float32 (N, 3)
    plane_t: np.ndarray  # its transpose, contiguous (3, N)
    # ``sd``, ``plane_t`` and ``zero`` stacked (12, N): an iteration's three products with the
    # patch in one call (each product's call overhead cost more than its arithmetic)
    stacked: np.ndarray

    @classmethod
    def build(cls, tmpl: np.ndarray, scale: float, blur: int = 3) -> ICTemplate:
        t = tmpl.astype(np.float32)
        if blur > 1:
            t = cv2.GaussianBlur(t, (blur, blur), 0)
        th, tw = t.shape
        s = max(tw, th) / 2.0
        cx, cy = (tw - 1) / 2.0, (th - 1) / 2.0
        norm = np.array([[1 / s, 0, -cx / s], [0, 1 / s, -cy / s], [0, 0, 1]])
        gy, gx = np.gradient(t)
        gx, gy = gx * s, gy * s  # gradients per normalised unit
        v, u = np.mgrid[0:th, 0:tw].astype(np.float32)
        u, v = (u - cx) / s, (v - cy) / s
        # d(warp)/d(p) at identity for p = (h00-1, h01, h02, h10, h11-1, h12, h20, h21).
        sd = np.stack([gx * u, gx * v, gx, gy * u, gy * v, gy, -gx * u * u - gy * u * v, -gx * u * v - gy * v * v])
        sd = sd.reshape(8, -1).astype(np.float64)
        plane = plane_basis(t.shape)
        zero = deplane(t.ravel(), plane)
        flat = zero.astype(np.float64) / (np.linalg.norm(zero) + 1e-9)
        # Project out gain and a brightness ramp: SD images orthogonal to the planes a + bx + cy
        # and to the (deplaned) template.
        q = plane.astype(np.float64)
        sd -= (sd @ q) @ q.T
        sd -= np.outer(sd @ flat, flat)
        hess = sd @ sd.T
        sd32, plane_t = sd.astype(np.float32), np.ascontiguousarray(plane.T)
        return cls(t, zero, float(zero.std()) + 1e-6, sd32, np.linalg.inv(hess + 1e-9 * np.eye(8)),
                   norm, np.linalg.inv(norm), scale, plane, plane_t,
                   np.ascontiguousarray(np.vstack([sd32, plane_t, zero[None]]), np.float32))


def ic_align(img: np.ndarray, ict: ICTemplate, m: np.ndarray, iters: int = 30, eps: float = 0.01,
             blur: int = 3, mask: np.ndarray | None = None, subset: bool = False,
             give_up: tuple[int, float] | None = None) -> tuple[np.ndarray, float] | None:
    """Refine ``m`` (template px -> image px) on ``img``; returns (m, NCC) or None when it diverged.

    ``give_up = (k, level)``: None as well when the best NCC of the first ``k`` iterations (or of
    all, if it stops sooner) is below ``level``: a wrong start, which would otherwise wander for
    the full count.

    ``eps`` is the stopping step, in template pixels of corner motion (about). ``mask`` (template
    shape, nonzero = use) leaves out template pixels hidden by an occluder from the steps; the
    Hessian is then rebuilt from the kept pixels once (cheap next to an alignment). Gain and
    brightness planes are still fitted over the whole patch, unless ``subset``: then only the
    kept pixels count at all. That is needed where the left-out pixels are replicated border
    stripes (a print beyond the frame's edge: it drifted 2-4 px without); for occluders the
    whole-patch fit measured better (bench: two kite detections lost, one turned wrong, with
    ``subset``).
    """
    th, tw = ict.tmpl.shape
    sd, h_inv = ict.sd, ict.h_inv
    qt, t_zero, t_std = ict.plane_t, ict.zero, ict.spread
    sel: np.ndarray | None = None
    if mask is not None and subset:
        # Only the kept pixels: their own brightness planes, the template deplaned over them.
        sel = np.flatnonzero(mask.ravel())
        if sel.size < 16:
            return None
        sd = np.ascontiguousarray(ict.sd[:, sel])
        q = plane_basis((th, tw), mask > 0)  # rows in the order of sel (row-major)
        qt = np.ascontiguousarray(q.T)
        t_zero = deplane(ict.tmpl.ravel()[sel], q)
        t_std = float(t_zero.std()) + 1e-6
    elif mask is not None:
        sd = ict.sd * (mask.ravel() > 0).astype(np.float32)
    if mask is not None:
        try:
            h_inv = np.linalg.inv((sd @ sd.T).astype(np.float64))
        except np.linalg.LinAlgError:
            return None
    n = t_zero.size
    # The residual e = k * deplane(b) - t_zero is never formed: its length and sd @ e follow from
    # a few dot products (sd is orthogonal to the planes and the template unless masked).
    sd_q = (sd @ qt.T).astype(np.float64) if mask is not None else None
    sd_t = (sd @ t_zero).astype(np.float64) if mask is not None else None
    tt = float(t_zero @ t_zero)
    step_scale = max(tw, th) / 2.0
    w = m @ ict.norm_inv
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    # Gauss-Newton with a fixed Hessian is not a descent method: once at the optimum, a small
    # model mismatch (background under the template's border, blur) can make it creep away.
    # The residual is known at each iteration anyway, so the best pose so far is kept and the
    # loop stops once the residual stops improving.
    best_w, best_r = w, np.inf
    worse = 0
    var2 = 2.0 * n * t_std * t_std  # NCC = 1 - r / var2
    for it in range(iters + 1):
        patch = cv2.warpPerspective(img, w @ ict.norm, (tw, th), flags=flags, borderMode=cv2.BORDER_REPLICATE)
        if patch.dtype != np.float32:
            patch = patch.astype(np.float32)
        if blur > 1:
            patch = cv2.GaussianBlur(patch, (blur, blur), 0)
        b = patch.ravel() if sel is None else patch.ravel()[sel]
        if mask is None:
            prod = (ict.stacked @ b).astype(np.float64)  # sd @ b, qt @ b, t_zero @ b
            c, bt = prod[8:11], float(prod[11])
        else:
            prod, c, bt = None, (qt @ b).astype(np.float64), float(np.dot(b, t_zero))
        bb = float(np.dot(b, b)) - float(c @ c)  # |deplane(b)|^2
        if bb <= n * 1e-6:
            return None
        k = t_std / math.sqrt(bb / n)
        r = k * k * bb - 2.0 * k * bt + tt
        if r < best_r:
            best_w, best_r, worse = w, r, 0
        else:
            worse += 1
            if worse >= 2:
                break
        if give_up is not None and it + 1 == give_up[0] and 1.0 - best_r / var2 < give_up[1]:
            return None
        g = prod[:8] if prod is not None else (sd @ b).astype(np.float64)
        if sd_q is not None:
            g = k * (g - sd_q @ c) - sd_t
        else:
            g *= k
        dp = (h_inv @ g).tolist()
        if max(map(abs, dp)) * step_scale < eps:
            break
        inc_inv = _inverse_increment(dp)
        if inc_inv is None:
            break
        w = w @ inc_inv
        w = w / w[2, 2]
        if not math.isfinite(float(w.sum())):
            break
    # r = |e|^2 with e the difference of two images of the same spread: NCC = 1 - r / (2 N var).
    ncc = 1.0 - best_r / var2
    if give_up is not None and ncc < give_up[1]:
        return None
    return best_w @ ict.norm, float(ncc)


def _inverse_increment(p: list[float]) -> np.ndarray | None:
    """Inverse of the warp increment [[1+p0, p1, p2], [p3, 1+p4, p5], [p6, p7, 1]] (adjugate; None if singular).

    Plain floats: np.linalg.inv costs more than the rest of an iteration's bookkeeping.
    """
    a, b, c = 1.0 + p[0], p[1], p[2]
    d, e, f = p[3], 1.0 + p[4], p[5]
    g, h, i = p[6], p[7], 1.0
    co0, co1, co2 = e * i - f * h, f * g - d * i, d * h - e * g
    det = a * co0 + b * co1 + c * co2
    if not math.isfinite(det) or abs(det) < 1e-12:
        return None
    r = 1.0 / det
    return np.array([[co0 * r, (c * h - b * i) * r, (b * f - c * e) * r],
                     [co1 * r, (a * i - c * g) * r, (c * d - a * f) * r],
                     [co2 * r, (b * g - a * h) * r, (a * e - b * d) * r]])
