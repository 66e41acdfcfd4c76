"""Bug bundles: one folder per report (F12) or crash, under ``<data-dir>/bugs/``.

``recording.json`` (replay it with ``--replay <folder>``), ``screenshot.png`` (the last frame drawn),
``log-tail.txt`` (the end of the client log), ``versions.json`` and ``crash.txt`` for a crash.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pygame

from game.qa.recording import Recording

LOG_TAIL_LINES = 300


def log_tail(log_dir: Path, lines: int = LOG_TAIL_LINES) -> str:
    path = log_dir / "client.log"
    if not path.is_file():
        return ""
    with path.open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 400 * lines))
        text = fh.read().decode("utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:]) + "\n"


def write_bundle(data_dir: Path, reason: str, recording: Recording, screen: pygame.Surface | None,
                 log_dir: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    folder = data_dir / "bugs" / f"{stamp}-{reason}-f{recording.frames}"
    n = 1
    while folder.exists():
        n += 1
        folder = data_dir / "bugs" / f"{stamp}-{reason}-f{recording.frames}-{n}"
    folder.mkdir(parents=True)
    recording.save(folder / "recording.json")
    if screen is not None:
        pygame.image.save(screen, str(folder / "screenshot.png"))
    (folder / "log-tail.txt").write_text(log_tail(log_dir), encoding="utf-8")
    (folder / "versions.json").write_text(json.dumps(recording.versions, indent=2, default=str), encoding="utf-8")
    if recording.crash:
        (folder / "crash.txt").write_text(recording.crash, encoding="utf-8")
    return folder
