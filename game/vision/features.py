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
  Past its pyramid (about 10 ms), SIFT costs about 35 us per keypoint, so a busy box describes
  only its ``SIFT_BOX_CORNERS`` strongest; and the boxes of one frame share their descriptions
  (the coarse fits around a miss often clip to the same box, the whole frame).

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
# SIFT in a box: only the strongest this many keypoints (by DoG contrast) are described and
# matched (0: all). The boxes that verified on the val posters had 59-415 keypoints (300 lost the
# 415 one; 400 and 500 the same detections on the val and train-quick posters); busy boxes have up
# to 1400, at 60-100 ms.
SIFT_BOX_CORNERS = 500
# A box lying mostly (this share of its area, 0: never) inside a box already described on the same
# frame, described no more coarsely than REUSE_SCALE times this box would be, reuses that
# description's matches inside it instead of being described again.
REUSE_COVER = 0.75
REUSE_SCALE = 1.25


def _covered(box: tuple[int, int, int, int], by: tuple[int, int, int, int]) -> float:
    """The share of ``box``'s area inside ``by``."""
    w = min(box[2], by[2]) - max(box[0], by[0])
    h = min(box[3], by[3]) - max(box[1], by[1])
    area = (box[2] - box[0]) * (box[3] - box[1])
    return max(0, w) * max(0, h) / area if area > 0 else 0.0


class _Description:
    """A box of a frame as SIFT described it: its matched keypoints and the pose they gave."""

    def __init__(self, box: tuple[int, int, int, int], k: float, points: np.ndarray, train: np.ndarray,
                 pose: np.ndarray | None) -> None:
        self.box = box
        self.k = k  # described px per frame px
        self.points = points  # (n, 2) float32: the matched keypoints in described px (frame px times k)
        self.train = train  # (n,) int: the reference keypoint each one matched
        self.pose = pose


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
            described = cv2.SIFT_create()
            self.detector = cv2.SIFT_create(nfeatures=SIFT_BOX_CORNERS)
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
        # The boxes described on the last frame (``pose`` with a box): that frame, a sample of its
        # pixels (a caller refilling the same array is a new frame) and the descriptions.
        self._frame: np.ndarray | None = None
        self._sample = b""
        self._described: list[_Description] = []

    def pose(self, frame_grey: np.ndarray, scale: float = 1.0, box: tuple[int, int, int, int] | None = None,
             max_side: int = 0, min_side: int = 0) -> np.ndarray | None:
        """Homography from reference px to frame px, from the features of ``frame_grey`` (inside ``box``).

        ``frame_grey`` is the frame scaled by ``scale``; ``box`` is (x0, y0, x1, y1) in its px. A
        box longer than ``max_side`` (0: no limit) is described shrunk to that long side: the cost
        grows with its area, and a large view does not need its finest scale. A box shorter than
        ``min_side`` is described enlarged to it (bilinear), so that a small print yields more
        keypoints than the few its pixels give at the finest octave. Boxes of one frame share
        their descriptions: a box described before gives the same answer again, and a box lying
        mostly inside one described at least about as finely (``REUSE_COVER``, ``REUSE_SCALE``)
        is fitted from that description's matches inside it.
        """
        if len(self.points) < MIN_INLIERS:
            return None
        if box is None:
            kps, des = self.detector.detectAndCompute(frame_grey, None)
            points, train = self._matched(kps, des)
            return self._fit(points, train, scale)
        x0, y0, x1, y1 = box
        long = max(x1 - x0, y1 - y0)
        k = max_side / long if 0 < max_side < long else min_side / long if 0 < long < min_side else 1.0
        self._same_frame(frame_grey)
        for d in self._described:
            if d.box == box and d.k == k:
                return d.pose
        for d in self._described:
            if REUSE_COVER > 0 and _covered(box, d.box) >= REUSE_COVER and d.k * REUSE_SCALE >= k:
                p = d.points / np.float32(d.k)
                inside = (p[:, 0] >= x0) & (p[:, 0] < x1) & (p[:, 1] >= y0) & (p[:, 1] < y1)
                return self._fit(d.points[inside], d.train[inside], scale * d.k)
        sub = frame_grey[y0:y1, x0:x1]
        if k != 1.0:
            sub = cv2.resize(sub, (max(1, round((x1 - x0) * k)), max(1, round((y1 - y0) * k))),
                             interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR)
        kps, des = self.detector.detectAndCompute(sub, None)
        points, train = self._matched(kps, des)
        points = points + np.float32([x0, y0]) * k
        h = self._fit(points, train, scale * k)
        self._described.append(_Description(box, k, points, train, h))
        return h

    def _same_frame(self, frame_grey: np.ndarray) -> None:
        """Forget the descriptions unless ``frame_grey`` is the frame they were made on."""
        sample = frame_grey[::16, ::16].tobytes()
        if frame_grey is not self._frame or sample != self._sample:
            self._frame, self._sample = frame_grey, sample
            self._described = []

    def _matched(self, kps, des) -> tuple[np.ndarray, np.ndarray]:
        """The keypoints (their px) that pass the ratio test, and the reference keypoint of each."""
        if des is None or len(kps) < MIN_INLIERS:
            return np.zeros((0, 2), np.float32), np.zeros(0, np.intp)
        pairs = self.matcher.knnMatch(des, self.descriptors, k=2)
        good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
        points = np.float32([kps[m.queryIdx].pt for m in good]).reshape(-1, 2)
        return points, np.intp([m.trainIdx for m in good])

    def _fit(self, points: np.ndarray, train: np.ndarray, scale: float) -> np.ndarray | None:
        """MAGSAC++ homography reference px -> frame px from matched ``points`` (frame px times ``scale``)."""
        if len(points) < MIN_INLIERS:
            return None
        src = self.points[train]
        dst = points / np.float32(scale)
        h, inl = cv2.findHomography(src, dst, cv2.USAC_MAGSAC, 3.0 / scale, maxIters=2000, confidence=0.999)
        if h is None or inl is None or int(inl.sum()) < MIN_INLIERS:
            return None
        return h
