"""Pure timing for the kiosk: the idle countdown and the hidden admin gesture (no pygame, no clock)."""

from __future__ import annotations

from dataclasses import dataclass, field

from game.ui.layout import Rect

ADMIN_CORNER = Rect(0, 0, 140, 140)  # logical px, top-left
ADMIN_TAPS = 5
ADMIN_WINDOW = 3.0  # seconds for all five taps


@dataclass
class IdleTimer:
    """``idle_s`` without input starts a visible countdown of ``countdown_s``; any input cancels it.

    ``tick`` returns True once, when the countdown runs out (the visitor's session should end).
    """

    idle_s: float = 60.0
    countdown_s: float = 10.0
    idle: float = 0.0
    countdown: float | None = None  # seconds left while the "Are you still there?" prompt shows

    @property
    def counting(self) -> bool:
        return self.countdown is not None

    def poke(self) -> bool:
        """Input (touch, key, or the logo seen by the camera). True if it cancelled a countdown."""
        cancelled = self.countdown is not None
        self.idle, self.countdown = 0.0, None
        return cancelled

    def tick(self, dt: float) -> bool:
        if self.countdown is None:
            self.idle += dt
            if self.idle >= self.idle_s:
                self.countdown = self.countdown_s
            return False
        self.countdown -= dt
        if self.countdown <= 0:
            self.idle, self.countdown = 0.0, None
            return True
        return False


@dataclass
class CornerTaps:
    """Five taps in the top-left corner within three seconds: the hidden admin gesture."""

    corner: Rect = ADMIN_CORNER
    taps: int = ADMIN_TAPS
    window: float = ADMIN_WINDOW
    t: float = 0.0
    times: list[float] = field(default_factory=list)

    def in_corner(self, pos: tuple[float, float] | None) -> bool:
        return pos is not None and self.corner.contains(*pos)

    def advance(self, dt: float) -> None:
        self.t += dt

    def tap(self, pos: tuple[float, float] | None) -> bool:
        """Record a tap; True when it completes the gesture (the count then starts over)."""
        if not self.in_corner(pos):
            self.times.clear()
            return False
        self.times = [t for t in self.times if self.t - t <= self.window] + [self.t]
        if len(self.times) >= self.taps:
            self.times.clear()
            return True
        return False
