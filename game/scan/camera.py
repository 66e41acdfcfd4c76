"""Opening the scan's camera from the ``--camera`` value (adapter over ``game.vision.open_source``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from game.vision import FrameSource, open_auto, open_source

log = logging.getLogger(__name__)


@dataclass
class OpenedCamera:
    source: FrameSource
    synthetic: bool  # the demo camera runs (no webcam, or asked for): the scene says so on screen


def open_camera(spec: str, reference: np.ndarray, *, seed: int = 0, realtime: bool = True) -> OpenedCamera:
    """``auto`` tries the webcam (mirrored, as a selfie preview) and falls back to the synthetic
    camera; ``synthetic``/``none`` run the demo camera; an index opens that device; a path plays
    a video or image file."""
    if spec == "auto":
        source, notice = open_auto(reference, seed=seed)
        return OpenedCamera(source, notice is not None)
    if spec in ("synthetic", "none"):
        return OpenedCamera(open_source("synthetic", reference=reference, seed=seed, realtime=realtime), True)
    if spec.isdigit():
        return OpenedCamera(open_source(int(spec), mirror=True), False)
    return OpenedCamera(open_source(spec), False)
