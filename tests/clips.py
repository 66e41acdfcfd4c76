"""Test clips: a print held by a wandering hand, written as a real MJPG video for cv2.VideoCapture."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from game.vision.synthetic import HandheldScene


def write_handheld_clip(path: Path, image: np.ndarray, frames: int, seed: int,
                        size: tuple[int, int] = (640, 480)) -> Path:
    """``frames`` frames of ``image`` held up to a 30 fps camera, as an MJPG AVI at ``path``."""
    scene = HandheldScene(image, size, 30.0, seed=seed)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, size)
    assert writer.isOpened()
    for i in range(frames):
        writer.write(scene.render(i)[0])
    writer.release()
    return path
