"""Local features for textured references: SIFT matches and a MAGSAC++ homography as a pose hypothesis.

A photograph or poster has many repeatable corners, so scale-invariant local features find it
over any viewpoint change the camera makes; line art has too few of them (docs/vision.md). The
homography they give is a hypothesis like any other: the detector refines it with direct
alignment and verifies it before reporting it, so a wrong fit among clutter costs time, not a
wrong pose.

- SIFT (free in OpenCV >= 4.4) rather than ORB: on real photographs with viewpoint, zoom, blur
  and light changes it matches far more of the pairs (bench/vision_pairs.py).
- Lowe's ratio test (0.8) on two nearest neighbours.
- ``cv2.USAC_MAGSAC`` (MAGSAC++, Barath et al. 2020) for the robust fit: it needs no exact
  inlier threshold (it marginalises over noise scales), so one setting serves blurred small
  views and sharp large ones.
"""

from __future__ import annotations

import cv2
import numpy as np

MIN_INLIERS = 10  # fewer inliers than this is a chance alignment of a few matches
RATIO = 0.8
REF_SIDE = 640  # the reference is described at up to this long side


class FeatureHypotheses:
    """``FeatureHypotheses(reference_grey).pose(frame_grey)``: reference px -> frame px, or None."""

    def __init__(self, reference_grey: np.ndarray) -> None:
        h, w = reference_grey.shape[:2]
        k = min(1.0, REF_SIDE / max(w, h))
        small = cv2.resize(reference_grey, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA) if k < 1 \
            else reference_grey
        self.sift = cv2.SIFT_create()
        self.matcher = cv2.BFMatcher(cv2.NORM_L2)
        kps, des = self.sift.detectAndCompute(small, None)
        self.points = np.float32([kp.pt for kp in kps]).reshape(-1, 2) / k
        self.descriptors = des if des is not None else np.zeros((0, 128), np.float32)

    def pose(self, frame_grey: np.ndarray, scale: float = 1.0) -> np.ndarray | None:
        """Homography from reference px to frame px (``frame_grey`` is the frame scaled by ``scale``)."""
        if len(self.points) < MIN_INLIERS:
            return None
        kps, des = self.sift.detectAndCompute(frame_grey, None)
        if des is None or len(kps) < MIN_INLIERS:
            return None
        pairs = self.matcher.knnMatch(des, self.descriptors, k=2)
        good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
        if len(good) < MIN_INLIERS:
            return None
        src = self.points[[m.trainIdx for m in good]]
        dst = np.float32([kps[m.queryIdx].pt for m in good]) / scale
        h, inl = cv2.findHomography(src, dst, cv2.USAC_MAGSAC, 3.0 / scale, maxIters=2000, confidence=0.999)
        if h is None or inl is None or int(inl.sum()) < MIN_INLIERS:
            return None
        return h
