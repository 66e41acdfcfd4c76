"""Homography helpers: corner projection, scaling between pyramid levels, sanity checks."""

from __future__ import annotations

import math

import numpy as np


def ref_corners(width: int, height: int) -> np.ndarray:
    """The reference image corners (0,0),(w,0),(w,h),(0,h) as float32 (4,2)."""
    return np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)


def project(h: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Apply a 3x3 homography to (N,2) points."""
    pts = np.asarray(pts, np.float64).reshape(-1, 2)
    ph = np.hstack([pts, np.ones((len(pts), 1))]) @ np.asarray(h, np.float64).T
    w = ph[:, 2:3]
    w = np.where(np.abs(w) < 1e-12, 1e-12, w)
    return (ph[:, :2] / w).astype(np.float64)


def scale_mat(sx: float, sy: float | None = None) -> np.ndarray:
    """A 3x3 scaling matrix."""
    return np.array([[sx, 0.0, 0.0], [0.0, sx if sy is None else sy, 0.0], [0.0, 0.0, 1.0]])


def translate_mat(tx: float, ty: float) -> np.ndarray:
    """A 3x3 translation matrix."""
    return np.array([[1.0, 0.0, tx], [0.0, 1.0, ty], [0.0, 0.0, 1.0]])


def normalize_h(h: np.ndarray) -> np.ndarray:
    """Scale so that h[2,2] == 1 (when possible), float64."""
    h = np.asarray(h, np.float64)
    return h / h[2, 2] if abs(h[2, 2]) > 1e-12 else h


def long_side(q: np.ndarray) -> float:
    """Longest side of a (4, 2) quadrilateral."""
    # Plain floats: this runs for every hypothesis, where numpy's per-call overhead dominates.
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = q.tolist()
    return max(math.hypot(x1 - x0, y1 - y0), math.hypot(x2 - x1, y2 - y1), math.hypot(x3 - x2, y3 - y2),
               math.hypot(x0 - x3, y0 - y3))


def orientation_sign(h: np.ndarray, x: float, y: float) -> float:
    """Sign of the Jacobian determinant of h at (x, y): negative means a mirror-image mapping."""
    h = np.asarray(h, np.float64)
    w = h[2, 0] * x + h[2, 1] * y + h[2, 2]
    u = h[0, 0] * x + h[0, 1] * y + h[0, 2]
    v = h[1, 0] * x + h[1, 1] * y + h[1, 2]
    j = np.array([[h[0, 0] * w - u * h[2, 0], h[0, 1] * w - u * h[2, 1]],
                  [h[1, 0] * w - v * h[2, 0], h[1, 1] * w - v * h[2, 1]]]) / (w * w)
    return float(np.sign(np.linalg.det(j)) * np.sign(w))


def mean_corner_error(h_est: np.ndarray, h_true: np.ndarray, width: int, height: int) -> float:
    """Mean distance (frame px) between the reference corners mapped by two homographies."""
    c = ref_corners(width, height)
    return float(np.linalg.norm(project(h_est, c) - project(h_true, c), axis=1).mean())


def perspective_inconsistency(h: np.ndarray, frame_size: tuple[int, int], hfov_deg: tuple[float, float] = (40.0, 100.0),
                              steps: int = 13) -> float:
    """How far a homography is from any view of a flat rectangle by a plausible pinhole camera (0 = exact).

    With the principal point at the frame centre, ``K^-1 H = [r1 r2 t]`` (up to scale) must have
    orthogonal columns r1, r2 of equal length for some focal length. The focal lengths of
    cameras with a horizontal field of view in ``hfov_deg`` are tried; the best gives the
    larger of |cos(r1, r2)| and the relative length difference. A quad pulled out of shape
    (a corner dragged under a finger) fits no camera.
    """
    fw, fh = frame_size
    # Plain floats: 13 focal lengths of 3-vectors, where numpy's per-call overhead dominates.
    (a, b, _), (d, e, _), (g, k, _) = h.tolist()
    cx, cy = fw / 2, fh / 2
    a, b, d, e = a - cx * g, b - cx * k, d - cy * g, e - cy * k  # rows of [[1, 0, -cx], [0, 1, -cy], [0, 0, 1]] @ h
    lo, hi = (fw / 2 / math.tan(math.radians(x) / 2) for x in (hfov_deg[1], hfov_deg[0]))
    best = math.inf
    for i in range(steps):
        f = lo * (hi / lo) ** (i / (steps - 1)) if steps > 1 else lo
        n1 = math.sqrt((a / f) ** 2 + (d / f) ** 2 + g * g)
        n2 = math.sqrt((b / f) ** 2 + (e / f) ** 2 + k * k)
        if n1 <= 0 or n2 <= 0:
            continue
        dot = (a * b + d * e) / (f * f) + g * k
        best = min(best, max(abs(dot) / (n1 * n2), abs(n1 - n2) / max(n1, n2)))
    return best
