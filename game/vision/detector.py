"""Single-frame detection of one planar reference (logo, wordmark or textured poster).

Pipeline (no history):
1. colour candidates: back-project the reference's ink colours, group blobs at 1/2 search res;
2. pose hypotheses: match second moments (affine up to a rotation) and find the rotation by
   circular correlation of whitened polar signatures (works with few or no corners);
   textured references also get ORB + RANSAC hypotheses;
3. ECC homography refinement coarse to fine in template space (sub-pixel);
4. verification: occlusion-tolerant NCC against the reference + geometric sanity (convex,
   not mirrored, plausible tilt). Only verified poses are returned.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

from game.vision.align import FramePyramid, ecc_refine, verify
from game.vision.detection import Detection
from game.vision.geometry import orientation_sign, project, quad_is_plausible, ref_corners, scale_mat
from game.vision.reference import SIG_ANGLES, ReferenceModel, as_bgr_frame, polar_signature, weighted_shape

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DetectorConfig:
    """Tunables (defaults calibrated with bench/vision.py)."""

    search_side: int = 640  # long side of the search image; bigger inputs are downscaled first
    blob_threshold: float = 40.0  # ink likelihood (0..255) for candidate blobs
    max_candidates: int = 5
    angles_per_candidate: int = 2
    accept_score: float = 0.55  # verification NCC needed to report a detection
    early_exit_score: float = 0.8
    min_apparent_px: float = 18.0  # smaller than this cannot be verified reliably
    use_features: bool | None = None  # None: automatically for textured references


@dataclass
class FrameContext:
    """Per-frame work shared by detection and tracking (computed lazily)."""

    bgr: np.ndarray
    pyr: FramePyramid
    search_scale: float
    _search: np.ndarray | None = None

    @property
    def search(self) -> np.ndarray:
        if self._search is None:
            h, w = self.bgr.shape[:2]
            if self.search_scale < 1.0:
                size = (max(1, round(w * self.search_scale)), max(1, round(h * self.search_scale)))
                self._search = cv2.resize(self.bgr, size, interpolation=cv2.INTER_AREA)
            else:
                self._search = self.bgr
        return self._search


class MarkerDetector:
    """Find a planar reference in single frames: ``MarkerDetector(reference_bgr).detect(frame)``."""

    def __init__(self, reference_bgr: np.ndarray, config: DetectorConfig | None = None) -> None:
        self.ref = ReferenceModel(reference_bgr)
        self.config = config or DetectorConfig()
        use = self.config.use_features
        if use is None:
            pts, _ = self.ref.orb_model()
            use = len(pts) >= 150 and self.ref.ink_fraction > 0.25
        self.use_features = bool(use)
        self._orb = cv2.ORB_create(nfeatures=700, fastThreshold=12) if self.use_features else None
        self._matcher = cv2.BFMatcher(cv2.NORM_HAMMING) if self.use_features else None
        log.debug("detector ready: ref %s, chromatic=%s, features=%s", self.ref.size, self.ref.chromatic,
                  self.use_features)

    @property
    def reference_size(self) -> tuple[int, int]:
        """(width, height) of the reference image."""
        return self.ref.size

    def context(self, frame_bgr: np.ndarray) -> FrameContext:
        """Validate a frame and prepare the shared per-frame data."""
        frame = as_bgr_frame(frame_bgr, "frame")
        h, w = frame.shape[:2]
        if min(h, w) < 16:
            raise ValueError(f"frame is too small ({w}x{h})")
        scale = min(1.0, self.config.search_side / max(h, w))
        return FrameContext(frame, FramePyramid(self.ref.grey(frame)), scale)

    def detect(self, frame_bgr: np.ndarray) -> Detection | None:
        """Detect the reference in one frame (no history). Returns None when not found."""
        return self.detect_ctx(self.context(frame_bgr))

    # -- pose from a prior (tracking) -------------------------------------------------------

    def refine_ctx(self, ctx: FrameContext, h_init: np.ndarray, accept: float | None = None,
                   levels: tuple[int, ...] = (1, 2)) -> Detection | None:
        """Refine a predicted pose (from the previous frame) and verify it."""
        res = ecc_refine(ctx.pyr, self.ref.templates, h_init, self.ref.size, levels, iters=20, margin_frac=0.12)
        if res is None:
            return None
        h, _ = res
        score = self._verified_score(ctx, h)
        thr = self.config.accept_score if accept is None else accept
        if score < thr:
            return None
        return Detection.from_homography(h, self.ref.size, score, "track")

    # -- full detection ------------------------------------------------------------------------

    def detect_ctx(self, ctx: FrameContext) -> Detection | None:
        hyps = self._colour_hypotheses(ctx)
        best: tuple[float, np.ndarray] | None = None
        # Coarse ECC on every hypothesis, then fine refinement of the two most promising.
        coarse: list[tuple[float, np.ndarray]] = []
        for h0 in hyps:
            res = ecc_refine(ctx.pyr, self.ref.templates, h0, self.ref.size, (1,), iters=15, margin_frac=0.25, blur=5)
            if res is None:
                continue
            h1, cc = res
            if self._plausible(ctx, h1):
                coarse.append((cc, h1))
        coarse.sort(key=lambda t: -t[0])
        for _, h1 in coarse[:2]:
            best = self._finish(ctx, h1, best)
            if best is not None and best[0] >= self.config.early_exit_score:
                break
        if (best is None or best[0] < self.config.accept_score) and self.use_features:
            for h0 in self._feature_hypotheses(ctx):
                best = self._finish(ctx, h0, best, levels=(0, 1, 2))
        if best is None or best[0] < self.config.accept_score:
            return None
        return Detection.from_homography(best[1], self.ref.size, best[0], "detect")

    def _finish(self, ctx: FrameContext, h: np.ndarray, best: tuple[float, np.ndarray] | None,
                levels: tuple[int, ...] = (2,)) -> tuple[float, np.ndarray] | None:
        res = ecc_refine(ctx.pyr, self.ref.templates, h, self.ref.size, levels, iters=25, margin_frac=0.15)
        if res is None:
            return best
        h2 = res[0]
        if not self._plausible(ctx, h2):
            return best
        score = self._verified_score(ctx, h2)
        if best is None or score > best[0]:
            return score, h2
        return best

    def _plausible(self, ctx: FrameContext, h: np.ndarray) -> bool:
        w, hgt = self.ref.size
        q = project(h, ref_corners(w, hgt))
        if not quad_is_plausible(q, min_side=self.config.min_apparent_px * 0.5):
            return False
        if orientation_sign(h, w / 2, hgt / 2) <= 0:
            return False
        fh, fw = ctx.bgr.shape[:2]
        side = max(np.linalg.norm(q - np.roll(q, -1, axis=0), axis=1))
        if side < self.config.min_apparent_px or side > 6 * max(fw, fh):
            return False
        # The centre must be in the frame: we only report targets we can actually see.
        c = project(h, np.array([[w / 2, hgt / 2]]))[0]
        return bool(-0.1 * fw <= c[0] <= 1.1 * fw and -0.1 * fh <= c[1] <= 1.1 * fh)

    def _verified_score(self, ctx: FrameContext, h: np.ndarray) -> float:
        if not self._plausible(ctx, h):
            return 0.0
        score = verify(ctx.pyr, self.ref.templates[1], h, self.ref.size)
        if self.ref.chromatic and score > 0.0:
            score *= self._colour_agreement(ctx, h)
        return score

    def _colour_agreement(self, ctx: FrameContext, h: np.ndarray) -> float:
        """Fraction-like check that the ink of the warped frame has the reference ink colours.

        A grey look-alike (a shadow, a printed copy in black) fails this, even when the
        structure correlates well.
        """
        ws = self.ref.work_scale * 0.25  # 64-px class sampling grid
        w, hgt = self.ref.size
        size = (max(8, round(w * ws)), max(8, round(hgt * ws)))
        m = scale_mat(ctx.search_scale) @ h @ scale_mat(1.0 / (size[0] / w))
        patch = cv2.warpPerspective(ctx.search, m, size, flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP,
                                    borderMode=cv2.BORDER_REPLICATE)
        ink = cv2.resize(self.ref.ink_mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0
        if ink.sum() < 4:
            return 1.0
        lik = self.ref.likelihood(patch)[ink]
        frac = float((lik > 25).mean())
        return float(np.clip(0.4 + frac, 0.0, 1.0))

    # -- hypothesis generators -----------------------------------------------------------------

    def _colour_hypotheses(self, ctx: FrameContext) -> list[np.ndarray]:
        cfg = self.config
        ink_u8, card_u8 = self.ref.likelihoods(ctx.search)
        sh, sw = ink_u8.shape
        half = (max(1, sw // 2), max(1, sh // 2))
        lik = cv2.resize(ink_u8, half, interpolation=cv2.INTER_AREA).astype(np.float32)
        card = cv2.resize(card_u8, half, interpolation=cv2.INTER_AREA)
        ink_mask = lik > cfg.blob_threshold
        # Printed marks sit on their own card: keep ink that touches card-coloured pixels, which
        # silences red walls, skin and big red objects that are not next to the card colour.
        card_near = cv2.dilate((card > cfg.blob_threshold).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        mask = (ink_mask & card_near).astype(np.uint8)
        if self.ref.ink_fraction > 0.5:  # poster-like: no separate card colour to rely on
            mask = ink_mask.astype(np.uint8)
        to_full = (sw / lik.shape[1]) / ctx.search_scale  # half-search px -> frame px
        min_side = cfg.min_apparent_px * 0.6 / to_full
        weights = lik * ink_mask
        scored: list[tuple[float, np.ndarray]] = []
        ref_shape = self.ref.shape
        ref_fft = np.fft.rfft(ref_shape.signature, axis=1)
        sr_inv = np.linalg.inv(ref_shape.sqrt_cov)
        seen: list[tuple[int, int, int, int]] = []
        # Line art falls apart into strokes: group them at several gap sizes and fill enclosed
        # areas (a ring takes its contents along). Each distinct region is one candidate.
        for radius in (1, 3, 6):
            k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
            grown = cv2.dilate(mask, k)
            contours, _ = cv2.findContours(grown, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
            boxes = [cv2.boundingRect(c) for c in contours]
            order = sorted(range(len(contours)), key=lambda i: -boxes[i][2] * boxes[i][3])[:25]
            for i in order:
                x, y, bw, bh = boxes[i]
                if max(bw, bh) < min_side:
                    continue
                if any(abs(x - a) <= 2 and abs(y - b) <= 2 and abs(bw - c) <= 3 and abs(bh - d) <= 3
                       for a, b, c, d in seen):
                    continue
                seen.append((x, y, bw, bh))
                fill = np.zeros((bh, bw), np.uint8)
                cv2.drawContours(fill, contours, i, 1, -1, offset=(-x, -y))
                wts = weights[y:y + bh, x:x + bw] * fill
                shape = weighted_shape(wts, (float(x), float(y)))
                if shape is None:
                    continue
                mean_f, sq_f = shape
                sig = polar_signature(wts, mean_f, sq_f, (float(x), float(y)))
                corr = np.fft.irfft(np.fft.rfft(sig, axis=1) * np.conj(ref_fft), n=SIG_ANGLES, axis=1).sum(0)
                for kk in _peaks(corr, cfg.angles_per_candidate):
                    phi = 2 * np.pi * kk / SIG_ANGLES
                    rot = np.array([[np.cos(phi), -np.sin(phi)], [np.sin(phi), np.cos(phi)]])
                    a = sq_f @ rot @ sr_inv
                    t = mean_f - a @ ref_shape.mean
                    aff = np.array([[a[0, 0], a[0, 1], t[0]], [a[1, 0], a[1, 1], t[1]], [0, 0, 1]])
                    h = scale_mat(to_full) @ aff @ scale_mat(self.ref.work_scale)
                    scored.append((float(corr[kk]), h))
        scored.sort(key=lambda t: -t[0])
        # The same blob seen at several grouping radii gives near-identical poses: keep one.
        kept: list[np.ndarray] = []
        kept_q: list[np.ndarray] = []
        corners = ref_corners(*self.ref.size)
        for _, h in scored:
            q = project(h, corners)
            tol = 0.08 * float(np.linalg.norm(q[0] - q[2]))
            if any(float(np.abs(q - p).max()) < tol for p in kept_q):
                continue
            kept.append(h)
            kept_q.append(q)
            if len(kept) >= cfg.max_candidates * cfg.angles_per_candidate:
                break
        return kept

    def _feature_hypotheses(self, ctx: FrameContext) -> list[np.ndarray]:
        assert self._orb is not None and self._matcher is not None
        ref_pts, ref_des = self.ref.orb_model()
        if len(ref_pts) < 8:
            return []
        grey = cv2.cvtColor(ctx.search, cv2.COLOR_BGR2GRAY)
        kps, des = self._orb.detectAndCompute(grey, None)
        if des is None or len(kps) < 8:
            return []
        pairs = self._matcher.knnMatch(des, ref_des, k=2)
        good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < 0.8 * p[1].distance]
        if len(good) < 10:
            return []
        src = np.float32([ref_pts[m.trainIdx] for m in good])
        dst = np.float32([kps[m.queryIdx].pt for m in good]) / ctx.search_scale
        h, inl = cv2.findHomography(src, dst, cv2.RANSAC, 4.0 / ctx.search_scale)
        if h is None or inl is None or int(inl.sum()) < 8:
            return []
        return [h]


def _group_boxes(stats: np.ndarray, comps: list[int]) -> list[list[int]]:
    """Merge blobs whose boxes are close relative to their size (strokes of one line-art mark)."""
    if not comps:
        return []
    b = np.array([[stats[i, 0], stats[i, 1], stats[i, 0] + stats[i, 2], stats[i, 1] + stats[i, 3]] for i in comps],
                 np.float32)
    size = np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1])
    gap_x = np.maximum(0, np.maximum(b[:, None, 0], b[None, :, 0]) - np.minimum(b[:, None, 2], b[None, :, 2]))
    gap_y = np.maximum(0, np.maximum(b[:, None, 1], b[None, :, 1]) - np.minimum(b[:, None, 3], b[None, :, 3]))
    allowed = 0.3 * np.maximum(size[:, None], size[None, :]) + 1.0
    adj = (gap_x <= allowed) & (gap_y <= allowed)
    parent = list(range(len(comps)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    ii, jj = np.nonzero(np.triu(adj, 1))
    for i, j in zip(ii.tolist(), jj.tolist(), strict=True):
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[ri] = rj
    groups: dict[int, list[int]] = {}
    for i, c in enumerate(comps):
        groups.setdefault(find(i), []).append(c)
    return list(groups.values())


def _peaks(corr: np.ndarray, k: int) -> list[int]:
    """Indices of the k highest circular peaks, at least 30 degrees apart."""
    order = np.argsort(-corr)
    out: list[int] = []
    sep = SIG_ANGLES // 12
    for i in order.tolist():
        if all(min(abs(i - j), SIG_ANGLES - abs(i - j)) >= sep for j in out):
            out.append(i)
        if len(out) == k:
            break
    return out
