"""Colour template search: where a textured reference likely is in a frame, at which turn and size.

A photo poster keeps its layout of colour blobs down to a dozen pixels, and in colour that layout
is distinctive against clutter. So a small bank of the reference, turned and scaled, is
correlated (normalised, all three channels) with a few levels of the frame's pyramid. The best
peaks are similarity poses for the alignment to refine: a rough start is enough, because the
16- and 32-px alignments pull it in from about a fifth of the size and 10 degrees off.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

# (pyramid level, thumbnail long side): views of 40-320 px in the search image, about half an octave
# apart. Each thumbnail has at least 14 px: a poster's layout of colour blobs is gone below that
# (a shop-shelf photo's rows of jars merge into stripes at 10 px), so the smallest views, 40 px,
# are searched at half size with a 20-px thumbnail rather than at quarter size with a 10-px one.
# That entry (on a half-size frame) makes the search about 1.5 times as costly, and finds 4-5 more
# small posters on the generalisation set's train and val splits (bench/vision_general.py).
SIZES: tuple[tuple[int, int], ...] = ((1, 20), (2, 14), (2, 20), (3, 14), (3, 20), (4, 14), (4, 20))
# ``staged``: the levels from this one on are searched first; level 1 (the 40-px views on a
# half-size image, about half of the search's cost) only when their best matches did not verify.
FIRST_LEVEL = 2


@dataclass(frozen=True, eq=False)
class _Entry:
    level: int  # pyramid level of the frame it is correlated with (0 = search image)
    template: np.ndarray  # uint8 HxWx3, the turned reference on a square canvas
    ref_to_canvas: np.ndarray  # 3x3: reference px -> canvas px
    energy: float  # sum of the squared values of ``masked`` (all channels)
    masked: np.ndarray  # float32 HxWx3: the template minus its mean over ``disk``, zero outside it
    disk: np.ndarray  # float32 HxW: 1 on the disk inscribed in the print (at every turn), else 0


# A correlation peak: (score, centre x, centre y, radius in frame px, x, y at its level, level to frame scale, entry).
_Peak = tuple[float, float, float, float, int, int, float, _Entry]


def _correlate(image_spectra: list[np.ndarray], kernel_spectra: list[np.ndarray], h: int, w: int,
               scale: bool = True) -> np.ndarray:
    """The valid ``h`` x ``w`` part of the correlation of images with kernels (``cv2.dft`` spectra), summed.

    Without ``scale`` it is left multiplied by the spectra's size (the inverse transform's
    1/N skipped, for a caller that scales it anyway).
    """
    prod = cv2.mulSpectrums(image_spectra[0], kernel_spectra[0], 0, conjB=True)
    for a, b in zip(image_spectra[1:], kernel_spectra[1:], strict=True):
        cv2.add(prod, cv2.mulSpectrums(a, b, 0, conjB=True), dst=prod)
    return cv2.idft(prod, flags=cv2.DFT_REAL_OUTPUT | (cv2.DFT_SCALE if scale else 0))[:h, :w]


class ColourTemplateSearch:
    """Rough poses of a reference in a frame from colour template matching.

    ``sizes`` are (pyramid level, template long side) pairs: long side ``side * 2**level`` px in
    the search image (``SIZES``). With turns 20 degrees apart, no pose inside the envelope (roll up
    to 40 degrees) is more than 10 degrees or a fifth of the size from an entry.
    """

    def __init__(self, reference_bgr: np.ndarray, sizes: tuple[tuple[int, int], ...] = SIZES,
                 angles: tuple[float, ...] = (-30.0, -10.0, 10.0, 30.0)) -> None:
        h, w = reference_bgr.shape[:2]
        self.levels = max((level for level, _ in sizes), default=0)
        self.entries: list[_Entry] = []
        for level, side in sizes:
            k = side / max(w, h)
            tw, th = max(4, round(w * k)), max(4, round(h * k))
            small = cv2.resize(reference_bgr, (tw, th), interpolation=cv2.INTER_AREA)
            # The canvas corners outside the turned reference hold its mean colour, which the
            # mean-subtracted correlation ignores.
            fill = tuple(float(v) for v in small.reshape(-1, 3).mean(axis=0))
            d = math.ceil(math.hypot(tw, th)) | 1
            # Pixel corners scale as k (x_small = k * x), not centres as INTER_AREA resamples them
            # (x_small = (x + 0.5) * k - 0.5): the starts are 2-7 % of a view's size off, within
            # the alignment's reach. Measured with centres: the same poster detections, and on the
            # held-out landscape two more views aligned squashed (wrong) instead of declined.
            to_small = np.diag([tw / w, th / h, 1.0])
            # The disk inscribed in the thumbnail lies inside the print at every turn: the window
            # statistics are taken over it, so the background around the print does not dilute the
            # correlation (masked normalised correlation, Padfield 2012, with one mask for all turns).
            yy, xx = np.mgrid[:d, :d]
            rad = min(tw, th) / 2.0
            disk = ((xx - (d - 1) / 2.0) ** 2 + (yy - (d - 1) / 2.0) ** 2 <= rad * rad).astype(np.float32)
            for a in angles:
                rot = cv2.getRotationMatrix2D((tw / 2.0, th / 2.0), a, 1.0)
                rot[:, 2] += ((d - tw) / 2.0, (d - th) / 2.0)
                canvas = cv2.warpAffine(small, rot, (d, d), flags=cv2.INTER_LINEAR,
                                        borderMode=cv2.BORDER_CONSTANT, borderValue=fill)
                t = canvas.astype(np.float32)
                t = (t - t[disk > 0].mean(axis=0)) * disk[:, :, None]
                energy = float((t.astype(np.float64) ** 2).sum())
                # A plain thumbnail (a reference of one colour) correlates with nothing.
                if energy > 1.0:
                    self.entries.append(_Entry(level, canvas, np.vstack([rot, [0.0, 0.0, 1.0]]) @ to_small, energy,
                                               t, disk))
        self._spectra_cache: dict[tuple[int, tuple[int, int]], tuple[list[_Entry], list[list[np.ndarray]], dict]] = {}

    def _spectra(self, level: int, shape: tuple[int, int]) -> tuple[list[_Entry], list[list[np.ndarray]], dict]:
        """The entries of a level, their masked templates' spectra (per channel) and their disks'
        spectra (per canvas side) at an image shape."""
        key = (level, shape)
        if key not in self._spectra_cache:
            entries = [e for e in self.entries if e.level == level and e.template.shape[0] < min(shape)]

            def spectrum(a: np.ndarray) -> np.ndarray:
                pad = np.zeros(shape, np.float32)
                pad[:a.shape[0], :a.shape[1]] = a
                return cv2.dft(pad)

            spectra = [[spectrum(e.masked[:, :, c]) for c in range(3)] for e in entries]
            disks = {}
            for e in entries:
                d = e.template.shape[0]
                if d not in disks:
                    disks[d] = (spectrum(e.disk), float(e.disk.sum()))
            self._spectra_cache[key] = (entries, spectra, disks)
        return self._spectra_cache[key]

    def correlations(self, img: np.ndarray, level: int) -> list[tuple[_Entry, np.ndarray]]:
        """Masked normalised correlation (all channels, over each entry's disk) of each entry of a level.

        The image's spectra are computed once for all of the level's entries and the window
        statistics over the disk once per canvas side. Windows with less than one grey level of
        spread per pixel are floored: a flat window correlates with nothing.
        """
        h, w = img.shape[:2]
        entries, spectra, disks = self._spectra(level, (h, w))
        if not entries:
            return []
        # Less the image's mean: smaller sums, so the window variance keeps its float32 precision.
        planes = [p.astype(np.float32) - np.float32(m) for p, m in zip(cv2.split(img), cv2.mean(img), strict=False)]
        chans = [cv2.dft(p) for p in planes]
        sq = cv2.dft(cv2.multiply(planes[0], planes[0]) + cv2.multiply(planes[1], planes[1])
                     + cv2.multiply(planes[2], planes[2]))
        windows: dict[int, np.ndarray] = {}  # d -> sqrt(N times the windows' variance over the disk, summed over channels, times its area)
        out = []
        for e, spec in zip(entries, spectra, strict=True):
            d = e.template.shape[0]
            if d not in windows:
                dspec, n = disks[d]
                # Sums left multiplied by N = h * w (the inverse transforms unscaled): N times the variance.
                var = _correlate([sq], [dspec], h - d + 1, w - d + 1, scale=False)
                for c in chans:
                    mean = _correlate([c], [dspec], h - d + 1, w - d + 1, scale=False)
                    var = cv2.scaleAdd(cv2.multiply(mean, mean), -1.0 / (n * h * w), var)
                windows[d] = cv2.sqrt(cv2.max(var, float(n * h * w)))
            num = _correlate(chans, spec, h - d + 1, w - d + 1, scale=False)
            out.append((e, cv2.divide(num, windows[d], scale=1.0 / math.sqrt(h * w * e.energy))))
        return out

    def hypotheses(self, search_bgr: np.ndarray, to_frame: float, top: int = 3,
                   peaks_per_entry: int = 2) -> list[tuple[float, np.ndarray]]:
        """The ``top`` best (correlation, homography reference px -> frame px), best first.

        ``to_frame`` scales search-image px to frame px. A peak whose centre lies within a quarter
        of the larger size of a better one, at a size within a factor of about 1.7, is the same
        place and is skipped.
        """
        return list(self.staged(search_bgr, to_frame, top, first=0, peaks_per_entry=peaks_per_entry))

    def staged(self, search_bgr: np.ndarray, to_frame: float, top: int = 3, first: int = FIRST_LEVEL,
               peaks_per_entry: int = 2) -> Iterator[tuple[float, np.ndarray]]:
        """``hypotheses`` in two rounds, lazily: first the ``top`` best of the pyramid levels from
        ``first`` on (the cheap ones), then, only if the caller asks for more, those of the
        ``top`` best over all levels that it has not had yet."""
        pyr = self._pyramid(search_bgr)
        found = self._peaks(pyr, range(first, self.levels + 1), to_frame, peaks_per_entry)
        given: list[_Peak] = []
        for v, h, peak in self._best(found, top):
            given.append(peak)
            yield v, h
        found += self._peaks(pyr, range(min(first, len(pyr))), to_frame, peaks_per_entry)
        for v, h, peak in self._best(found, top):
            if not any(peak is g for g in given):
                yield v, h

    def _pyramid(self, search_bgr: np.ndarray) -> list[np.ndarray]:
        pyr = [search_bgr]
        for _ in range(self.levels):
            if min(pyr[-1].shape[:2]) < 16:
                break
            pyr.append(cv2.pyrDown(pyr[-1]))
        return pyr

    def _peaks(self, pyr: list[np.ndarray], levels: Iterable[int], to_frame: float,
               peaks_per_entry: int) -> list[_Peak]:
        """The best ``peaks_per_entry`` peaks of each entry of ``levels``: (score, cx, cy, radius, x, y, up, entry)."""
        found: list[_Peak] = []
        for e, res in (pair for level in levels if level < len(pyr) for pair in self.correlations(pyr[level], level)):
            d = e.template.shape[0]
            up = float(2**e.level) * to_frame
            for _ in range(peaks_per_entry):
                _, v, _, (x, y) = cv2.minMaxLoc(res)
                if not np.isfinite(v):
                    break
                r = max(2, d // 2)
                res[max(0, y - r):y + r + 1, max(0, x - r):x + r + 1] = -1.0
                found.append((float(v), (x + d / 2.0) * up, (y + d / 2.0) * up, d / 2.0 * up, x, y, up, e))
        return found

    @staticmethod
    def _best(found: list[_Peak], top: int) -> list[tuple[float, np.ndarray, _Peak]]:
        """The ``top`` best distinct places among peaks: (score, homography, peak)."""
        out: list[tuple[float, np.ndarray, _Peak]] = []
        for peak in sorted(found, key=lambda t: -t[0]):
            v, cx, cy, r, x, y, up, e = peak
            if any(math.hypot(cx - o[1], cy - o[2]) < 0.5 * max(r, o[3]) and 0.6 < r / o[3] < 1.7
                   for _, _, o in out):
                continue
            h = np.array([[up, 0.0, up * x], [0.0, up, up * y], [0.0, 0.0, 1.0]]) @ e.ref_to_canvas
            out.append((v, h, peak))
            if len(out) >= top:
                break
        return out
