"""Reading a claim QR back: the link's code from any kiosk's URL, and the watcher on offered camera frames."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest

from game.kiosk.handoff import claim_url, decode_qr, parse_claim, qr_matrix
from game.kiosk.resume import QrWatcher


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("https://cloudtour.example.bank/claim/KMGC-W5UU-QPMAQ", "KMGCW5UUQPMAQ"),
        ("http://127.0.0.1:8123/claim/kmgcw5uuqpmaq?utm=x", "KMGCW5UUQPMAQ"),
        ("KMGC-W5UU-QPMAQ", "KMGCW5UUQPMAQ"),
        ("https://example.com/other/page", None),
        ("https://cloudtour.example.bank/claim/ABC0OIL1", None),  # not the code alphabet
        ("", None),
    ],
)
def test_parse_claim(text: str, code: str | None) -> None:
    assert parse_claim(text) == code


def qr_image(text: str, px: int = 6) -> np.ndarray:
    modules = qr_matrix(text)
    gray = np.where(np.kron(modules, np.ones((px, px), dtype=bool)), 0, 255).astype(np.uint8)
    canvas = np.full((480, 640), 200, np.uint8)  # a grey room around the phone's screen
    h, w = gray.shape
    canvas[40:40 + h, 120:120 + w] = gray
    return cv2.cvtColor(canvas, cv2.COLOR_GRAY2BGR)


def test_a_qr_in_a_camera_frame_decodes_to_its_link() -> None:
    url = claim_url("https://cloudtour.example.bank", "KMGC-W5UU-QPMAQ")
    assert decode_qr(qr_image(url)) == url
    assert decode_qr(np.full((480, 640, 3), 128, np.uint8)) is None


def test_the_watcher_resumes_from_frames_the_scan_scene_offers() -> None:
    codes: list[str] = []

    def resume(code: str) -> str:
        codes.append(code)
        return "local-returning"

    opened: list[int] = []
    watcher = QrWatcher(lambda: opened.append(1), resume, interval_s=0.02)
    try:
        frame = qr_image(claim_url("https://any.kiosk", "KMGC-W5UU-QPMAQ"))
        watcher.set_active(True, own_camera=False)
        result = None
        deadline = time.monotonic() + 10
        while result is None and time.monotonic() < deadline:
            watcher.offer(frame)
            time.sleep(0.05)
            result = watcher.result()
        assert result is not None and result.local_id == "local-returning" and result.code == "KMGCW5UUQPMAQ"
        assert codes == ["KMGCW5UUQPMAQ"]  # tried once while it stays in view
        assert opened == []  # the scan scene holds the camera: the watcher never opened its own
        watcher.forget()
        assert watcher.result() is None
    finally:
        watcher.close()
