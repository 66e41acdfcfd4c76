"""``main.py --headless --camera synthetic --scene scan --frames N --screenshot PATH``, end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pygame

ROOT = Path(__file__).resolve().parents[2]


def test_headless_scan_screenshot(tmp_path: Path) -> None:
    shot = tmp_path / "scan.png"
    cmd = [sys.executable, str(ROOT / "main.py"), "--headless", "--camera", "synthetic", "--scene", "scan",
           "--frames", "60", "--screenshot", str(shot), "--server", "offline", "--data-dir", str(tmp_path / "d"),
           "--seed", "35"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    image = pygame.image.load(str(shot))
    assert image.get_size() == (1920, 1080)
    log = (tmp_path / "d" / "logs" / "client.log").read_text(encoding="utf-8")
    assert "figure shown on the card" in log, "the logo was found and the figure drawn standing on it"
