"""The plain-data result of detection and tracking, plus the mirror mapping for previews."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from game.vision.geometry import project, ref_corners


@dataclass(frozen=True, eq=False)
class Detection:
    """A found planar target. Plain data: the detector draws nothing.

    homography maps reference pixel coordinates to frame pixel coordinates; corners are the
    reference corners (0,0),(w,0),(w,h),(0,h) in the frame; score is a confidence in [0, 1].
    """

    homography: np.ndarray = field(repr=False)
    corners: np.ndarray
    score: float
    ref_size: tuple[int, int] = (0, 0)  # (width, height) of the reference image
    mode: str = "detect"  # "detect" | "track" | "hold" (how the pose was obtained)
    mirrored: bool = False

    @staticmethod
    def from_homography(h: np.ndarray, ref_size: tuple[int, int], score: float, mode: str = "detect",
                        mirrored: bool = False) -> Detection:
        """Build a Detection (corners derived from h)."""
        hh = np.asarray(h, np.float64).copy()
        hh.setflags(write=False)
        corners = project(hh, ref_corners(*ref_size)).astype(np.float32)
        corners.setflags(write=False)
        return Detection(hh, corners, float(np.clip(score, 0.0, 1.0)), ref_size, mode, mirrored)


def mirror_detection(d: Detection, frame_width: int) -> Detection:
    """Map a detection from the raw frame into a horizontally mirrored preview of it.

    The mirrored homography is a reflection (negative determinant) on purpose: it maps the
    reference onto the mirrored preview, where the logo really does appear mirrored. Corners keep
    their meaning (corner 0 is still the reference's top-left corner).
    """
    # cv2.flip maps column x to (W - 1 - x) in pixel-centre coordinates.
    flip = np.array([[-1.0, 0.0, float(frame_width - 1)], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    return Detection.from_homography(flip @ d.homography, d.ref_size, d.score, d.mode, not d.mirrored)
