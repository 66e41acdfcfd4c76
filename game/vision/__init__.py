"""Marker vision: find and track a campaign's planar logo in camera frames (cv2 + numpy only).

Public API::

    det = MarkerDetector(reference_bgr); d = det.detect(frame_bgr)   # Detection | None
    trk = MarkerTracker(det); trk.update(frame_bgr, t_seconds)       # smoothed Detection | None
    src = open_source("synthetic" | 0 | "clip.mp4" | "still.png", reference=logo)
"""

from game.vision.detection import Detection, mirror_detection
from game.vision.detector import DetectorConfig, MarkerDetector
from game.vision.rating import MarkerRating, rate_marker, write_rating_report
from game.vision.sources import CameraSettings, Frame, FrameSource, open_auto, open_source
from game.vision.tracker import MarkerTracker

__all__ = [
    "CameraSettings",
    "Detection",
    "DetectorConfig",
    "Frame",
    "FrameSource",
    "MarkerDetector",
    "MarkerRating",
    "MarkerTracker",
    "mirror_detection",
    "open_auto",
    "open_source",
    "rate_marker",
    "write_rating_report",
]
