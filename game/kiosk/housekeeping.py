"""Keeps the data dir bounded on a machine that runs for weeks: screenshots and caches are capped.

Logs rotate on their own (game/logs.py: 2 MB × 5); the progress database is never touched.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

CAPS_MB = {"screenshots": 50, "cache": 400}  # per folder under the data dir


def cap_folder(folder: Path, max_bytes: int) -> list[Path]:
    """Delete the oldest files until the folder holds at most ``max_bytes``. Returns what was removed."""
    if not folder.is_dir():
        return []
    files = [(p.stat().st_mtime, p.stat().st_size, p) for p in folder.rglob("*") if p.is_file()]
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
