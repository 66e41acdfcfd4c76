"""How far the drawn figure's anchor lies from where the synthetic camera really put the logo.

The scene's own path: ``VisionWorker.process`` (the tracker) -> ``pose_from_corners`` (solvePnP
with the assumed field of view) -> the figure's foot projected into the frame, compared with the
foot mapped by the frame's ground-truth homography. Frames are rendered in order, none dropped.
Used by the overlay-accuracy test and by ``bench/scan.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from game.scan.pose import figure_geometry, pose_from_corners
from game.scan.worker import VisionWorker
from game.vision import MarkerDetector, MarkerTracker, open_source


@dataclass(frozen=True)
class AnchorErrors:
    errors: list[float]  # camera px, one per frame where the logo was tracked
    visible: int  # frames where the logo was in view
    held: int  # frames drawn from a held pose (a brief miss)


def anchor_errors(logo: np.ndarray, frames: int, seed: int = 4, figure_height: float = 1.2) -> AnchorErrors:
    source = open_source("synthetic", reference=logo, realtime=False, seed=seed)
    source.close()  # only its scripted scene is used: frames rendered on demand below
    scene = source.scene  # type: ignore[attr-defined]
    worker = VisionWorker(source, MarkerTracker(MarkerDetector(logo)), (320, 240))
    h, w = logo.shape[:2]
    geo = figure_geometry(figure_height, 0.8, 1.0)
    foot_ref = np.array([w / 2 + geo.foot[0] * w, h / 2 + geo.foot[1] * w, 1.0])
    errors: list[float] = []
    visible = held = 0
    for i in range(frames):
        img, truth = scene.render(i)
        result = worker.process(img, i / scene.fps, i, truth)
        if truth is None:
            continue
        visible += 1
        det = result.detection
        if det is None:
            continue
        if det.mode == "hold":
            held += 1
            continue
        pose = pose_from_corners(det.corners, det.ref_size, result.frame_size)
        if pose is None:
            continue
        drawn = pose.project(geo.foot.reshape(1, 3))[0]
        true = truth @ foot_ref
        errors.append(float(np.linalg.norm(drawn - true[:2] / true[2])))
    return AnchorErrors(errors, visible, held)
