"""Brightness planes a + b x + c y over a template: light falling off across a print."""

from __future__ import annotations

from functools import lru_cache

import numpy as np


def plane_basis(shape: tuple[int, ...], mask: np.ndarray | None = None) -> np.ndarray:
    """Orthonormal basis (N, 3) of the brightness planes a + b x + c y over an image of ``shape``.

    With a boolean ``mask`` of that shape, over its selected pixels only (N = their count).
    """
    h, w = shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    xs, ys = (xx.ravel(), yy.ravel()) if mask is None else (xx[mask], yy[mask])
    q, _ = np.linalg.qr(np.stack([np.ones(xs.size), xs, ys], 1))
    return np.ascontiguousarray(q, np.float32)


def deplane(x: np.ndarray, plane: np.ndarray) -> np.ndarray:
    """``x`` (N,) minus its least-squares plane: a light falling off across the print is removed."""
    return x - plane @ (plane.T @ x)


@lru_cache(maxsize=64)
def cached_plane_basis(shape: tuple[int, ...]) -> np.ndarray:
    """``plane_basis`` for patch shapes that recur from frame to frame (read-only)."""
    q = plane_basis(shape)
    q.flags.writeable = False
    return q
