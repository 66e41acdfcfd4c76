"""The frame clock: the game's "now", read once per frame, so a recorded run can be replayed exactly.

Between frames it moves by the frame's dt. It follows its source (the real clock, or ``--now`` time
travel that keeps ticking) and re-syncs to it only when the two drift apart by more than
``RESYNC_SECONDS`` (a stalled frame, a suspended laptop) or when a script sets it. Every re-sync is a
``ClockJump`` the recorder keeps, so a replay sees the same times at the same frames.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

RESYNC_SECONDS = 0.25


@dataclass(frozen=True)
class ClockJump:
    frame: int
    at: datetime


class FrameClock:
    def __init__(self, source: Callable[[], datetime] | None, start: datetime) -> None:
        """``source`` None = simulated time only (scripts, headless runs, replays)."""
        self.source = source
        self.current = start.astimezone(UTC)
        self.jumps: list[ClockJump] = []  # re-syncs and sets since the start, in frame order

    def now(self) -> datetime:
        return self.current

    def tick(self, frame: int, dt: float) -> None:
        """Start a frame ``dt`` seconds after the previous one."""
        self.current += timedelta(seconds=dt)
        if self.source is not None:
            real = self.source().astimezone(UTC)
            if abs((real - self.current).total_seconds()) > RESYNC_SECONDS:
                self.set(frame, real)

    def set(self, frame: int, when: datetime) -> None:
        """Jump to ``when`` (a script's ``clock`` step, a re-sync, a recorded jump being replayed)."""
        self.current = when.astimezone(UTC)
        self.jumps.append(ClockJump(frame, self.current))
