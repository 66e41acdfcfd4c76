"""systemd's notify protocol in a few lines: READY=1 once, then WATCHDOG=1 from the frame loop.

With ``WatchdogSec=`` in the unit, systemd sets ``NOTIFY_SOCKET`` and ``WATCHDOG_USEC``; a loop that
stops pinging (hung, not only crashed) is killed and restarted. Without them every call is a no-op.
"""

from __future__ import annotations

import contextlib
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


HANG_S = 30.0  # no frame for this long: the loop is hung (the slowest legitimate frame is well under 2 s)
HUNG_EXIT = 75  # EX_TEMPFAIL: the supervisor (Task Scheduler's restart on failure) starts the kiosk again


class HangWatchdog:
    """For supervisors without systemd's watchdog (Windows' Task Scheduler restarts only on exit): a
    thread that expects ``ping()`` from the frame loop. If the pings stop for ``timeout_s`` it logs the
    scene stack (``describe()``) and where the main thread is stuck, then exits the process non-zero.

    Armed by the first ping, so a slow start is not a hang. ``exit`` is ``os._exit``: a hung main thread
    cannot run ``sys.exit``'s clean-up anyway, and the log handlers are flushed first."""

    def __init__(self, describe: Callable[[], str], timeout_s: float = HANG_S, *,
                 exit: Callable[[int], None] = os._exit, clock: Callable[[], float] = time.monotonic) -> None:
        import threading

        self.describe = describe
        self.timeout_s = timeout_s
        self._exit = exit
        self.clock = clock
        self._last: float | None = None
        self._main = threading.main_thread()
        self._stop = threading.Event()
        self.fired = False
        self._thread = threading.Thread(target=self._run, name="hang-watchdog", daemon=True)

    def start(self) -> HangWatchdog:
        self._thread.start()
        return self

    def ping(self) -> None:
        self._last = self.clock()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        every = min(1.0, self.timeout_s / 4)
        while not self._stop.wait(every):
            last = self._last
            if last is None or self.clock() - last < self.timeout_s:
                continue
            self.fired = True
            self._report(self.clock() - last)
            self._exit(HUNG_EXIT)
            return

    def _report(self, silent_s: float) -> None:
        import sys
        import traceback

        try:
            scenes = self.describe()
        except Exception as err:  # the report must not be what fails
            scenes = f"(scene stack unavailable: {err})"
        frame = sys._current_frames().get(self._main.ident or -1)
        where = "".join(traceback.format_stack(frame)[-12:]) if frame is not None else "(main thread not found)"
        log.critical("frame loop hung: no frame for %.0f s; exiting %d so the supervisor restarts the kiosk\n"
                     "scene stack: %s\nmain thread:\n%s", silent_s, HUNG_EXIT, scenes, where,
                     extra={"scene_stack": scenes, "silent_s": round(silent_s, 1)})
        for handler in logging.getLogger().handlers:
            with contextlib.suppress(Exception):  # a broken handler must not stop the exit
                handler.flush()
