"""Keeps a machine that runs for weeks bounded: the data dir's folders are capped, and freed memory goes back.

- Folders under the data dir (screenshots, the scroll cache, share cards, bug bundles) are capped, oldest
  files first. Logs rotate on their own (game/logs.py: 2 MB × 5); the progress database is never touched.
- ``limit_heap_arenas`` (at start, before any thread) keeps glibc to two malloc arenas: with one per
  thread (painting, camera, sync, the embedded server) a kiosk held ~160 MB more of freed memory.
- ``Housekeeper.tidy`` runs at start and at each end of a visitor's session (the kiosk wipe), so the caps
  hold however long the kiosk runs, and the C heap's free pages (glibc keeps what the painting and the
  visitor's drawings freed, hundreds of MB) are returned to the system with ``malloc_trim``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys
import time
from pathlib import Path

log = logging.getLogger(__name__)

CAPS_MB = {"screenshots": 50, "cache": 400, "share": 50, "bugs": 200}  # per folder under the data dir


def cap_folder(folder: Path, max_bytes: int) -> list[Path]:
    """Delete the oldest files until the folder holds at most ``max_bytes``. Returns what was removed."""
    if not folder.is_dir():
        return []
    files = []
    for p in folder.rglob("*"):
        try:
            if p.is_file():
                st = p.stat()
                files.append((st.st_mtime, st.st_size, p))
        except OSError:  # removed meanwhile
            continue
    total = sum(size for _, size, _ in files)
    removed = []
    for _, size, path in sorted(files):
        if total <= max_bytes:
            break
        try:
            path.unlink()
        except OSError:
            continue
        total -= size
        removed.append(path)
    return removed


def cap_data_dir(data_dir: Path, caps_mb: dict[str, int] | None = None) -> int:
    removed = 0
    for name, mb in (caps_mb or CAPS_MB).items():
        gone = cap_folder(data_dir / name, mb * 1_000_000)
        removed += len(gone)
        if gone:
            log.info("data dir capped", extra={"folder": name, "removed": len(gone), "cap_mb": mb})
    return removed


def _malloc_trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim  # glibc only (musl has none)
    except (OSError, AttributeError):
        return None


M_ARENA_MAX = -8  # glibc's mallopt parameter


def limit_heap_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas (call before threads start; ``MALLOC_ARENA_MAX`` in the environment wins).
    True if applied; a no-op elsewhere (Windows, macOS, musl)."""
    if not sys.platform.startswith("linux") or os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False


class Housekeeper:
    """Caps the data dir and gives freed memory back; cheap enough for the frame of a kiosk wipe."""

    def __init__(self, data_dir: Path, caps_mb: dict[str, int] | None = None) -> None:
        self.data_dir = data_dir
        self.caps_mb = caps_mb or CAPS_MB
        self._trim = _malloc_trim()
        self.runs = 0

    def tidy(self) -> int:
        """Apply the caps now; returns how many files were removed."""
        started = time.perf_counter()
        removed = cap_data_dir(self.data_dir, self.caps_mb)
        if self._trim is not None:
            self._trim(0)
        self.runs += 1
        log.debug("housekeeping", extra={"removed": removed, "ms": round((time.perf_counter() - started) * 1000, 1)})
        return removed
