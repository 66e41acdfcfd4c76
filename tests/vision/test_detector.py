"""MarkerDetector on synthetic frames with known poses, negatives, bad input and mirroring."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from game.vision import Detection, MarkerDetector, mirror_detection
from game.vision.geometry import mean_corner_error, project, ref_corners
from game.vision.synthetic import Effects, Pose, pose_homography, render

from .conftest import SIZE, scene

POSES = {
    "frontal": Pose(15, 60, 0, 0, 0, 0.5, 0.5),
    "tilted": Pose(15, 60, 35, 30, 0, 0.45, 0.55),
    "rolled": Pose(20, 80, 15, 120, -30, 0.6, 0.4),
    "small": Pose(10, 120, 10, 0, 10, 0.3, 0.3),
    "near": Pose(20, 45, 20, 200, 20, 0.5, 0.5),
}
NUISANCE = Effects(gain=0.7, bias=-10, blur_len=4, blur_angle=30, noise=4)


def plain_frame(reference: np.ndarray, pose: Pose, effects: Effects) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    w, h = SIZE
    bg = np.zeros((h, w, 3), np.uint8)
    bg[:] = (90, 110, 100)
    hm = pose_homography(pose, (reference.shape[1], reference.shape[0]), SIZE)
    return render(reference, hm, bg, effects, rng), hm


@pytest.mark.parametrize("name", list(POSES))
@pytest.mark.parametrize("effects", [Effects(noise=2.0), NUISANCE], ids=["clean", "dim-blurred-noisy"])
def test_known_pose_on_plain_background(detector: MarkerDetector, logo: np.ndarray, name: str,
                                        effects: Effects) -> None:
    img, hm = plain_frame(logo, POSES[name], effects)
    d = detector.detect(img)
    assert d is not None, f"{name}: not found"
    assert mean_corner_error(d.homography, hm, logo.shape[1], logo.shape[0]) <= 2.0
    assert 0.0 <= d.score <= 1.0
    assert d.corners.shape == (4, 2) and d.corners.dtype == np.float32
    # corners are the reference corners mapped by the homography
    assert np.allclose(d.corners, project(d.homography, ref_corners(logo.shape[1], logo.shape[0])), atol=1e-3)


def test_known_poses_in_clutter(detector: MarkerDetector, logo: np.ndarray) -> None:
    """Busy backgrounds with red distractors: most poses found, and every reported pose is right."""
    found = 0
    total = 0
    for seed in range(3):
        for pose in POSES.values():
            for eff in (Effects(noise=2.0), NUISANCE):
                img, hm = scene(logo, pose, seed, eff)
                total += 1
                d = detector.detect(img)
                if d is None:
                    continue
                found += 1
                err = mean_corner_error(d.homography, hm, logo.shape[1], logo.shape[0])
                assert err <= 5.0, f"wrong pose reported (error {err:.1f} px)"
    assert found >= 0.7 * total, f"found only {found}/{total}"


def test_negatives_report_nothing(detector: MarkerDetector, logo: np.ndarray, other_logo: np.ndarray) -> None:
    for seed in range(6):
        img, _ = scene(logo, None, 100 + seed)
        assert detector.detect(img) is None
        # another red line-art mark in view is not ours
        img, _ = scene(other_logo, POSES["frontal"], 200 + seed)
        assert detector.detect(img) is None


def test_uniform_and_grey_frames(detector: MarkerDetector, logo: np.ndarray) -> None:
    assert detector.detect(np.full((480, 640, 3), 128, np.uint8)) is None
    assert detector.detect(np.full((480, 640), 128, np.uint8)) is None  # 2-D grey is accepted
    img, hm = plain_frame(logo, POSES["frontal"], Effects(noise=2.0))
    d = detector.detect(cv2.cvtColor(img, cv2.COLOR_BGR2BGRA))  # BGRA is accepted too
    assert d is not None and mean_corner_error(d.homography, hm, 600, 600) <= 2.0


@pytest.mark.parametrize("bad, exc, words", [
    (np.zeros((0, 0, 3), np.uint8), ValueError, "empty"),
    (np.zeros((10, 10, 3), np.uint8) + 50, ValueError, "too small"),
    (np.full((200, 200, 3), 128, np.uint8), ValueError, "blank"),
    (np.zeros((200, 200, 3), np.float32), TypeError, "uint8"),
    ([[1, 2], [3, 4]], TypeError, "numpy"),
    (np.zeros((200, 200, 5), np.uint8), ValueError, "shape"),
])
def test_bad_reference_raises_clear_errors(bad: object, exc: type[Exception], words: str) -> None:
    with pytest.raises(exc, match=words):
        MarkerDetector(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad, exc, words", [
    (np.zeros((480, 640, 3), np.float64), TypeError, "uint8"),
    (np.zeros((0, 640, 3), np.uint8), ValueError, "empty"),
    (np.zeros((8, 8, 3), np.uint8), ValueError, "too small"),
    (None, TypeError, "numpy"),
])
def test_bad_frame_raises_clear_errors(detector: MarkerDetector, bad: object, exc: type[Exception],
                                       words: str) -> None:
    with pytest.raises(exc, match=words):
        detector.detect(bad)  # type: ignore[arg-type]


def test_larger_frames_are_searched_downscaled(detector: MarkerDetector, logo: np.ndarray) -> None:
    pose = POSES["tilted"]
    hm = pose_homography(pose, (logo.shape[1], logo.shape[0]), (1280, 720))
    bg = np.zeros((720, 1280, 3), np.uint8)
    bg[:] = (90, 110, 100)
    img = render(logo, hm, bg, Effects(noise=2.0), np.random.default_rng(1), supersample=1)
    d = detector.detect(img)
    assert d is not None
    assert mean_corner_error(d.homography, hm, logo.shape[1], logo.shape[0]) <= 3.0  # in 720p pixels


def test_photo_sized_portrait_frames_are_found(detector: MarkerDetector, logo: np.ndarray) -> None:
    """A 12-megapixel portrait photograph: searched downscaled, the pose reported in its own pixels."""
    size = (3024, 4032)
    hm = pose_homography(POSES["tilted"], (logo.shape[1], logo.shape[0]), size)
    bg = np.zeros((size[1], size[0], 3), np.uint8)
    bg[:] = (120, 100, 90)
    img = render(logo, hm, bg, Effects(noise=2.0), np.random.default_rng(2), supersample=1)
    d = detector.detect(img)
    assert d is not None
    # 6.3x the search image's pixels: a 6-px corner error here is about 1 px at 640 x 480.
    assert mean_corner_error(d.homography, hm, logo.shape[1], logo.shape[0]) <= 6.0


def test_mirrored_preview_mapping(detector: MarkerDetector, logo: np.ndarray) -> None:
    """Detection runs on raw frames; mirror_detection maps it into the selfie-style preview."""
    img, _ = plain_frame(logo, POSES["rolled"], Effects(noise=2.0))
    d = detector.detect(img)
    assert d is not None
    m = mirror_detection(d, img.shape[1])
    assert m.mirrored and not d.mirrored
    expected = d.corners.copy()
    expected[:, 0] = img.shape[1] - 1 - expected[:, 0]
    assert np.allclose(m.corners, expected, atol=1e-3)
    # the mirrored homography really maps the reference into the flipped image
    flipped = cv2.flip(img, 1)
    warped = cv2.warpPerspective(flipped, np.linalg.inv(m.homography), (logo.shape[1], logo.shape[0]))
    a = cv2.cvtColor(warped, cv2.COLOR_BGR2GRAY).astype(np.float32)
    b = cv2.cvtColor(logo, cv2.COLOR_BGR2GRAY).astype(np.float32)
    ncc = float(((a - a.mean()) * (b - b.mean())).mean() / (a.std() * b.std()))
    assert ncc > 0.5
    # twice mirrored is the original
    assert np.allclose(mirror_detection(m, img.shape[1]).corners, d.corners, atol=1e-3)


def test_mirror_image_of_an_asymmetric_logo_is_not_the_logo(detector: MarkerDetector, logo: np.ndarray) -> None:
    img, _ = plain_frame(logo, POSES["frontal"], Effects(noise=2.0))
    assert detector.detect(img) is not None
    assert detector.detect(cv2.flip(img, 1)) is None


def test_detection_is_plain_data(detector: MarkerDetector, logo: np.ndarray) -> None:
    img, _ = plain_frame(logo, POSES["frontal"], Effects(noise=2.0))
    d = detector.detect(img)
    assert isinstance(d, Detection)
    with pytest.raises(ValueError):
        d.corners[0, 0] = 1.0  # read-only arrays: consumers cannot corrupt the tracker's state


def test_off_centre_symmetry_is_found_and_resolved() -> None:
    """The lantern matches itself turned by 180 degrees and shifted (its body sits off-centre).

    The turned pose nearly verifies, so the detector must know about it and pick the true turn
    from the small cues (crescent, waves) that tell the turns apart.
    """
    from game.vision.detector import self_matches

    from .conftest import ROOT, load

    lantern = load(ROOT / "bench/data/lantern.png")
    det = MarkerDetector(lantern)
    turns = {m.quarter_turns: m.score for m in det._self_matches}
    assert 2 in turns and turns[2] > 0.6
    before = [t.copy() for t, _ in det.ref.templates]
    self_matches(det.ref.templates)
    assert all(np.array_equal(a, t) for a, (t, _) in zip(before, det.ref.templates, strict=True)), \
        "finding self-matches must not write into the templates"
    wrong = 0
    for i, pose in enumerate([Pose(16, 70, 15, 40, 25, 0.4, 0.45), Pose(14, 60, 20, 200, -20, 0.55, 0.5),
                              Pose(18, 80, 10, 100, 170, 0.5, 0.5), Pose(15, 65, 25, 300, -160, 0.45, 0.55)]):
        img, hm = scene(lantern, pose, 40 + i)
        d = det.detect(img)
        if d is not None:
            wrong += mean_corner_error(d.homography, hm, lantern.shape[1], lantern.shape[0]) > 5.0
    assert wrong == 0


def test_edge_outlines_rank_a_print_above_plain_boxes() -> None:
    """A card with strokes inside outranks plain boxes, and each border counts once."""
    from game.vision.candidates import edge_quads

    img = np.full((240, 320), 200, np.uint8)
    cv2.rectangle(img, (10, 10), (90, 70), 60, -1)  # a filled box
    cv2.rectangle(img, (200, 20), (300, 100), 60, 2)  # a hollow box
    card = np.array([[120, 120], [190, 130], [185, 200], [115, 190]], np.int32)
    cv2.fillPoly(img, [card], 240)
    cv2.polylines(img, [card], True, 90, 1)
    cv2.circle(img, (152, 160), 18, 40, 2)  # the print's strokes
    cv2.line(img, (135, 150), (170, 175), 40, 2)
    quads = edge_quads(img, 9, 8)
    assert quads, "no outline found"
    best = quads[0]
    assert np.abs(np.sort(best, axis=0) - np.sort(card.astype(np.float64), axis=0)).max() <= 4.0
    centres = [q.mean(0) for q in quads]
    assert sum(np.linalg.norm(c - card.mean(0)) < 5 for c in centres) == 1


def d_corners(h: np.ndarray) -> np.ndarray:
    return project(h, ref_corners(600, 600))


def test_a_pose_mostly_outside_the_frame_is_not_verified(detector: MarkerDetector, logo: np.ndarray) -> None:
    img, hm = plain_frame(logo, POSES["frontal"], Effects(noise=2.0))
    ctx = detector.context(img)
    assert detector._verified_score(ctx, hm) >= detector.config.accept_score
    cx = float(d_corners(hm).mean(0)[0])
    shifted = np.array([[1.0, 0, -cx - 20.0], [0, 1.0, 0], [0, 0, 1.0]]) @ hm  # over half off the left edge
    assert detector._visible_fraction(ctx, shifted) < 0.5
    assert detector._verified_score(ctx, shifted) == 0.0


