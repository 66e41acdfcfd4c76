"""Local features for textured references: matches and a MAGSAC++ homography as a pose hypothesis.

A photograph or poster has many repeatable corners, so local features find it over any
viewpoint change the camera makes; line art has too few of them (docs/vision.md). The
homography they give is a hypothesis like any other: the detector refines it with direct
alignment and verifies it before reporting it, so a wrong fit among clutter costs time, not a
wrong pose.

Two kinds, used where each pays (val split of bench/vision_general.py and bench/vision_pairs.py,
one thread, 640x480):
- ``"orb"`` over the whole frame: about 3 ms (500 frame features at the frame's own scale against
  1000 of the reference over its pyramid from 640 px). It finds large views: the real-photograph
  pairs (180-600 px).
- ``"sift"`` inside a box (``pose(..., box=...)``): SIFT finds small and blurred views that ORB
  misses, but over a whole 640x480 frame it costs 100-130 ms, most of it spent on the doubled
  first octave of an image that mostly holds no print. Inside a 200-px box around a region the
  other hypotheses pointed at, it costs about 15 ms. A small box is enlarged first
  (``pose(..., min_side=...)``): a 40-80 px print then spans more of SIFT's finer octaves.

Both: Lowe's ratio test (0.8) on two nearest neighbours, and ``cv2.USAC_MAGSAC`` (MAGSAC++,
Barath et al. 2020) for the robust fit, which needs no exact inlier threshold (it marginalises
over noise scales), so one setting serves blurred small views and sharp large ones.
"""

from __future__ import annotations

import cv2
import numpy as np

MIN_INLIERS = 10  # fewer inliers than this is a chance alignment of a few matches
RATIO = 0.8
# ORB: the reference at 640 px long side, 1000 corners over ORB's own 8-level pyramid (3.6x), against
# 500 corners of the frame at its own scale only: views of about 180-640 px, the ones ORB finds at
# all (smaller views are the SIFT boxes'; a second description at 240 px found no more views on the
# train and val posters and pairs). The reference's pyramid already spans those scales, so the
# frame's own pyramid would only add views larger than the reference's 640 px; without it the
# frame costs a third (same detections on the train and val posters and the val pairs, textured
# misses about 7 ms quicker). Matching costs about 8 ns per descriptor pair here, so these counts
# bound it to ~1-2 ms.
ORB_REF_SIDES = (640,)
ORB_REF_CORNERS = 1000
ORB_FRAME_CORNERS = 500
SIFT_REF_SIDE = 640


class FeatureHypotheses:
    """``FeatureHypotheses(reference_grey, kind).pose(frame_grey)``: reference px -> frame px, or None."""

    def __init__(self, reference_grey: np.ndarray, kind: str = "orb") -> None:
        if kind not in ("orb", "sift"):
            raise ValueError(f"feature kind must be 'orb' or 'sift', got {kind!r}")
        self.kind = kind
        h, w = reference_grey.shape[:2]
        if kind == "orb":
            sides = ORB_REF_SIDES
            described = cv2.ORB_create(nfeatures=ORB_REF_CORNERS, scaleFactor=1.2, nlevels=8, fastThreshold=12)
            self.detector = cv2.ORB_create(nfeatures=ORB_FRAME_CORNERS, scaleFactor=1.2, nlevels=1, fastThreshold=12)
            self.matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
            empty = np.zeros((0, 32), np.uint8)
        else:
            sides = (SIFT_REF_SIDE,)
            described = self.detector = cv2.SIFT_create()
            self.matcher = cv2.BFMatcher(cv2.NORM_L2)
            empty = np.zeros((0, 128), np.float32)
        pts, des = [], []
        for side in sides:
            k = min(1.0, side / max(w, h))
            small = (cv2.resize(reference_grey, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA)
                     if k < 1 else reference_grey)
            kps, d = described.detectAndCompute(small, None)
            if d is not None:
                pts.append(np.float32([kp.pt for kp in kps]).reshape(-1, 2) / k)
                des.append(d)
            if k == 1.0:  # a smaller reference is described once, at its own size
                break
        self.points = np.concatenate(pts) if pts else np.zeros((0, 2), np.float32)
        self.descriptors = np.concatenate(des) if des else empty

    def pose(self, frame_grey: np.ndarray, scale: float = 1.0, box: tuple[int, int, int, int] | None = None,
             max_side: int = 0, min_side: int = 0) -> np.ndarray | None:
        """Homography from reference px to frame px, from the features of ``frame_grey`` (inside ``box``).

        ``frame_grey`` is the frame scaled by ``scale``; ``box`` is (x0, y0, x1, y1) in its px. A
        box longer than ``max_side`` (0: no limit) is described shrunk to that long side: the cost
        grows with its area, and a large view does not need its finest scale. A box shorter than
        ``min_side`` is described enlarged to it (bilinear), so that a small print yields more
        keypoints than the few its pixels give at the finest octave.
        """
        if len(self.points) < MIN_INLIERS:
            return None
        origin = np.zeros(2, np.float32)
        if box is not None:
            x0, y0, x1, y1 = box
            frame_grey = frame_grey[y0:y1, x0:x1]
            origin = np.float32([x0, y0])
            long = max(x1 - x0, y1 - y0)
            k = max_side / long if 0 < max_side < long else min_side / long if 0 < long < min_side else 1.0
            if k != 1.0:
                frame_grey = cv2.resize(frame_grey, (max(1, round((x1 - x0) * k)), max(1, round((y1 - y0) * k))),
                                        interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR)
                scale = scale * k
                origin = origin * k
        kps, des = self.detector.detectAndCompute(frame_grey, None)
        if des is None or len(kps) < MIN_INLIERS:
            return None
        pairs = self.matcher.knnMatch(des, self.descriptors, k=2)
        good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
        if len(good) < MIN_INLIERS:
            return None
        src = self.points[[m.trainIdx for m in good]]
        dst = (np.float32([kps[m.queryIdx].pt for m in good]) + origin) / scale
        h, inl = cv2.findHomography(src, dst, cv2.USAC_MAGSAC, 3.0 / scale, maxIters=2000, confidence=0.999)
        if h is None or inl is None or int(inl.sum()) < MIN_INLIERS:
            return None
        return h
