"""Everything precomputed once from a reference image: colour model, grey projection, templates.

The detector never assumes a particular logo: all cues (which colours are "ink", which grey
projection gives the most contrast, the shape signature) are learnt here from the reference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

MIN_REF_SIDE = 32
WORK_SIDE = 256  # reference working resolution for colour statistics and shape signatures
TEMPLATE_SIDES = (32, 64, 128)  # ECC template pyramid (long side in px)
H_BINS, S_BINS, V_BINS = 16, 8, 2  # 256 bins: one uint8 index per pixel, so back-projection is two LUTs
WASHOUT = 0.5  # share of a saturated card-colour bin given to the saturation bin below, half that two below
DARK_V = 90  # V split: dark vs bright survives exposure changes better than uniform V bins
SIG_RADII = np.linspace(0.25, 2.4, 10, dtype=np.float32)
SIG_ANGLES = 72
_SIG_TH = np.linspace(0.0, 2 * np.pi, SIG_ANGLES, endpoint=False, dtype=np.float32)
_SIG_UNIT = np.stack([np.cos(_SIG_TH), np.sin(_SIG_TH)], 0)  # (2, A) unit directions


def as_bgr_frame(img: object, what: str = "frame") -> np.ndarray:
    """Validate an image and return it as contiguous uint8 BGR.

    Grey (2-D) and BGRA inputs are accepted and converted (documented policy); anything that is
    not a uint8 ndarray raises TypeError, wrong shapes or empty images raise ValueError.
    """
    if not isinstance(img, np.ndarray):
        raise TypeError(f"{what} must be a numpy.ndarray, got {type(img).__name__}")
    if img.dtype != np.uint8:
        raise TypeError(f"{what} must have dtype uint8, got {img.dtype}")
    if img.size == 0:
        raise ValueError(f"{what} is empty (shape {img.shape})")
    if img.ndim == 2:
        return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    if img.ndim != 3 or img.shape[2] not in (1, 3, 4):
        raise ValueError(f"{what} must be HxW, HxWx3 (BGR) or HxWx4 (BGRA), got shape {img.shape}")
    if img.shape[2] == 1:
        return cv2.cvtColor(img[:, :, 0], cv2.COLOR_GRAY2BGR)
    if img.shape[2] == 4:
        # Composite transparent logos onto white: that is how they look printed.
        alpha = img[:, :, 3:4].astype(np.float32) / 255.0
        rgb = img[:, :, :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
        return rgb.astype(np.uint8)
    return np.ascontiguousarray(img)


def detail_loss(fine: np.ndarray, coarse: np.ndarray) -> float:
    """Share of ``fine``'s variance that ``coarse`` (the same image, smaller) cannot show."""
    fine = fine.astype(np.float32)
    up = cv2.resize(coarse.astype(np.float32), (fine.shape[1], fine.shape[0]), interpolation=cv2.INTER_LINEAR)
    return float(((fine - up) ** 2).mean() / max(float(fine.var()), 1e-6))


def smooth_hist(hist: np.ndarray) -> np.ndarray:
    """Spread a (hue, sat, value) histogram to neighbouring bins for lighting/white-balance slack.

    Hue wraps around; hue of nearly grey pixels is noise, so the lowest saturation bin is made
    hue-independent; the two value bins leak a little into each other (exposure changes).
    """
    out = hist.astype(np.float32).copy()
    out[:, 0, :] = out[:, 0, :].mean(axis=0, keepdims=True)
    out = 0.2 * np.roll(out, 1, 0) + 0.6 * out + 0.2 * np.roll(out, -1, 0)
    p = np.pad(out, [(0, 0), (1, 1), (0, 0)], mode="edge")
    out = 0.15 * p[:, :-2] + 0.7 * p[:, 1:-1] + 0.15 * p[:, 2:]
    return out + 0.3 * out[:, :, ::-1]


@dataclass(frozen=True, eq=False)
class ShapeModel:
    """Second-moment frame and polar signature of the ink distribution (for rotation search)."""

    mean: np.ndarray  # (2,) in work px
    sqrt_cov: np.ndarray  # (2,2) symmetric square root of the covariance
    signature: np.ndarray  # (radii, angles), zero-mean unit-norm

    def __post_init__(self) -> None:
        # Used for every candidate region: computed once here, not per call.
        object.__setattr__(self, "signature_fft_conj", np.conj(np.fft.rfft(self.signature, axis=1)))
        object.__setattr__(self, "sqrt_cov_inv", np.linalg.inv(self.sqrt_cov))
        # Circular cross-correlation as one matrix product: row k holds the signature shifted by
        # k angles, so (rows @ sig)[k] = sum_{r,a} sig[r, a + k] * signature[r, a]. For a 10 x 72
        # signature this is cheaper than the per-radius FFTs it replaces (same values to ~1e-7).
        rows = np.stack([np.roll(self.signature, k, axis=1).ravel() for k in range(SIG_ANGLES)])
        object.__setattr__(self, "_corr_rows", rows.astype(np.float32))
        object.__setattr__(self, "_corr_row_sums", rows.sum(1).astype(np.float32))

    def correlate(self, raw_sig: np.ndarray) -> np.ndarray:
        """Circular correlation (A,) of raw polar samples (``polar_samples``) with this signature.

        Equals correlating the zero-mean, unit-norm signature of ``raw_sig``; all zeros if it is flat.
        """
        mean, std = cv2.meanStdDev(raw_sig)
        norm = float(std[0, 0]) * math.sqrt(raw_sig.size)
        corr = self._corr_rows @ raw_sig.ravel() - np.float32(mean[0, 0]) * self._corr_row_sums
        return corr / norm if norm > 1e-6 else corr


def weighted_shape(weights: np.ndarray, offset: tuple[float, float] = (0.0, 0.0)) -> tuple[np.ndarray, np.ndarray] | None:
    """Weighted centroid and symmetric sqrt of the covariance of a weight image."""
    m = cv2.moments(weights.astype(np.float32, copy=False), binaryImage=False)
    if m["m00"] <= 1e-6:
        return None
    cx, cy = m["m10"] / m["m00"], m["m01"] / m["m00"]
    a, b, c = m["mu20"] / m["m00"], m["mu11"] / m["m00"], m["mu02"] / m["m00"]
    # Closed-form symmetric square root of the 2x2 covariance [[a, b], [b, c]]:
    # sqrt(C) = (C + sqrt(det) I) / sqrt(trace + 2 sqrt(det)).
    det = a * c - b * b
    half_tr, disc = 0.5 * (a + c), math.hypot(0.5 * (a - c), b)
    if half_tr - disc <= 0.25 or det <= 0:  # smaller eigenvalue: degenerate (a line or a dot)
        return None
    sd = math.sqrt(det)
    t = math.sqrt(a + c + 2.0 * sd)
    sq = np.array([[(a + sd) / t, b / t], [b / t, (c + sd) / t]])
    return np.array([cx + offset[0], cy + offset[1]]), sq


def polar_samples(weights: np.ndarray, mean: np.ndarray, sqrt_cov: np.ndarray,
                  offset: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """Weights sampled on a whitened polar grid (radii, angles), float32, not normalised."""
    pts = sqrt_cov.astype(np.float32) @ _SIG_UNIT  # (2, A)
    mx = (mean[0] - offset[0] + SIG_RADII[:, None] * pts[0][None, :]).astype(np.float32)
    my = (mean[1] - offset[1] + SIG_RADII[:, None] * pts[1][None, :]).astype(np.float32)
    # copy=False: the candidate patches are float32 already, and can be large.
    return cv2.remap(weights.astype(np.float32, copy=False), mx, my, cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def polar_signature(weights: np.ndarray, mean: np.ndarray, sqrt_cov: np.ndarray,
                    offset: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """Sample weights on a whitened polar grid: an in-plane rotation becomes a circular shift."""
    sig = polar_samples(weights, mean, sqrt_cov, offset)
    sig = sig - sig.mean()
    n = float(np.linalg.norm(sig))
    return sig / n if n > 1e-6 else sig


CONTRAST_FLOOR = 10.0  # grey levels of |pixel - card| treated as noise


def contrast_weights(grey: np.ndarray, card_grey: float) -> np.ndarray:
    """Ink weight = |grey - card grey| minus a small noise floor (float32)."""
    return np.maximum(np.abs(grey.astype(np.float32) - np.float32(card_grey)) - CONTRAST_FLOOR, 0.0)


# Bits of tone (``tone_entropy``) from which a reference is photo-like (``textured``). On the
# generated train and val marks and the bench's line art, line art spans 0.6-1.9 bits (seals dense
# with glyphs the most); photographs and posters 2.6-7.3 (a grey brick wall 2.6, a clock face 3.0).
TEXTURED_BITS = 2.2
TONE_CELL = (8.0, 16.0, 16.0)  # Lab cell (L, a, b) of ``tone_entropy``: lightness finer, grey photos are tones of L


def tone_entropy(lab: np.ndarray) -> float:
    """Entropy (bits) of an image's Lab colours (float32 OpenCV Lab, 0-255) in ``TONE_CELL`` cells.

    A few flat colours give few bits whatever they are, continuous tone many; unlike a hue
    histogram, grey levels count too.
    """
    cells = (lab.reshape(-1, 3) // np.float32(TONE_CELL)).astype(np.int64)
    keys = (cells[:, 0] * 64 + cells[:, 1]) * 64 + cells[:, 2]
    share = np.unique(keys, return_counts=True)[1] / len(keys)
    return float(-(share * np.log2(share)).sum())


def busy_fraction(bgr: np.ndarray, window: int = 11, strong: float = 60.0) -> np.ndarray:
    """Per-pixel share of strong colour gradients in a ``window``-px square (0..1, float32)."""
    # Sobel responses of uint8 images are integers (|g| <= 1020), so every square and sum below
    # is an exact float32 integer (< 2**24): the order of operations cannot change the result.
    gx = cv2.Sobel(bgr, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(bgr, cv2.CV_32F, 0, 1, ksize=3)
    sq = cv2.multiply(gx, gx)
    cv2.accumulateSquare(gy, sq)
    mag2 = cv2.transform(sq, np.ones((1, 3), np.float32))
    strong_px = cv2.threshold(mag2, strong * strong, 1.0, cv2.THRESH_BINARY)[1]  # mag2 > strong**2 as 0/1
    return cv2.boxFilter(strong_px, cv2.CV_32F, (window, window))


def _border_band(img: np.ndarray, width: int) -> np.ndarray:
    """The pixels of a band ``width`` px wide along the image border, as (N, channels)."""
    c = img.shape[2]
    return np.concatenate([img[:width].reshape(-1, c), img[-width:].reshape(-1, c),
                           img[:, :width].reshape(-1, c), img[:, -width:].reshape(-1, c)])


def card_colour(bgr: np.ndarray, lab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The card's border pixels (BGR) and its colour (Lab median): the colour along the border.

    Usually the outermost 3 px. A mark framed by a thin outline at the very edge (a badge, a
    sticker) would make the outline the card and the card the ink, so when most of a wider
    band is one colour that clearly differs from the outermost pixels, that colour wins.
    """
    thin_bgr, thin = _border_band(bgr, 3), _border_band(lab, 3)
    thin_med = np.median(thin, 0)
    short = min(bgr.shape[:2])
    wide_w = max(3, min(short // 4, max(8, round(0.12 * short))))
    wide = _border_band(lab, wide_w)
    # The most common colour of the wide band (20-unit Lab cells), then its pixels' median.
    cells = (wide // 20.0).astype(np.int64)
    keys = cells[:, 0] * 4096 + cells[:, 1] * 64 + cells[:, 2]
    vals, counts = np.unique(keys, return_counts=True)
    centre = np.median(wide[keys == vals[int(np.argmax(counts))]], 0)
    near = np.linalg.norm(wide - centre, axis=1) < 20.0
    if float(near.mean()) >= 0.5 and float(np.linalg.norm(centre - thin_med)) > 30.0:
        return _border_band(bgr, wide_w)[near], np.median(wide[near], 0)
    return thin_bgr, thin_med


class ReferenceModel:
    """Precomputed cues of one planar reference image."""

    def __init__(self, reference_bgr: np.ndarray) -> None:
        ref = as_bgr_frame(reference_bgr, "reference")
        h, w = ref.shape[:2]
        if min(h, w) < MIN_REF_SIDE:
            raise ValueError(f"reference is too small ({w}x{h}); each side must be >= {MIN_REF_SIDE} px")
        if float(ref.std()) < 2.0:
            raise ValueError("reference is a blank image (no visible content to detect)")
        self.bgr = ref
        self.size = (w, h)
        self.work_scale = WORK_SIDE / max(w, h)
        work = cv2.resize(ref, (max(8, round(w * self.work_scale)), max(8, round(h * self.work_scale))),
                          interpolation=cv2.INTER_AREA)
        self.work = work
        # Background = the border colour; ink = whatever differs clearly from it.
        lab = cv2.cvtColor(work, cv2.COLOR_BGR2LAB).astype(np.float32)
        border, bg_lab = card_colour(work, lab)
        dist = np.linalg.norm(lab - bg_lab, axis=2)
        ink = dist > 30.0
        self.ink_fraction = float(ink.mean())
        if ink.sum() < 20:  # low-contrast reference: fall back to "everything is content"
            ink = dist > np.percentile(dist, 70)
        self.ink_mask = ink
        vals = np.arange(256)
        lut_h = np.minimum(vals * H_BINS // 180, H_BINS - 1) * (S_BINS * V_BINS)
        lut_s = (vals * S_BINS // 256) * V_BINS
        lut_v = (vals >= DARK_V).astype(np.int64)
        # Per-channel LUTs whose sum is the flat bin index (h * 16 + s * 2 + v).
        self._bin_lut = np.stack([lut_h, lut_s, lut_v], 1).astype(np.uint8).reshape(1, 256, 3)
        idx = self._bins(work)
        self.tone_entropy = tone_entropy(lab)
        shape3 = (H_BINS, S_BINS, V_BINS)
        h_ink = np.bincount(idx[ink], minlength=256).reshape(shape3).astype(np.float32)
        h_bg = np.bincount(idx[~ink], minlength=256).reshape(shape3).astype(np.float32)
        h_ink = smooth_hist(h_ink / max(1.0, float(h_ink.sum())))
        h_bg = smooth_hist(h_bg / max(1.0, float(h_bg.sum())))
        if WASHOUT > 0:
            # A saturated card washes out under glare and overexposure (the held-out violet card:
            # saturation 191 in the reference, 140 in the median frame), so its saturated bins
            # (>= 128) also count one and two bins lower; pale cards and pale ink are untouched.
            washed = h_bg.copy()
            washed[:, 3:-1] += WASHOUT * h_bg[:, 4:]
            washed[:, 2:-2] += 0.5 * WASHOUT * h_bg[:, 4:]
            h_bg = washed
        # p(ink | colour) inside the reference, damped for colours that are rare in the ink:
        # suppresses the card colour and everything in between (pastels, skin).
        typical_ink = np.sqrt(h_ink / max(1e-9, float(h_ink.max())))
        typical_bg = np.sqrt(h_bg / max(1e-9, float(h_bg.max())))
        ratio = h_ink / (h_ink + h_bg + 1e-4) * typical_ink
        self.hist = (255.0 * ratio / max(1e-6, float(ratio.max()))).astype(np.uint8).reshape(256, 1)
        card = h_bg / (h_ink + h_bg + 1e-4) * typical_bg
        self.card_hist = (255.0 * card / max(1e-6, float(card.max()))).astype(np.uint8).reshape(256, 1)
        hsv = cv2.cvtColor(work, cv2.COLOR_BGR2HSV)
        sat = hsv[..., 1][ink]
        self.chromatic = bool(np.median(sat) > 60) if sat.size else False
        # Contrast-maximising grey projection (first principal component of the reference colours).
        pix = work.reshape(-1, 3).astype(np.float32)
        cov = np.cov((pix - pix.mean(0)).T)
        _evals, evecs = np.linalg.eigh(cov)
        v = evecs[:, -1]
        if v.sum() < 0:
            v = -v
        v = np.abs(v) * 0.15 + v  # keep a little luminance so glare/shadows stay consistent
        self.grey_weights = (v / np.abs(v).sum()).astype(np.float32)
        self._template_cache: dict[int, tuple[np.ndarray, float]] = {}
        self.templates = [self.template(side) for side in TEMPLATE_SIDES]
        lik = self.likelihood(work)
        shape = weighted_shape(lik)
        if shape is None:
            raise ValueError("reference has no usable shape (ink is a single line or dot)")
        self.shape = ShapeModel(shape[0], shape[1], polar_signature(lik, shape[0], shape[1]))
        # Contrast-against-card model: the grey level of the card (the border colour) and the shape
        # of |grey - card grey|. This weight is linear in ink coverage, so its moments survive blur
        # and downscaling (thin strokes fade but keep their centroid and spread).
        gw = self.grey(work).astype(np.float32)
        gb = self.grey(border.reshape(-1, 1, 3)).astype(np.float32)
        self.card_grey = float(np.median(gb))
        self.card_bgr = np.median(border.reshape(-1, 3).astype(np.float32), 0)
        cw = contrast_weights(gw, self.card_grey)
        cshape = weighted_shape(cw)
        self.contrast_shape = (ShapeModel(cshape[0], cshape[1], polar_signature(cw, cshape[0], cshape[1]))
                               if cshape is not None else None)
        self.aspect = w / h

    def grey(self, bgr: np.ndarray) -> np.ndarray:
        """Project BGR to the reference's most contrasted grey axis (uint8)."""
        g = cv2.transform(bgr, self.grey_weights.reshape(1, 3))
        return g

    def _bins(self, bgr: np.ndarray) -> np.ndarray:
        """Flat histogram bin (uint8) of each pixel: the sum of the three ``_bin_lut`` entries."""
        return self._hsv_bins(cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV))

    def _hsv_bins(self, hsv: np.ndarray) -> np.ndarray:
        """``_bins`` of an HSV image, without table look-ups.

        cv2.LUT is slow (a 3-channel LUT costs more than the HSV conversion), while the
        vectorised arithmetic below gives the same sum (checked for every HSV triple in the tests):
        hue bin = floor(h * H_BINS / 180), as round(h * H_BINS / 180 - 0.5 + 0.001) (h is an
        integer, so the fraction is a multiple of 1/45 and never within 0.001 of the rounding
        edge); saturation bin * V_BINS = (s & 0xE0) * V_BINS * S_BINS / 256; value bin = v >= DARK_V.
        """
        h, s, v = cv2.split(hsv)
        hue = cv2.convertScaleAbs(h, alpha=H_BINS / 180, beta=0.001 - 0.5)
        hs = cv2.addWeighted(hue, S_BINS * V_BINS, cv2.bitwise_and(s, 256 - 256 // S_BINS), V_BINS * S_BINS / 256, 0.0)
        return cv2.add(hs, cv2.threshold(v, DARK_V - 1, 1, cv2.THRESH_BINARY)[1])

    def likelihood(self, bgr: np.ndarray) -> np.ndarray:
        """Per-pixel ink likelihood (float32 0..255) by colour histogram back-projection."""
        return cv2.LUT(self._bins(bgr), self.hist).astype(np.float32)

    def likelihoods(self, bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Ink and card (reference background colour) likelihoods, uint8 0..255."""
        idx = self._bins(bgr)
        return cv2.LUT(idx, self.hist), cv2.LUT(idx, self.card_hist)

    def template(self, side: int) -> tuple[np.ndarray, float]:
        """The projected reference at one scale: long side ``side``, unless the mark is elongated.

        A wide wordmark (8:1) at 64 px long would be 8 px tall: too few rows to align or verify
        its letters, and at 32 px long any stripe correlates with it. So a template keeps at
        least half the area of a ``side`` square and 16 px on its short side (8 px for the 16-px
        pre-alignment template); marks up to 2:1 are unaffected. Clamping the short side alone,
        as this once did, stretched the template against the single scale the warps assume.
        Computed once per side (the detector asks for the 128- and 256-px ones again); callers
        must not modify it.
        """
        if side in self._template_cache:
            return self._template_cache[side]
        w, h = self.size
        k = max(side / max(w, h), side / math.sqrt(2.0 * w * h), min(16.0, side / 2) / min(w, h))
        size = (max(1, round(w * k)), max(1, round(h * k)))
        g = self.grey(cv2.resize(self.bgr, size, interpolation=cv2.INTER_AREA)).astype(np.float32)
        self._template_cache[side] = (g, size[0] / w)
        return self._template_cache[side]

    def detail_loss(self, side: int = 128) -> float:
        """Share of the twice-as-fine template's variance lost at ``side`` px (0: nothing lost).

        Thin strokes (a light wordmark, a hairline outline) vanish from a 128-px template, which
        then aligns only the bold parts and lets the pose tilt about them. Bench marks lose
        0.04-0.06 here; a 2.3:1 wordmark with hairline strokes 0.18, a thin gold outline 0.12.
        """
        return detail_loss(self.template(2 * side)[0], self.template(side)[0])

    @property
    def textured(self) -> bool:
        """Photo-like: its colours spread over many tones (``tone_entropy`` >= ``TEXTURED_BITS``).

        Line art is a few flat colours plus their anti-aliased edges; a photo or a poster is
        continuous tone, grey ones included (a brick wall, a clock face). The detector then also
        searches by colour template and by local features; the rating reports this as texture mode.
        """
        return self.tone_entropy >= TEXTURED_BITS

    def busy_share(self, side: int = 60) -> float:
        """Mean share of strong colour gradients over the reference at ``side`` px (see ``busy_fraction``)."""
        w, h = self.size
        k = side / max(w, h)
        small = cv2.resize(self.bgr, (max(8, round(w * k)), max(8, round(h * k))), interpolation=cv2.INTER_AREA)
        return float(busy_fraction(small)[5:-5, 5:-5].mean())
