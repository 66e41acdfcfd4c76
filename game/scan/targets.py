"""Many printed targets at once: one feature pass per frame and one shared index over all targets.

The brand logo is line art and has its own engine (``MarkerDetector``); posters are found here.
Per frame the cost is: ORB features of the frame once (shared by every target), one
approximate nearest-neighbour query (FLANN LSH) against the descriptors of ALL targets stacked
in a single index, a vote per target, and a RANSAC homography for the best-voted target(s)
only. Adding targets grows the index, not the per-frame passes, so the cost is far from linear
in the number of targets.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

FLANN_INDEX_LSH = 6
WORK_WIDTH = 480  # frames are searched at this width (posters fill a good part of the view)
REF_SIDE = 360  # targets are indexed at this size (longest side)
# A poster in view gives mostly inliers, found in a few dozen draws; without one, RANSAC would
# otherwise spend its default 2,000 draws on chance matches (most of the cost with few targets).
RANSAC_ITERS = 300


@dataclass(frozen=True)
class TargetHit:
    """A found target: its id, the reference->frame homography (frame pixels) and inlier count."""

    target_id: str
    homography: np.ndarray
    inliers: int
    corners: np.ndarray


@dataclass(frozen=True)
class _Target:
    target_id: str
    size: tuple[int, int]  # (w, h) of the original reference
    scale: float  # original px per indexed px
    points: np.ndarray  # N×2 keypoint positions (indexed px)


class TargetIndex:
    """``index.find(gray_frame) -> list[TargetHit]``; build once with every target's image."""

    def __init__(self, targets: dict[str, np.ndarray], features: int = 700, min_inliers: int = 18,
                 verify: int = 2) -> None:
        self.orb = cv2.ORB_create(nfeatures=features, scaleFactor=1.3, nlevels=6, fastThreshold=12)
        self.frame_orb = cv2.ORB_create(nfeatures=700, scaleFactor=1.3, nlevels=5, fastThreshold=12)
        self.min_inliers = min_inliers
        self.verify = verify
        self.targets: list[_Target] = []
        owners: list[np.ndarray] = []
        descriptors: list[np.ndarray] = []
        for target_id, image in targets.items():
            gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
            h, w = gray.shape
            s = REF_SIDE / max(w, h)
            small = cv2.resize(gray, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
            kps, desc = self.orb.detectAndCompute(small, None)
            if desc is None or len(kps) < min_inliers:
                raise ValueError(f"target {target_id!r} has too little texture to be found ({len(kps)} features)")
            owners.append(np.full(len(kps), len(self.targets), np.int32))
            descriptors.append(desc)
            self.targets.append(_Target(target_id, (w, h), 1 / s, np.float32([k.pt for k in kps])))
        self._owner = np.concatenate(owners) if owners else np.zeros(0, np.int32)
        self._offsets = np.cumsum([0] + [len(d) for d in descriptors])
        self.matcher: cv2.FlannBasedMatcher | None = None
        if descriptors:
            params = {"algorithm": FLANN_INDEX_LSH, "table_number": 6, "key_size": 20, "multi_probe_level": 1}
            self.matcher = cv2.FlannBasedMatcher(params, {"checks": 32})
            self.matcher.add([np.vstack(descriptors)])
            self.matcher.train()

    def __len__(self) -> int:
        return len(self.targets)

    def find(self, frame_gray: np.ndarray) -> list[TargetHit]:
        """Targets visible in a grayscale frame (frame pixel coordinates), best first."""
        if self.matcher is None:
            return []
        h, w = frame_gray.shape
        s = min(1.0, WORK_WIDTH / w)
        small = cv2.resize(frame_gray, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA) if s < 1 else frame_gray
        kps, desc = self.frame_orb.detectAndCompute(small, None)
        if desc is None or len(kps) < self.min_inliers:
            return []
        pairs = self.matcher.knnMatch(desc, k=2)
        query, train = [], []
        for pair in pairs:
            if len(pair) == 2 and pair[0].distance < 0.8 * pair[1].distance:
                query.append(pair[0].queryIdx)
                train.append(pair[0].trainIdx)
        if len(train) < self.min_inliers:
            return []
        train_arr = np.asarray(train)
        query_arr = np.asarray(query)
        votes = np.bincount(self._owner[train_arr], minlength=len(self.targets))
        frame_pts = np.float32([kps[i].pt for i in query_arr]) / s
        hits: list[TargetHit] = []
        for t in np.argsort(-votes)[: self.verify]:
            if votes[t] < self.min_inliers:
                break
            target = self.targets[int(t)]
            sel = self._owner[train_arr] == t
            ref_pts = target.points[train_arr[sel] - self._offsets[t]] * target.scale
            hm, mask = cv2.findHomography(ref_pts, frame_pts[sel], cv2.RANSAC, 6.0, maxIters=RANSAC_ITERS)
            if hm is None or mask is None or int(mask.sum()) < self.min_inliers or not _plausible(hm, target.size):
                continue
            tw, th = target.size
            corners = cv2.perspectiveTransform(np.float32([[[0, 0], [tw, 0], [tw, th], [0, th]]]), hm).reshape(4, 2)
            hits.append(TargetHit(target.target_id, hm, int(mask.sum()), corners))
        return sorted(hits, key=lambda hit: -hit.inliers)


def _plausible(hm: np.ndarray, size: tuple[int, int]) -> bool:
    """A convex, not wildly sheared quad (a RANSAC fit on a few lucky matches is often neither)."""
    w, h = size
    q = cv2.perspectiveTransform(np.float32([[[0, 0], [w, 0], [w, h], [0, h]]]), hm).reshape(4, 2)
    if not cv2.isContourConvex(q.astype(np.float32)):
        return False
    sides = [float(np.linalg.norm(q[i] - q[(i + 1) % 4])) for i in range(4)]
    return min(sides) > 20 and max(sides) / min(sides) < 6
