"""What a benchmark figure was measured on: library versions and the CPU, for every results JSON."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from typing import Any


def cpu_model() -> str:
    """The CPU's marketing name (Linux /proc/cpuinfo), else what `platform` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def machine_info(**extra: Any) -> dict[str, Any]:
    """Python, OpenCV, NumPy, pygame-ce and SDL versions, the CPU model and core count."""
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "opencv": None,
        "numpy": _version("numpy"),
        "pygame_ce": _version("pygame-ce"),
        "sdl": None,
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
    }
    try:
        import cv2

        info["opencv"] = cv2.__version__
    except ImportError:
        pass
    try:
        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
        import pygame

        info["sdl"] = ".".join(str(p) for p in pygame.get_sdl_version())
    except ImportError:
        pass
    info.update(extra)
    return info
