"""The admin PIN: a salted scrypt hash (stdlib), and the pad's three-strikes lockout.

The stored form is ``scrypt$N$r$p$<salt b64>$<hash b64>``; the PIN itself is never stored or logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

N, R, P = 2**14, 8, 1
MAX_STRIKES = 3
LOCKOUT_SECONDS = 60.0
PIN_DIGITS = (4, 8)  # accepted PIN length range


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${N}${R}${P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(want))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def valid_pin_format(pin: str) -> bool:
    return pin.isdigit() and PIN_DIGITS[0] <= len(pin) <= PIN_DIGITS[1]


@dataclass
class PinGate:
    """Checks PIN attempts; three wrong ones in a row lock the pad for a minute. Every attempt is logged."""

    pin_hash: str | None
    clock: Callable[[], float] = time.monotonic
    strikes: int = 0
    locked_until: float = 0.0
    attempts: list[tuple[float, bool]] = field(default_factory=list)  # (when, ok), the last few

    def locked_for(self) -> float:
        """Seconds until the pad accepts a PIN again (0 when open)."""
        return max(0.0, self.locked_until - self.clock())

    def attempt(self, pin: str) -> bool:
        now = self.clock()
        if self.locked_for() > 0:
            log.warning("admin PIN attempt while locked", extra={"locked_for_s": round(self.locked_for(), 1)})
            return False
        ok = self.pin_hash is not None and verify_pin(pin, self.pin_hash)
        self.attempts = [*self.attempts[-19:], (now, ok)]
        if ok:
            self.strikes = 0
            log.warning("admin PIN accepted: admin menu opened")
            return True
        self.strikes += 1
        if self.pin_hash is None:
            log.warning("admin PIN attempt, but no PIN is set (set one with `main.py kiosk-pin`)")
        if self.strikes >= MAX_STRIKES:
            self.locked_until = now + LOCKOUT_SECONDS
            self.strikes = 0
            log.warning("admin PIN wrong three times: pad locked", extra={"seconds": LOCKOUT_SECONDS})
        else:
            log.warning("admin PIN wrong", extra={"strike": self.strikes})
        return False
