"""Testable time: clamped frame deltas and a fixed-step accumulator (pure, no SDL)."""

from __future__ import annotations

from dataclasses import dataclass

MAX_DT = 0.1  # a stall (window drag, GC, slow disk) never becomes a huge physics step
FIXED_STEP = 1.0 / 60.0


def clamp_dt(dt: float, max_dt: float = MAX_DT) -> float:
    """Seconds since the last frame, clamped to [0, max_dt]."""
    return min(max(dt, 0.0), max_dt)


@dataclass
class FixedStep:
    """Turns variable frame time into whole fixed steps, so the same input gives the same frames."""

    step: float = FIXED_STEP
    max_steps: int = 8
    _acc: float = 0.0

    def advance(self, dt: float) -> int:
        """Add ``dt`` and return how many fixed steps to run now."""
        self._acc += clamp_dt(dt)
        steps = min(int(self._acc / self.step), self.max_steps)
        self._acc -= steps * self.step
        if steps == self.max_steps:
            self._acc = min(self._acc, self.step)
        return steps

    @property
    def alpha(self) -> float:
        """Fraction of a step left over, for interpolation when drawing."""
        return self._acc / self.step
