"""Background jobs can run below the frame loop's CPU priority (Linux per-thread nice)."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from game.jobs import Job


def _nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is a Linux feature")
def test_niced_job_runs_nicer_than_the_caller_and_leaves_the_caller_alone() -> None:
    before = _nice()
    job = Job("niced", _nice, nice=5)
    assert job.result(timeout=10) == min(before + 5, 19)
    assert _nice() == before


def test_plain_job_keeps_the_callers_priority() -> None:
    assert Job("plain", lambda: 42).result(timeout=10) == 42
