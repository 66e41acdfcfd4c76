"""The quicker candidate-stage code computes what the plain numpy formulation computed."""

from __future__ import annotations

import math

import cv2
import numpy as np

from game.vision.candidates import card_quad_poses, disk_opening, masked_median, moment_poses, peaks
from game.vision.geometry import ref_corners, scale_mat
from game.vision.reference import (
    SIG_ANGLES,
    ReferenceModel,
    busy_fraction,
    contrast_weights,
    polar_signature,
    weighted_shape,
)


def _reference(seed: int = 0) -> ReferenceModel:
    rng = np.random.default_rng(seed)
    img = np.full((90, 120, 3), 235, np.uint8)
    for _ in range(6):
        c = tuple(int(v) for v in rng.integers(0, 200, 3))
        p = tuple(int(v) for v in rng.integers(10, 80, 2))
        cv2.circle(img, (p[0] + 20, p[1]), int(rng.integers(4, 14)), c, -1)
    cv2.line(img, (10, 80), (110, 15), (30, 30, 200), 4)
    return ReferenceModel(img)


def test_bins_match_the_three_channel_lut_for_every_hsv_triple() -> None:
    ref = _reference()
    h, s, v = np.meshgrid(np.arange(180), np.arange(256), np.arange(256), indexing="ij")
    hsv = np.stack([h, s, v], -1).astype(np.uint8).reshape(180 * 256, 256, 3)
    parts = cv2.LUT(hsv, ref._bin_lut)
    want = cv2.add(cv2.add(parts[..., 0], parts[..., 1]), parts[..., 2])
    assert np.array_equal(ref._hsv_bins(hsv), want)


def _old_moment_poses(weights, offset, model, work_scale, to_frame, n_angles):
    """The numpy formulation the candidate code used before (FFT correlation, matrix products)."""
    shape = weighted_shape(weights, offset)
    if shape is None:
        return []
    mean_f, sq_f = shape
    sig = polar_signature(weights, mean_f, sq_f, offset)
    corr = np.fft.irfft(np.fft.rfft(sig, axis=1) * model.signature_fft_conj, n=SIG_ANGLES, axis=1).sum(0)
    out = []
    order = np.argsort(-corr)
    ks: list[int] = []
    for i in order.tolist():
        if all(min(abs(i - j), SIG_ANGLES - abs(i - j)) >= SIG_ANGLES // 12 for j in ks):
            ks.append(i)
        if len(ks) == n_angles:
            break
    for kk in ks:
        phi = 2 * np.pi * kk / SIG_ANGLES
        rot = np.array([[np.cos(phi), -np.sin(phi)], [np.sin(phi), np.cos(phi)]])
        a = sq_f @ rot @ model.sqrt_cov_inv
        t = mean_f - a @ model.mean
        aff = np.array([[a[0, 0], a[0, 1], t[0]], [a[1, 0], a[1, 1], t[1]], [0, 0, 1]])
        out.append((float(corr[kk]), scale_mat(to_frame) @ aff @ scale_mat(work_scale)))
    return out


def test_moment_poses_match_the_fft_formulation() -> None:
    ref = _reference(1)
    rng = np.random.default_rng(2)
    checked = 0
    for _ in range(40):
        w = cv2.GaussianBlur((rng.random((50, 70)) > 0.8).astype(np.float32) * 200, (7, 7), 0)
        off = (float(rng.integers(0, 100)), float(rng.integers(0, 100)))
        new = moment_poses(w, off, ref.shape, ref.work_scale, 2.0, 2)
        old = _old_moment_poses(w, off, ref.shape, ref.work_scale, 2.0, 2)
        assert len(new) == len(old)
        for (s1, h1), (s2, h2) in zip(new, old, strict=True):
            assert abs(s1 - s2) < 1e-5
            np.testing.assert_allclose(h1, h2, rtol=1e-9, atol=1e-9)
            checked += 1
    assert checked > 40


def test_peaks_are_greedy_and_apart() -> None:
    corr = np.zeros(SIG_ANGLES)
    corr[[3, 5, 40, 70, 20]] = [1.0, 0.9, 0.8, 0.7, 0.6]
    # 5 is 2 steps from 3 and 70 is 5 steps from it (around the circle): under 30 degrees.
    assert peaks(corr, 3) == [3, 40, 20]
    assert peaks(corr, 1) == [3]


def _old_card_quad_poses(quad, ref_size):
    w, h = ref_size
    c = quad.mean(0)
    q = quad[np.argsort(np.arctan2(quad[:, 1] - c[1], quad[:, 0] - c[0]))]
    src = ref_corners(w, h)
    pts = q.tolist()
    sides = [math.dist(pts[i], pts[(i + 1) % 4]) for i in range(4)]
    out = []
    for s in range(4):
        top = sides[s] + sides[(s + 2) % 4]
        side = sides[(s + 1) % 4] + sides[(s + 3) % 4]
        if 0.4 < (top / max(side, 1e-6)) / (w / h) < 2.5:
            out.append(cv2.getPerspectiveTransform(src, np.roll(q, -s, axis=0).astype(np.float32)).astype(np.float64))
    return out


def test_card_quad_poses_match_the_numpy_formulation() -> None:
    rng = np.random.default_rng(3)
    for _ in range(200):
        quad = cv2.boxPoints(((rng.uniform(50, 250), rng.uniform(50, 200)), (rng.uniform(10, 120), rng.uniform(10, 120)),
                              rng.uniform(0, 180))).astype(np.float64) + rng.normal(0, 2, (4, 2))
        size = (int(rng.integers(40, 300)), int(rng.integers(40, 300)))
        to_frame = float(rng.choice([1.0, 2.0]))
        new = card_quad_poses(quad, size, to_frame)
        old = [scale_mat(to_frame) @ hq for hq in _old_card_quad_poses(quad, size)]
        assert len(new) == len(old)
        for a, b in zip(new, old, strict=True):
            np.testing.assert_array_equal(a, b)


def test_masked_median_and_weight_table_match_numpy() -> None:
    rng = np.random.default_rng(4)
    for t in range(500):
        h, w = (int(v) for v in rng.integers(1, 40, 2))
        g = rng.integers(0, 256, (h, w)).astype(np.uint8) if t % 2 else rng.integers(100, 110, (h, w)).astype(np.uint8)
        m = (rng.random((h, w)) < rng.random()).astype(np.uint8)
        sel = g[m > 0]
        want = float(np.median(sel)) if sel.size >= 8 else None
        got = masked_median(g, m)
        assert got == want
        if got is not None:
            table = cv2.LUT(g, contrast_weights(np.arange(256, dtype=np.uint8), got))
            np.testing.assert_array_equal(table * m, contrast_weights(g, got) * m)


def test_busy_fraction_matches_the_float_formulation() -> None:
    rng = np.random.default_rng(5)
    imgs = [rng.integers(0, 256, (60, 80, 3)).astype(np.uint8), np.zeros((30, 40, 3), np.uint8),
            cv2.GaussianBlur(rng.integers(0, 256, (70, 50, 3)).astype(np.uint8), (5, 5), 0)]
    for img in imgs:
        f = img.astype(np.float32)
        gx = cv2.Sobel(f, cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(f, cv2.CV_32F, 0, 1, ksize=3)
        mag2 = cv2.transform(gx * gx + gy * gy, np.ones((1, 3), np.float32))
        want = cv2.boxFilter((mag2 > 3600.0).astype(np.float32), cv2.CV_32F, (11, 11))
        np.testing.assert_array_equal(busy_fraction(img), want)


def test_disk_opening_matches_the_elliptic_kernel_opening() -> None:
    """Card regions of many sizes with a stick glued on: the same opening as cv2's elliptic kernel."""
    rng = np.random.default_rng(5)
    differ = total = 0
    for size in (30, 60, 120, 240):
        for _ in range(5):
            fill = np.zeros((size, int(size * 1.3)), np.uint8)
            centre = (int(size * rng.uniform(0.4, 0.9)), int(size * rng.uniform(0.35, 0.65)))
            axes = (int(size * rng.uniform(0.3, 0.5)), int(size * rng.uniform(0.25, 0.4)))
            cv2.ellipse(fill, centre, axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
            cv2.line(fill, (0, int(rng.integers(size))), centre, 1, max(1, size // 25))  # an arm across the edge
            k = max(3, int(0.18 * min(fill.shape)) | 1)
            plain = cv2.morphologyEx(fill, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
            quick = disk_opening(fill, (k - 1) / 2)
            assert quick.dtype == np.uint8 and set(np.unique(quick)) <= {0, 1}
            differ += int(np.count_nonzero(plain != quick))
            total += int(plain.sum())
    assert differ < 0.005 * total
