"""Retry policy as an immutable value with a pure "next delay" (after urllib3's ``Retry``)."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter, capped; ``failures`` counts consecutive failures."""

    base_s: float = 1.0
    factor: float = 2.0
    cap_s: float = 60.0
    failures: int = 0

    def increment(self) -> Backoff:
        return replace(self, failures=self.failures + 1)

    def reset(self) -> Backoff:
        return replace(self, failures=0)

    def delay(self, rng: random.Random | None = None, retry_after: float | None = None) -> float:
        """Seconds to wait before the next try; a server's Retry-After wins when it is longer."""
        if self.failures == 0:
            return max(0.0, retry_after or 0.0)
        ceiling = min(self.cap_s, self.base_s * self.factor ** (self.failures - 1))
        # Full jitter spreads a fleet of kiosks that lost the server at the same moment.
        jittered = ceiling * (0.5 + 0.5 * (rng or random).random())
        return max(jittered, retry_after or 0.0)
