"""Run slow pure work (painting the scroll) off the frame loop; fetch the result when ready."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


class Job(Generic[T]):
    """A one-shot background computation with a non-blocking ``ready``/``result`` pair."""

    def __init__(self, name: str, work: Callable[[], T], *, start: bool = True, nice: int = 0) -> None:
        self.name = name
        self.nice = nice  # > 0: run below the frame loop's CPU priority (threads it starts inherit it)
        self._work = work
        self._done = threading.Event()
        self._result: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"job-{name}", daemon=True)
        self._start_lock = threading.Lock()
        if start:
            self.start()

    def start(self) -> None:
        """Start the work (idempotent); ``result`` and ``wait`` start it too if nobody did."""
        with self._start_lock:
            if not self._thread.is_alive() and not self._done.is_set() and self._thread.ident is None:
                self._thread.start()

    def _run(self) -> None:
        if self.nice > 0:
            lower_thread_priority(self.nice)
        try:
            self._result = self._work()
        except BaseException as err:  # reported to the caller through result()
            log.exception("background job %s failed", self.name)
            self._error = err
        finally:
            self._done.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the work is done (or ``timeout``); True if it finished. Never-started work is done."""
        if self._thread.ident is None:
            return True
        return self._done.wait(timeout)

    @property
    def ready(self) -> bool:
        return self._done.is_set()

    def result(self, timeout: float | None = None) -> T:
        """Wait up to ``timeout`` seconds (None = forever) and return the result or raise its error."""
        self.start()
        if not self._done.wait(timeout):
            raise TimeoutError(f"job {self.name} still running")
        if self._error is not None:
            raise RuntimeError(f"job {self.name} failed: {self._error}") from self._error
        return self._result  # type: ignore[return-value]


def lower_thread_priority(nice: int) -> None:
    """Make the calling thread yield the CPU to the frame loop (Linux: per-thread nice; elsewhere a no-op)."""
    try:
        tid = threading.get_native_id()
        # relative to the process's own nice value (a kiosk started niced stays at least that nice)
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + nice)  # type: ignore[attr-defined]
    except (AttributeError, OSError):  # Windows has no setpriority; a sandbox may forbid it
        log.debug("could not lower the priority of %s", threading.current_thread().name)
