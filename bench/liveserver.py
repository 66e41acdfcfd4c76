"""Helpers for benchmarks that start ``python -m server`` in a process of its own: a free
loopback port, and waiting until the server answers its health check."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, proc: subprocess.Popen, log_path: Path, timeout_s: float = 120.0) -> None:
    """Return once ``GET {base}/v1/health`` answers 200; RuntimeError (with the end of the server's
    log) if the process exits first or ``timeout_s`` passes (several workers start slowly on a busy
    machine)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if requests.get(base + "/v1/health", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
            raise RuntimeError(f"the server did not start (log {log_path}):\n{tail}")
        time.sleep(0.1)
