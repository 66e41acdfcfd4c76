"""One-Euro filter (Casiez et al. 2012): low jitter when still, low lag when moving."""

from __future__ import annotations

import math

import numpy as np


class OneEuroFilter:
    """Vector One-Euro filter; each component adapts its cutoff to its own speed."""

    def __init__(self, min_cutoff: float = 1.0, beta: float = 0.05, d_cutoff: float = 1.0) -> None:
        self.min_cutoff = min_cutoff
        self.beta = beta
        self.d_cutoff = d_cutoff
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    @staticmethod
    def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray:
        tau = 1.0 / (2 * math.pi * np.asarray(cutoff, np.float64))
        return 1.0 / (1.0 + tau / dt)

    def reset(self) -> None:
        """Forget the history (after the target was lost)."""
        self._x = self._dx = self._t = None

    def __call__(self, x: np.ndarray, t: float) -> np.ndarray:
        x = np.asarray(x, np.float64)
        if self._x is None or self._t is None or self._dx is None or t <= self._t:
            if self._x is None or self._t is None or self._dx is None:
                self._x, self._dx, self._t = x.copy(), np.zeros_like(x), t
                return x.copy()
            t = self._t + 1e-3  # non-increasing timestamps: treat as a tiny step
        dt = t - self._t
        dx = (x - self._x) / dt
        a_d = self._alpha(self.d_cutoff, dt)
        self._dx = a_d * dx + (1 - a_d) * self._dx
        cutoff = self.min_cutoff + self.beta * np.abs(self._dx)
        a = self._alpha(cutoff, dt)
        self._x = a * x + (1 - a) * self._x
        self._t = t
        return self._x.copy()
