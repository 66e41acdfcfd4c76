"""Rate how well a reference image will work as an AR marker, with actionable advice."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from game.vision.detector import MarkerDetector
from game.vision.geometry import mean_corner_error
from game.vision.reference import MIN_REF_SIDE, as_bgr_frame, card_colour, detail_loss
from game.vision.synthetic import Effects, clutter_background, random_pose, render

GOOD_SIDE = 300
TRIAL_VIEWS = 16  # simulated handheld views the detector is tried on
TRIAL_FRAME = (640, 480)


@dataclass(frozen=True)
class Trial:
    """How the detector did on simulated views of a reference: found within 5 px, wrong pose, tried."""

    found: int
    wrong: int
    views: int


def trial_detection(reference_bgr: np.ndarray, views: int = TRIAL_VIEWS, seed: int = 0,
                    detector: MarkerDetector | None = None) -> Trial:
    """Run the detector on seeded synthetic views of the reference.

    Handheld poses inside the envelope, cluttered backgrounds with red distractors, sensor noise
    and light motion blur; no fingers or glare, so the result is about the design, not the
    lighting. Two references that look equally good by their statistics can differ here: a
    landscape photo of smooth bands rated 81 by the image measures, and the detector found it in
    a fifth of such views.
    """
    det = detector or MarkerDetector(reference_bgr)
    size = (reference_bgr.shape[1], reference_bgr.shape[0])
    rng = np.random.default_rng(seed)
    found = wrong = 0
    for _ in range(views):
        bg = clutter_background(rng, TRIAL_FRAME, red_distractors=int(rng.integers(3, 10)))
        _, truth = random_pose(rng, size, TRIAL_FRAME)
        fx = Effects(noise=float(rng.uniform(1, 4)), blur_len=float(rng.uniform(0, 3)),
                     blur_angle=float(rng.uniform(0, 180)))
        d = det.detect(render(reference_bgr, truth, bg, fx, rng))
        if d is not None:
            if mean_corner_error(d.homography, truth, *size) <= 5.0:
                found += 1
            else:
                wrong += 1
    return Trial(found, wrong, views)


@dataclass(frozen=True)
class MarkerRating:
    """Overall score 0-100, component sub-scores (0-100 each) and advice strings."""

    score: int
    components: dict[str, float] = field(default_factory=dict)
    advice: list[str] = field(default_factory=list)
    mode: str = "shape"  # "shape" (line art: colour + contour + alignment) or "texture" (features too)
    symmetry_angle: float | None = None  # rotation (deg) at which the mark looks most like itself


def _rotation_self_similarity(grey: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Highest NCC of the (centre-cropped, disc-masked) image with its own rotations.

    Returns (best similarity, its angle, curve over angles). Near 1 means the mark looks the same
    after that rotation, so its orientation cannot be recovered from shape alone.
    """
    h, w = grey.shape
    side = min(h, w)
    y0, x0 = (h - side) // 2, (w - side) // 2
    g = cv2.resize(grey[y0:y0 + side, x0:x0 + side], (96, 96), interpolation=cv2.INTER_AREA).astype(np.float32)
    yy, xx = np.mgrid[0:96, 0:96]
    disc = ((xx - 47.5) ** 2 + (yy - 47.5) ** 2) <= 47**2
    base = g[disc] - g[disc].mean()
    nb = float(np.linalg.norm(base)) + 1e-6
    angles = np.arange(10, 351, 5, dtype=np.float64)
    curve = []
    for a in angles:
        m = cv2.getRotationMatrix2D((47.5, 47.5), float(a), 1.0)
        r = cv2.warpAffine(g, m, (96, 96), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)[disc]
        r = r - r.mean()
        curve.append(float(np.dot(base, r) / (nb * (float(np.linalg.norm(r)) + 1e-6))))
    arr = np.array(curve)
    # Ignore the trivial neighbourhood of 0 degrees (blurry marks correlate with small rotations).
    valid = (angles >= 30) & (angles <= 330)
    i = int(np.argmax(np.where(valid, arr, -1)))
    return float(arr[i]), float(angles[i]), arr


def plain_margin(bgr: np.ndarray) -> float:
    """Widest plain band of the card colour along any side, as a share of that side's depth.

    Ink is what differs from the card colour by more than 30 in Lab (as in ``ReferenceModel``).
    """
    lab = cv2.cvtColor(bgr, cv2.COLOR_BGR2LAB).astype(np.float32)
    _, card = card_colour(bgr, lab)
    ink = np.linalg.norm(lab - card, axis=2) > 30.0
    ys, xs = np.nonzero(ink)
    if xs.size == 0:
        return 0.0
    h, w = ink.shape
    return float(max(xs.min() / w, ys.min() / h, (w - 1 - xs.max()) / w, (h - 1 - ys.max()) / h))


def rate_marker(reference_bgr: np.ndarray) -> MarkerRating:
    """Score a reference for detectability and give advice (size, proportions, contrast, texture, symmetry, colour)."""
    ref = as_bgr_frame(reference_bgr, "reference")
    h, w = ref.shape[:2]
    if min(h, w) < MIN_REF_SIDE:
        raise ValueError(f"reference is too small ({w}x{h}); each side must be >= {MIN_REF_SIDE} px")
    advice: list[str] = []
    comp: dict[str, float] = {}
    comp["size"] = float(np.clip(100 * min(h, w) / GOOD_SIDE, 0, 100))
    if min(h, w) < GOOD_SIDE:
        advice.append(f"too small: use >= {GOOD_SIDE} px on the short side (now {min(h, w)})")
    aspect = max(h, w) / min(h, w)
    # An elongated mark is thin in the frame: its short side, not its long one, limits detection.
    comp["proportions"] = float(np.clip(100 * (10.0 - aspect) / 8.0, 0, 100))
    if aspect > 3.0:
        # The short side needs about 20 px of a 640-px frame (65 deg HFOV: 502 px focal length).
        min_cm = 20.0 * 150.0 / 502.0
        advice.append(f"elongated ({aspect:.1f}:1): print the short side >= {min_cm:.0f} cm for 1.5 m away, "
                      "or on a card with margins")
    k = 480.0 / max(h, w)
    small = cv2.resize(ref, (max(8, round(w * k)), max(8, round(h * k))), interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    contrast = float(np.percentile(grey, 95) - np.percentile(grey, 5))
    comp["contrast"] = float(np.clip(100 * contrast / 120, 0, 100))
    if contrast < 60:
        advice.append("low contrast: darken the ink or lighten the card")
    orb = cv2.ORB_create(nfeatures=1000, fastThreshold=12)
    kps = orb.detect(grey, None)
    # Line art has large plain areas: most local windows are flat even if ORB fires on curves.
    g32 = grey.astype(np.float32)
    local_var = cv2.blur(g32 * g32, (9, 9)) - cv2.blur(g32, (9, 9)) ** 2
    busy = float((local_var > 25.0).mean())
    comp["texture"] = float(np.clip(100 * min(len(kps) / 400, busy / 0.6), 0, 100))
    edges = cv2.Canny(grey, 60, 150)
    edge_density = float((edges > 0).mean())
    comp["edges"] = float(np.clip(100 * edge_density / 0.04, 0, 100))
    # The detector's own test, so the report names the mode it will actually use.
    det = MarkerDetector(ref)
    mode = "texture" if det.ref.textured else "shape"
    if mode == "shape":
        advice.append("low texture: shape mode (colour + outline + alignment; no feature matching)")
    else:
        advice.append("photo-like: texture mode (colour layout within 40 deg of upright, then feature matching)")
    if edge_density < 0.005:
        advice.append("very few edges: add line work or a frame so the pose can be aligned")
    # Thin strokes vanish from the detector's 128-px template (see ReferenceModel.detail_loss).
    fine = cv2.resize(grey, (max(8, round(grey.shape[1] * 256 / max(grey.shape))),
                             max(8, round(grey.shape[0] * 256 / max(grey.shape)))), interpolation=cv2.INTER_AREA)
    coarse = cv2.resize(fine, (max(4, fine.shape[1] // 2), max(4, fine.shape[0] // 2)), interpolation=cv2.INTER_AREA)
    lost = detail_loss(fine, coarse)
    if lost > 0.1:
        advice.append(f"hairline strokes: {lost:.0%} of the detail vanishes at 128 px; bolder strokes align better")
    sim, ang, _ = _rotation_self_similarity(grey)
    comp["asymmetry"] = float(np.clip(100 * (1 - sim) / 0.5, 0, 100))
    if sim > 0.8:
        advice.append(f"symmetric: orientation ambiguous (looks alike rotated {ang:.0f} deg); add a mark")
    hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
    sat = hsv[..., 1].astype(np.float32)
    colourful = float((sat > 80).mean())
    comp["colour"] = float(np.clip(100 * (0.3 + 0.7 * min(1.0, colourful / 0.05)), 0, 100))
    if colourful < 0.01:
        advice.append("no distinctive colour: candidates come from edges only; a brand colour helps")
    # The detector compares the whole reference, margin included: a logo on a sign or a bank
    # card (other surroundings) with a reference 20 % plain margin was found in 4 % of views.
    margin = plain_margin(small)
    if margin >= 0.05:
        advice.append(f"plain margin ({margin:.0%}): prints must show it; for a logo on a sign or card, crop it off")
    # What the image measures cannot see (a photo whose bands match themselves stretched, a mark
    # that merges with its card at a distance), the detector itself shows on simulated views.
    trial = trial_detection(ref, detector=det)
    comp["trial"] = 100.0 * trial.found / trial.views
    if trial.found < 0.75 * trial.views:
        advice.append(f"found in {trial.found} of {trial.views} simulated handheld views: expect misses; "
                      "a bolder, more distinct design helps")
    if trial.wrong:
        advice.append(f"wrong pose in {trial.wrong} of {trial.views} simulated views: it matches itself "
                      "shifted or stretched; add distinct detail")
    weights = {"size": 0.05, "contrast": 0.1, "texture": 0.1, "edges": 0.1, "asymmetry": 0.1, "colour": 0.05,
               "proportions": 0.05, "trial": 0.45}
    score = round(sum(comp[n] * wt for n, wt in weights.items()))
    if not advice:
        advice.append("good marker")
    return MarkerRating(int(np.clip(score, 0, 100)), comp, advice, mode, ang if sim > 0.8 else None)


def write_rating_report(rating: MarkerRating, reference_bgr: np.ndarray, path_png: str | Path) -> Path:
    """Write a PNG report: reference, edge map, rotation self-similarity plot, score and advice."""
    ref = as_bgr_frame(reference_bgr, "reference")
    h, w = ref.shape[:2]
    k = 300.0 / max(h, w)
    tile = cv2.resize(ref, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA)
    panel = np.full((300, 300, 3), 255, np.uint8)
    panel[: tile.shape[0], : tile.shape[1]] = tile
    grey = cv2.cvtColor(tile, cv2.COLOR_BGR2GRAY)
    edges = np.full((300, 300, 3), 255, np.uint8)
    edges[: tile.shape[0], : tile.shape[1]] = 255 - cv2.cvtColor(cv2.Canny(grey, 60, 150), cv2.COLOR_GRAY2BGR)
    _, _, curve = _rotation_self_similarity(cv2.cvtColor(ref, cv2.COLOR_BGR2GRAY))
    plot = np.full((300, 300, 3), 255, np.uint8)
    cv2.putText(plot, "self-similarity vs rotation", (8, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    xs = np.linspace(10, 290, len(curve))
    ys = 270 - np.clip(curve, -0.2, 1.0) * 200
    cv2.line(plot, (10, 270 - 160), (290, 270 - 160), (0, 160, 255), 1)  # 0.8: ambiguity threshold
    pts = np.stack([xs, ys], 1).astype(np.int32).reshape(-1, 1, 2)
    cv2.polylines(plot, [pts], False, (200, 30, 30), 2, cv2.LINE_AA)
    text = np.full((max(300, 180 + 26 * len(rating.advice)), 900, 3), 255, np.uint8)
    cv2.putText(text, f"marker score {rating.score}/100  ({rating.mode} mode)", (10, 35),
                cv2.FONT_HERSHEY_SIMPLEX, 0.9, (0, 0, 0), 2, cv2.LINE_AA)
    names = list(rating.components.items())
    for row in range(0, len(names), 3):
        line = "   ".join(f"{n}: {v:.0f}" for n, v in names[row:row + 3])
        cv2.putText(text, line, (10, 75 + 28 * (row // 3)), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (60, 60, 60), 1, cv2.LINE_AA)
    y = 160
    for line in rating.advice:
        cv2.putText(text, "- " + line, (10, y), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 160), 1, cv2.LINE_AA)
        y += 26
    img = np.vstack([np.hstack([panel, edges, plot]), text])
    out = Path(path_png)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(out), img):
        raise OSError(f"could not write {out}")
    return out
