"""Composition for the scan scene: the logo's detector, the poster index, the camera and the worker."""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np

from game.rules.content import Campaign
from game.scan.camera import open_camera
from game.scan.targets import TargetIndex
from game.scan.worker import VisionWorker
from game.services import Services
from game.vision import MarkerDetector, MarkerTracker

log = logging.getLogger(__name__)

DISPLAY_SIZE = (1440, 1080)


def read_image(path: Path) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise FileNotFoundError(f"cannot read image {path}")
    return img


def poster_images(campaign: Campaign, folder: Path) -> dict[str, np.ndarray]:
    """Landmark id -> its poster image, for every landmark that names one."""
    return {lm.id: read_image(folder / lm.poster) for lm in campaign.city.landmarks if lm.poster}


def open_scan_worker(services: Services, *, seed: int = 0, realtime: bool = True) -> VisionWorker:
    """Open the camera named by ``--camera`` and start the vision worker on it (the scene closes it)."""
    extras = services.extras
    logo = extras.get("scan-logo")
    if logo is None:
        logo = extras["scan-logo"] = read_image(services.campaign_dir / services.campaign.brand.logo)
    detector = extras.get("scan-detector")
    if detector is None:
        detector = extras["scan-detector"] = MarkerDetector(logo)  # type: ignore[arg-type]
    index = extras.get("scan-posters")
    if index is None:
        index = extras["scan-posters"] = TargetIndex(poster_images(services.campaign, services.campaign_dir))
    qa_camera = extras.get("qa-camera")  # scripted, headless and replayed runs: game/qa/camera.py
    camera = qa_camera() if callable(qa_camera) else open_camera(services.camera, logo, seed=seed,  # type: ignore[arg-type]
                                                                 realtime=realtime)
    make_worker = extras.get("qa-vision-worker", VisionWorker)  # QA runs: game/qa/vision.py
    worker = make_worker(camera.source, MarkerTracker(detector), DISPLAY_SIZE, index)  # type: ignore[operator]
    worker.synthetic = camera.synthetic
    return worker.start()
