"""Horizontal panning with drag, fling inertia, keys and clamped bounds (pure maths)."""

from __future__ import annotations

from dataclasses import dataclass

FRICTION = 4.5  # 1/s: exponential decay of fling speed
KEY_SPEED = 1400.0  # logical px/s while an arrow key is held
MAX_SPEED = 6000.0


@dataclass
class Pan:
    """Camera x over a wider strip: ``x`` is the left edge of the view, in [0, max_x]."""

    max_x: float
    x: float = 0.0
    velocity: float = 0.0
    dragging: bool = False
    key_dir: int = 0
    _drag_v: float = 0.0
    target: float | None = None  # smooth jump (minimap, "go to landmark")

    def clamp(self) -> None:
        self.x = min(max(self.x, 0.0), self.max_x)

    def begin_drag(self) -> None:
        self.dragging, self.velocity, self._drag_v, self.target = True, 0.0, 0.0, None

    def drag(self, dx: float, dt: float) -> None:
        """Pointer moved by ``dx`` (content follows the finger, so the camera moves the other way)."""
        self.x -= dx
        self.clamp()
        if dt > 0:
            inst = -dx / dt
            self._drag_v = 0.7 * inst + 0.3 * self._drag_v

    def end_drag(self) -> None:
        self.dragging = False
        self.velocity = max(-MAX_SPEED, min(MAX_SPEED, self._drag_v))

    def nudge(self, notches: float, step: float = 240.0) -> None:
        self.target = min(max((self.target if self.target is not None else self.x) - notches * step, 0.0), self.max_x)

    def go_to(self, x: float) -> None:
        self.target = min(max(x, 0.0), self.max_x)
        self.velocity = 0.0

    def step(self, dt: float) -> None:
        if self.dragging:
            self._drag_v *= 0.5 ** (dt * 20)  # a drag that stops before release gives no fling
            return
        if self.key_dir:
            self.target = None
            self.x += self.key_dir * KEY_SPEED * dt
        elif self.target is not None:
            self.x += (self.target - self.x) * min(1.0, dt * 9.0)
            if abs(self.target - self.x) < 0.5:
                self.x, self.target = self.target, None
        else:
            self.x += self.velocity * dt
            self.velocity *= 2.718281828 ** (-FRICTION * dt)
            if abs(self.velocity) < 5:
                self.velocity = 0.0
        before = self.x
        self.clamp()
        if self.x != before:
            self.velocity = 0.0
