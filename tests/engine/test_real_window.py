"""The client in a real X window: Xvfb, SDL's x11 driver, and the pixels read back from the X server.

Every other client test renders with SDL's dummy driver. This one starts Xvfb with its screen mapped
to a file (``-fbdir``), runs ``main.py --windowed`` in it as a customer would, and reads what the X
server actually shows: the window must be there, sized as asked, and show the same picture the app
saved as its own screenshot (scaled to the window).

Xvfb comes from apt (`apt-get install xvfb`; `.ci/run` installs it). Without it this test skips
locally and FAILS when CI_REQUIRE_XVFB=1 (exported by .ci/run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pygame
import pytest

ROOT = Path(__file__).resolve().parents[2]
WINDOW = (1280, 720)


def xvfb_required() -> bool:
    env = os.environ
    return env.get("CI_REQUIRE_XVFB", "").strip().lower() in ("1", "true", "yes") or env.get("CI", "") == "true"


def read_xwd(path: Path) -> np.ndarray | None:
    """The screen Xvfb keeps in ``path`` (X Window Dump, 24/32-bit TrueColor) as an RGB array."""
    data = path.read_bytes()
    if len(data) < 100:
        return None
    header = np.frombuffer(data[:100], dtype=">u4")
    header_size, width, height = int(header[0]), int(header[4]), int(header[5])
    byte_order, bits_per_pixel, bytes_per_line = int(header[7]), int(header[11]), int(header[12])
    red_mask, ncolors = int(header[14]), int(header[19])
    if bits_per_pixel != 32:
        return None
    start = header_size + 12 * ncolors
    pixels = np.frombuffer(data, dtype=np.uint8, count=bytes_per_line * height, offset=start)
    rows = pixels.reshape(height, bytes_per_line)[:, : width * 4].reshape(height, width, 4)
    # LSBFirst (0): B, G, R, X in memory for the usual 0xff0000 red mask; MSBFirst: X, R, G, B
    bgr = rows[:, :, :3] if byte_order == 0 else rows[:, :, 1:4][:, :, ::-1]
    rgb = bgr[:, :, ::-1] if red_mask == 0xFF0000 else bgr
    return np.ascontiguousarray(rgb)


@pytest.fixture
def xvfb(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    binary = shutil.which("Xvfb")
    if binary is None:
        message = "Xvfb is not installed (apt-get install -y xvfb)"
        if xvfb_required():
            pytest.fail(message)
        pytest.skip(message)
    fbdir = tmp_path / "fb"
    fbdir.mkdir()
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [binary, "-displayfd", str(write_fd), "-screen", "0", f"{WINDOW[0]}x{WINDOW[1]}x24",
         "-fbdir", str(fbdir), "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            display = pipe.readline().strip()  # Xvfb writes the display number it took, once ready
        assert display, "Xvfb did not start"
        yield f":{display}", fbdir / "Xvfb_screen0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_client_draws_into_a_real_x_window(xvfb: tuple[str, Path], tmp_path: Path) -> None:
    display, framebuffer = xvfb
    env = {k: v for k, v in os.environ.items() if not k.startswith("SDL_")}
    env.update(DISPLAY=display, SDL_AUDIODRIVER="dummy")
    shot = tmp_path / "album.png"
    client = subprocess.Popen(
        [sys.executable, "main.py", "--windowed", f"{WINDOW[0]}x{WINDOW[1]}", "--scene", "album",
         "--lang", "en", "--server", "offline", "--camera", "synthetic", "--data-dir", str(tmp_path / "data"),
         "--frames", "240", "--screenshot", str(shot)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    # what the X server shows while the client runs: the last screen that is not blank
    shown: np.ndarray | None = None
    deadline = time.monotonic() + 120
    while client.poll() is None and time.monotonic() < deadline:
        screen = read_xwd(framebuffer)
        if screen is not None and screen.std() > 10:
            shown = screen
        time.sleep(0.05)
    output, _ = client.communicate(timeout=30)
    assert client.returncode == 0, output[-2000:]
    assert shown is not None, "nothing was ever drawn on the X screen"
    assert shown.shape[:2] == (WINDOW[1], WINDOW[0])
    pygame.image.save(pygame.surfarray.make_surface(np.transpose(shown, (1, 0, 2))), str(tmp_path / "x-screen.png"))

    # the window shows the app's own picture of that frame, scaled to the window
    saved = pygame.image.load(str(shot))
    scaled = pygame.transform.smoothscale(saved, WINDOW)
    expected = np.transpose(pygame.surfarray.array3d(scaled), (1, 0, 2)).astype(np.int16)
    difference = np.abs(shown.astype(np.int16) - expected).mean()
    assert difference < 12, f"the X screen differs from the app's screenshot by {difference:.1f} levels on average"
