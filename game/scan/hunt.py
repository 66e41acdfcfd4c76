"""The hunt's state for one scan session (pure: no pygame, no camera, no clock of its own).

searching -> (logo found) emerging -> ready -> (tap, or held steady 1.5 s) captured.
The collectible is chosen once, when the logo is first found, by the rules' ``choose_spawn``
with an injected roll, so hidden items' spawn rules (hour, check-in count, chance) apply here
exactly as on the server. Visibility fades in and out; it never pops.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from game.rules.content import Campaign, Collectible
from game.rules.progress import Progress
from game.rules.spawn import choose_spawn

FADE_S = 0.3  # seconds to fade fully in or out
RISE_S = 1.2  # seconds for the figure to rise out of the logo
HOLD_S = 1.5  # hold the card steady this long to collect without touch
STEADY_PX_S = 60.0  # corner speed (camera px/s) under which the card counts as held still
CAPTURE_S = 0.9  # the fly-to-album animation


class Phase(StrEnum):
    SEARCHING = "searching"
    EMERGING = "emerging"
    READY = "ready"
    CAPTURED = "captured"
    NOTHING = "nothing"  # the logo was found but nothing may emerge now (all found, or no luck)


@dataclass
class Hunt:
    campaign: Campaign
    roll: Callable[[], float]  # uniform [0, 1): injected, so tests and --seed runs are reproducible
    phase: Phase = Phase.SEARCHING
    item: Collectible | None = None
    visible: float = 0.0  # 0..1 fade of the figure
    rise: float = 0.0  # 0..1 how far it has risen
    steady: float = 0.0  # seconds held still while ready
    capture: float = 0.0  # 0..1 of the capture animation
    searching_for: float = 0.0  # seconds without the logo (for the example-card hint)

    def update(self, dt: float, found: bool, speed: float, progress: Progress, now: datetime) -> bool:
        """Advance by ``dt``; ``found``: the logo is tracked in the shown frame. True when the
        figure should be collected now (held steady long enough)."""
        self.searching_for = 0.0 if found else self.searching_for + dt
        if found and self.phase is Phase.SEARCHING:
            self.item = choose_spawn(self.campaign, progress, now, (self.roll(), self.roll()))
            self.phase = Phase.EMERGING if self.item is not None else Phase.NOTHING
        target = 1.0 if found else 0.0
        step = dt / FADE_S
        self.visible = min(target, self.visible + step) if target > self.visible else max(target, self.visible - step)
        if self.phase is Phase.EMERGING and found:
            self.rise = min(1.0, self.rise + dt / RISE_S)
            if self.rise >= 1.0:
                self.phase = Phase.READY
        if self.phase is Phase.READY:
            self.steady = self.steady + dt if found and speed < STEADY_PX_S else 0.0
            return self.steady >= HOLD_S
        if self.phase is Phase.CAPTURED:
            self.capture = min(1.0, self.capture + dt / CAPTURE_S)
        return False

    @property
    def collectable(self) -> bool:
        return self.phase is Phase.READY and self.visible > 0.5

    def collect(self) -> Collectible | None:
        """Start the capture; the item to record (once)."""
        if self.phase is not Phase.READY or self.item is None:
            return None
        self.phase = Phase.CAPTURED
        self.capture = 0.0
        return self.item

    def again(self) -> None:
        """Look for the next one."""
        self.phase, self.item, self.rise, self.steady, self.capture = Phase.SEARCHING, None, 0.0, 0.0, 0.0
