"""Synthetic camera: a reference held by hand in front of a cluttered scene, with ground truth.

Used as the demo camera when no webcam exists, by the tests, and by bench/vision.py. Poses come
from a pinhole model (printed width, distance, tilt, roll, ~65 degree HFOV), so apparent sizes
match a real 720p webcam downscaled to the output size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from game.vision.blur import motion_blur
from game.vision.geometry import project, ref_corners

HFOV_DEG = 65.0
SKIN = [(141, 170, 224), (120, 150, 205), (95, 125, 190), (70, 95, 150)]  # BGR skin tones


@dataclass(frozen=True)
class Pose:
    """A physical pose of the printed target relative to the camera."""

    width_cm: float
    distance_cm: float
    tilt_deg: float
    tilt_axis_deg: float
    roll_deg: float
    cx: float  # where the target centre projects, as a fraction of the frame width/height
    cy: float


def pose_homography(pose: Pose, ref_size: tuple[int, int], frame_size: tuple[int, int],
                    hfov_deg: float = HFOV_DEG) -> np.ndarray:
    """Reference px -> frame px homography of a pinhole camera looking at the printed target."""
    w, h = ref_size
    fw, fh = frame_size
    f = (fw / 2) / math.tan(math.radians(hfov_deg) / 2)
    k = np.array([[f, 0, fw / 2], [0, f, fh / 2], [0, 0, 1]])
    a = math.radians(pose.tilt_axis_deg)
    axis = np.array([math.cos(a), math.sin(a), 0.0])
    r_tilt, _ = cv2.Rodrigues(axis * math.radians(pose.tilt_deg))
    r_roll, _ = cv2.Rodrigues(np.array([0.0, 0.0, math.radians(pose.roll_deg)]))
    r = r_roll @ r_tilt
    ray = np.linalg.inv(k) @ np.array([pose.cx * fw, pose.cy * fh, 1.0])
    t = pose.distance_cm * ray / np.linalg.norm(ray)
    s = pose.width_cm / w
    to_plane = np.array([[s, 0, -s * w / 2], [0, s, -s * h / 2], [0, 0, 1]])
    hm = k @ np.column_stack([r[:, 0], r[:, 1], t]) @ to_plane
    return hm / hm[2, 2]


def random_pose(rng: np.random.Generator, ref_size: tuple[int, int], frame_size: tuple[int, int],
                max_tilt: float = 50.0, max_roll: float = 40.0, margin: float = 0.02) -> tuple[Pose, np.ndarray]:
    """A random handheld pose inside the envelope whose corners all lie inside the frame."""
    fw, fh = frame_size
    for _ in range(500):
        pose = Pose(
            width_cm=float(math.exp(rng.uniform(math.log(8), math.log(40)))),
            distance_cm=float(math.exp(rng.uniform(math.log(30), math.log(150)))),
            tilt_deg=float(rng.uniform(0, max_tilt)),
            tilt_axis_deg=float(rng.uniform(0, 360)),
            roll_deg=float(rng.uniform(-max_roll, max_roll)),
            cx=float(rng.uniform(0.2, 0.8)),
            cy=float(rng.uniform(0.2, 0.8)),
        )
        hm = pose_homography(pose, ref_size, frame_size)
        q = project(hm, ref_corners(*ref_size))
        if (q[:, 0].min() > margin * fw and q[:, 0].max() < (1 - margin) * fw
                and q[:, 1].min() > margin * fh and q[:, 1].max() < (1 - margin) * fh):
            return pose, hm
    raise RuntimeError("could not sample a pose inside the frame")


def clutter_background(rng: np.random.Generator, size: tuple[int, int], red_distractors: int = 6) -> np.ndarray:
    """A busy indoor-ish background: gradients, shapes, text-like marks and red distractors."""
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = rng.uniform(60, 200, 3)
    grad = rng.uniform(-60, 60, (2, 3))
    img = np.clip(base[None, None, :] + (xx[..., None] / w) * grad[0] + (yy[..., None] / h) * grad[1], 0, 255)
    img = img.astype(np.uint8)
    sc = w / 640.0
    for _ in range(int(rng.integers(15, 35))):
        color = tuple(int(v) for v in rng.integers(0, 255, 3))
        kind = rng.integers(0, 4)
        p = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        if kind == 0:
            q = (p[0] + int(rng.integers(-150, 150) * sc), p[1] + int(rng.integers(-150, 150) * sc))
            cv2.rectangle(img, p, q, color, int(rng.choice([-1, 2, 4])), cv2.LINE_AA)
        elif kind == 1:
            cv2.circle(img, p, int(rng.integers(5, 70) * sc), color, int(rng.choice([-1, 2, 5])), cv2.LINE_AA)
        elif kind == 2:
            q = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            cv2.line(img, p, q, color, max(1, int(rng.integers(1, 6) * sc)), cv2.LINE_AA)
        else:
            text = "".join(chr(int(c)) for c in rng.integers(65, 91, int(rng.integers(3, 9))))
            cv2.putText(img, text, p, cv2.FONT_HERSHEY_SIMPLEX, float(rng.uniform(0.4, 1.5)) * sc, color,
                        max(1, int(2 * sc)), cv2.LINE_AA)
    for _ in range(red_distractors):  # red things: envelopes, lanterns, stripes, rings, squiggles
        red = (int(rng.integers(10, 60)), int(rng.integers(10, 50)), int(rng.integers(150, 235)))
        p = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        kind = rng.integers(0, 4)
        if kind == 0:
            cv2.ellipse(img, p, (int(rng.integers(10, 60) * sc), int(rng.integers(10, 60) * sc)),
                        float(rng.uniform(0, 180)), 0, 360, red, int(rng.choice([-1, 3, 6])), cv2.LINE_AA)
        elif kind == 1:
            q = (p[0] + int(rng.integers(20, 120) * sc), p[1] + int(rng.integers(20, 160) * sc))
            cv2.rectangle(img, p, q, red, -1, cv2.LINE_AA)
        elif kind == 2:
            pts = (np.array(p) + rng.normal(0, 40 * sc, (6, 2))).astype(np.int32)
            cv2.polylines(img, [pts], False, red, max(2, int(4 * sc)), cv2.LINE_AA)
        else:
            cv2.putText(img, "FU", p, cv2.FONT_HERSHEY_DUPLEX, float(rng.uniform(1, 3)) * sc, red,
                        max(2, int(5 * sc)), cv2.LINE_AA)
    return img


def draw_finger(img: np.ndarray, rng: np.random.Generator, target_quad: np.ndarray, coverage: float) -> None:
    """A skin-coloured finger entering from outside the quad and covering part of it."""
    c = target_quad.mean(0)
    size = float(np.linalg.norm(target_quad[0] - target_quad[2]))
    ang = rng.uniform(0, 2 * math.pi)
    d = np.array([math.cos(ang), math.sin(ang)])
    tip = c + d * size * (0.5 - coverage)
    base = c + d * size * 1.6
    width = max(4, int(size * rng.uniform(0.10, 0.18)))
    color = SKIN[int(rng.integers(0, len(SKIN)))]
    cv2.line(img, tuple(int(v) for v in base), tuple(int(v) for v in tip), color, width, cv2.LINE_AA)
    cv2.circle(img, tuple(int(v) for v in tip), width // 2, color, -1, cv2.LINE_AA)


def add_glare(img: np.ndarray, rng: np.random.Generator, center: np.ndarray, radius: float, strength: float) -> np.ndarray:
    """A soft specular highlight (saturates part of the print)."""
    h, w = img.shape[:2]
    r3 = 3 * radius
    x0, x1 = max(0, int(center[0] - r3)), min(w, int(center[0] + r3) + 1)
    y0, y1 = max(0, int(center[1] - r3)), min(h, int(center[1] + r3) + 1)
    out = img.copy()
    if x1 <= x0 or y1 <= y0:
        return out
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    g = np.exp(-(((xx - center[0]) ** 2 + (yy - center[1]) ** 2) / (2 * radius**2)))
    roi = out[y0:y1, x0:x1].astype(np.float32) + strength * g[..., None]
    out[y0:y1, x0:x1] = np.clip(roi, 0, 255).astype(np.uint8)
    return out


@dataclass(frozen=True)
class Effects:
    """Photometric and occlusion nuisances applied to one frame."""

    gain: float = 1.0
    bias: float = 0.0
    blur_len: float = 0.0
    blur_angle: float = 0.0
    noise: float = 2.0
    glare: float = 0.0  # peak brightness added (0 = none)
    finger: float = 0.0  # fraction of the target diagonal covered (0 = no finger)


def random_effects(rng: np.random.Generator) -> Effects:
    """Typical webcam nuisances: exposure, handheld blur, sensor noise, glare, a finger."""
    return Effects(
        gain=float(rng.uniform(0.6, 1.25)),
        bias=float(rng.uniform(-20, 20)),
        blur_len=float(rng.choice([0, 0, rng.uniform(2, 6), rng.uniform(4, 9)])),
        blur_angle=float(rng.uniform(0, 180)),
        noise=float(rng.uniform(1, 7)),
        glare=float(rng.choice([0, 0, 0, rng.uniform(60, 140)])),
        finger=float(rng.choice([0, 0, rng.uniform(0.1, 0.3)])),
    )


def render(reference: np.ndarray, hm: np.ndarray | None, background: np.ndarray, effects: Effects,
           rng: np.random.Generator, supersample: int = 2) -> np.ndarray:
    """Composite the reference at homography hm over the background, then apply effects.

    Rendering happens at ``supersample`` times the output size and is area-downscaled, like a
    720p webcam image resized for processing.
    """
    h, w = background.shape[:2]
    ss = supersample
    big = cv2.resize(background, (w * ss, h * ss), interpolation=cv2.INTER_LINEAR)
    if hm is not None:
        s = np.diag([ss, ss, 1.0])
        hb = s @ hm
        warped = cv2.warpPerspective(reference, hb, (w * ss, h * ss), flags=cv2.INTER_LINEAR)
        mask = cv2.warpPerspective(np.full(reference.shape[:2], 255, np.uint8), hb, (w * ss, h * ss),
                                   flags=cv2.INTER_LINEAR)
        a = mask.astype(np.float32)[..., None] / 255.0
        big = (warped.astype(np.float32) * a + big.astype(np.float32) * (1 - a)).astype(np.uint8)
        quad = project(hb, ref_corners(reference.shape[1], reference.shape[0]))
        if effects.finger > 0:
            draw_finger(big, rng, quad, effects.finger)
        if effects.glare > 0:
            c = quad.mean(0) + rng.normal(0, 0.15, 2) * np.ptp(quad, 0)
            big = add_glare(big, rng, c, float(np.ptp(quad[:, 0]) * rng.uniform(0.12, 0.3)), effects.glare)
    img = cv2.resize(big, (w, h), interpolation=cv2.INTER_AREA)
    img = motion_blur(img, effects.blur_len, effects.blur_angle)
    f = img.astype(np.float32) * effects.gain + effects.bias
    if effects.noise > 0:
        f += rng.normal(0, effects.noise, f.shape).astype(np.float32)
    return np.clip(f, 0, 255).astype(np.uint8)


class HandheldScene:
    """A seeded, scripted handheld sequence with ground truth, rendered on demand.

    path="handheld": smooth wandering (sum of sinusoids) plus tremor, occasional finger and glare,
    and short full dropouts (target lowered out of view) when ``dropouts`` is set.
    path="still": target resting in place with sub-pixel tremor, for jitter measurements.
    """

    def __init__(self, reference: np.ndarray, size: tuple[int, int] = (640, 480), fps: float = 30.0,
                 seed: int = 0, path: str = "handheld", dropouts: bool = False) -> None:
        if path not in ("handheld", "still"):
            raise ValueError(f"unknown path {path!r} (use 'handheld' or 'still')")
        self.reference = reference
        self.size = size
        self.fps = fps
        self.seed = seed
        self.path = path
        self.dropouts = dropouts
        rng = np.random.default_rng(seed)
        self.background = clutter_background(rng, size)
        self._freqs = rng.uniform(0.05, 0.35, (6, 3))
        self._phases = rng.uniform(0, 2 * math.pi, (6, 3))
        self._base = Pose(width_cm=float(rng.uniform(12, 24)), distance_cm=float(rng.uniform(50, 90)),
                          tilt_deg=float(rng.uniform(5, 25)), tilt_axis_deg=float(rng.uniform(0, 360)),
                          roll_deg=float(rng.uniform(-15, 15)), cx=0.5, cy=0.5)

    def pose_at(self, t: float) -> Pose:
        """The scripted pose at time t (seconds)."""
        b = self._base
        if self.path == "still":
            return b

        def wave(i: int) -> float:
            return float(sum(math.sin(2 * math.pi * self._freqs[i, j] * t + self._phases[i, j]) for j in range(3)) / 3)

        return Pose(width_cm=b.width_cm, distance_cm=b.distance_cm * (1 + 0.25 * wave(0)),
                    tilt_deg=abs(b.tilt_deg + 20 * wave(1)), tilt_axis_deg=b.tilt_axis_deg + 30 * wave(2),
                    roll_deg=b.roll_deg + 25 * wave(3), cx=0.5 + 0.22 * wave(4), cy=0.5 + 0.2 * wave(5))

    def visible(self, index: int) -> bool:
        """False during scripted dropouts (every 5 s, for 0.5 s) when enabled."""
        if not self.dropouts:
            return True
        t = index / self.fps
        return not (t % 5.0 > 4.0 and t % 5.0 < 4.5)

    def render(self, index: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Frame ``index`` and its ground-truth homography (None when the target is hidden)."""
        rng = np.random.default_rng((self.seed, index))
        t = index / self.fps
        if not self.visible(index):
            return render(self.reference, None, self.background, Effects(noise=2.0), rng), None
        pose = self.pose_at(t)
        hm = pose_homography(pose, (self.reference.shape[1], self.reference.shape[0]), self.size)
        if self.path == "still":
            eff = Effects(noise=2.0)
            tremor = np.eye(3)
            tremor[0, 2], tremor[1, 2] = rng.normal(0, 0.05, 2)
            hm = tremor @ hm
        else:
            # Blur follows the motion between frames, like a real exposure.
            prev = pose_homography(self.pose_at(t - 1 / self.fps), (self.reference.shape[1], self.reference.shape[0]),
                                   self.size)
            c = np.array([[self.reference.shape[1] / 2, self.reference.shape[0] / 2]])
            mv = project(hm, c)[0] - project(prev, c)[0]
            light = 1.0 + 0.15 * math.sin(2 * math.pi * 0.1 * t)
            phase = t % 7.0
            finger = 0.2 if 3.0 < phase < 3.8 else 0.0
            glare = 90.0 if 5.0 < phase < 5.6 else 0.0
            eff = Effects(gain=light, blur_len=float(np.linalg.norm(mv)) * 0.6,
                          blur_angle=math.degrees(math.atan2(mv[1], mv[0])), noise=3.0, glare=glare, finger=finger)
        return render(self.reference, hm, self.background, eff, rng), hm
