"""systemd's notify protocol in a few lines: READY=1 once, then WATCHDOG=1 from the frame loop.

With ``WatchdogSec=`` in the unit, systemd sets ``NOTIFY_SOCKET`` and ``WATCHDOG_USEC``; a loop that
stops pinging (hung, not only crashed) is killed and restarted. Without them every call is a no-op.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)


class Watchdog:
    def __init__(self, address: str | None, interval_s: float | None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.address = address
        self.interval_s = interval_s  # systemd's WatchdogSec; we ping at least twice per interval
        self.clock = clock
        self._last = float("-inf")
        self._sock: socket.socket | None = None
        self.sent = 0
        if address and hasattr(socket, "AF_UNIX"):
            self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            if address.startswith("@"):  # an abstract socket
                self.address = "\0" + address[1:]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Watchdog:
        env = os.environ if env is None else env
        usec = env.get("WATCHDOG_USEC")
        pid = env.get("WATCHDOG_PID")
        interval = int(usec) / 1e6 if usec and usec.isdigit() and (pid is None or pid == str(os.getpid())) else None
        return cls(env.get("NOTIFY_SOCKET"), interval)

    @property
    def enabled(self) -> bool:
        return self._sock is not None

    def notify(self, message: str) -> None:
        if self._sock is None or self.address is None:
            return
        try:
            self._sock.sendto(message.encode(), self.address)
            self.sent += 1
        except OSError as err:  # systemd gone (shutdown): nothing to tell
            log.debug("sd_notify failed: %s", err)

    def ready(self) -> None:
        self.notify("READY=1")

    def ping(self) -> None:
        """Called every frame; sends WATCHDOG=1 at most four times per watchdog interval (1 s without one)."""
        now = self.clock()
        every = self.interval_s / 4 if self.interval_s else 1.0
        if now - self._last >= every:
            self._last = now
            self.notify("WATCHDOG=1")

    def stopping(self) -> None:
        self.notify("STOPPING=1")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
