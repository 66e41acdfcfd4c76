"""The card's 3-D pose from its tracked homography, and the collectible's geometry standing on it.

Pure maths (NumPy + OpenCV, no pygame). The camera is a pinhole with an assumed horizontal field
of view (a webcam's ~65°); ``cv2.solvePnP`` on the four tracked corners gives the card's rotation
and translation. Object coordinates are in card widths: X right and Y down along the printed
logo, Z into the card (away from a camera that faces it), so "out of the card" is -Z.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

DEFAULT_HFOV_DEG = 65.0
RISE_ANGLE_DEG = 42.0  # the figure stands at this angle out of the card's plane, leaning back


def intrinsics(frame_size: tuple[int, int], hfov_deg: float = DEFAULT_HFOV_DEG) -> np.ndarray:
    """Camera matrix of a pinhole with square pixels and the principal point at the centre."""
    w, h = frame_size
    f = (w / 2) / math.tan(math.radians(hfov_deg) / 2)
    return np.array([[f, 0.0, w / 2], [0.0, f, h / 2], [0.0, 0.0, 1.0]])


def card_points(ref_size: tuple[int, int]) -> np.ndarray:
    """The reference corners in object coordinates (card widths, centred), in corner order."""
    w, h = ref_size
    a = h / w / 2
    return np.array([[-0.5, -a, 0.0], [0.5, -a, 0.0], [0.5, a, 0.0], [-0.5, a, 0.0]])


@dataclass(frozen=True)
class CardPose:
    """Rotation and translation of the card in camera coordinates, and the camera matrix."""

    rvec: np.ndarray
    tvec: np.ndarray
    camera: np.ndarray
    ref_size: tuple[int, int]

    def project(self, points: np.ndarray) -> np.ndarray:
        """Object points (N×3, card widths) to frame pixels (N×2)."""
        pts, _ = cv2.projectPoints(np.asarray(points, np.float64).reshape(-1, 1, 3), self.rvec, self.tvec,
                                   self.camera, None)
        return pts.reshape(-1, 2)

    def depth(self, points: np.ndarray) -> np.ndarray:
        """Camera-space Z of object points (for ordering and for perspective sizes)."""
        r, _ = cv2.Rodrigues(self.rvec)
        return (np.asarray(points, np.float64) @ r.T + self.tvec.reshape(1, 3))[:, 2]

    def ref_to_object(self, uv: np.ndarray) -> np.ndarray:
        """Reference pixel coordinates (N×2) to object points on the card (N×3)."""
        w, h = self.ref_size
        uv = np.asarray(uv, np.float64).reshape(-1, 2)
        return np.column_stack([(uv[:, 0] - w / 2) / w, (uv[:, 1] - h / 2) / w, np.zeros(len(uv))])

    def facing(self) -> float:
        """Cosine between the card's normal and the line of sight (1 = facing the camera squarely)."""
        r, _ = cv2.Rodrigues(self.rvec)
        normal = r @ np.array([0.0, 0.0, -1.0])
        sight = -self.tvec.reshape(3) / max(1e-9, float(np.linalg.norm(self.tvec)))
        return float(normal @ sight)


def pose_from_corners(corners: np.ndarray, ref_size: tuple[int, int], frame_size: tuple[int, int],
                      hfov_deg: float = DEFAULT_HFOV_DEG) -> CardPose | None:
    """solvePnP (IPPE for a plane) on the four tracked corners; None if they do not make a pose."""
    img = np.asarray(corners, np.float64).reshape(4, 2)
    if not np.all(np.isfinite(img)):
        return None
    cam = intrinsics(frame_size, hfov_deg)
    # IPPE is exact for a plane but degenerates (NaN) for a card squarely facing the camera;
    # SQPnP handles that case.
    for flags in (cv2.SOLVEPNP_IPPE, cv2.SOLVEPNP_SQPNP):
        ok, rvec, tvec = cv2.solvePnP(card_points(ref_size), img, cam, None, flags=flags)
        if ok and np.all(np.isfinite(rvec)) and np.all(np.isfinite(tvec)) and tvec[2, 0] > 0:
            return CardPose(rvec.reshape(3, 1), tvec.reshape(3, 1), cam, ref_size)
    return None


_RING_ANGLES = np.linspace(0, 2 * math.pi, 24, endpoint=False)
_RING_COS, _RING_SIN = np.cos(_RING_ANGLES), np.sin(_RING_ANGLES)


@dataclass(frozen=True)
class FigureGeometry:
    """Where the collectible stands on the card, as object points.

    ``quad`` is the billboard the art is drawn on (top-left, top-right, bottom-right,
    bottom-left); its bottom edge rests on the card and it leans ``angle`` out of the plane.
    ``foot`` is the anchor (where it stands; on the card plane), ``shadow`` a ring on the card.
    """

    quad: np.ndarray
    foot: np.ndarray
    shadow: np.ndarray
    up: np.ndarray


def figure_geometry(height: float, aspect: float, rise: float, sway: float = 0.0, foot_y: float = 0.18,
                    angle_deg: float = RISE_ANGLE_DEG) -> FigureGeometry:
    """The figure for a rise fraction in [0, 1]: it swings up out of the card plane as it grows.

    ``height`` is in card widths, ``aspect`` is art width / height, ``sway`` a small idle angle
    in degrees around the card's normal, ``foot_y`` where it stands (card widths below centre).
    """
    rise = float(np.clip(rise, 0.0, 1.0))
    eased = 1 - (1 - rise) ** 3
    theta = math.radians(angle_deg * eased)
    hh = height * (0.35 + 0.65 * eased)
    up = np.array([0.0, -math.cos(theta), -math.sin(theta)])
    yaw = math.radians(sway)
    right = np.array([math.cos(yaw), 0.0, 0.0]) + np.array([0.0, 0.0, math.sin(yaw)]) * 0.5
    right = right / np.linalg.norm(right)
    half = right * hh * aspect / 2
    foot = np.array([0.0, foot_y, 0.0])
    top = foot + up * hh
    quad = np.array([top - half, top + half, foot + half, foot - half])
    ring = np.column_stack([_RING_COS * (hh * aspect * 0.55), foot_y + _RING_SIN * (hh * 0.16), np.zeros(len(_RING_COS))])
    return FigureGeometry(quad, foot, ring, up)


def mirror_points(points: np.ndarray, frame_width: int) -> np.ndarray:
    """Frame pixels into a horizontally mirrored preview (as cv2.flip does: x -> W - 1 - x)."""
    out = np.asarray(points, np.float64).copy()
    out[..., 0] = frame_width - 1 - out[..., 0]
    return out
