"""Draw the held-out reference images (bench/data/heldout/*.png) with cv2 and numpy only.

Five original marks of kinds a bank campaign might configure, chosen to be UNLIKE the five
tuned bench targets (red or teal line art on cream/white, and one photo poster):

- ``navy-pillars``: a filled dark-blue/black geometric mark (a pediment over pillars) and a
  black wordmark on white; flat solid areas, few thin strokes, landscape aspect.
- ``green-thin``: a thin-stroke green wordmark with a thin leaf and a small tagline on white;
  wide aspect, very little ink.
- ``gold-outline``: a mostly-white mark (thin gold outline of a shield, thin gold text) on
  white; low contrast, almost no saturated ink.
- ``violet-card``: a yellow and white mark on a saturated violet card (the card is not white).
- ``grey-knot``: a low-saturation mid-grey interlaced mark and grey text on light grey.

And two photo-like textured targets, unlike the bench's poster (flat shapes and text), for the
``photos`` set of bench/vision_heldout.py:

- ``dusk-lake``: a landscape with soft gradients, noise-textured hills and a rippled reflection;
- ``tea-market``: a shop shelf of jars and boxes in muted warm tones (low colour contrast);
- ``night-street``: a dark street with lit windows, lamps and light trails, added after the
  first two had been used to develop fixes, to measure those fixes on a photo they never saw.

All drawing happens at 2x and is area-downscaled, like a printed, anti-aliased logo. The
designs are made up here; none reproduces a real bank's mark.

Usage:  python bench/make_heldout_targets.py [--out bench/data/heldout]
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench/data/heldout"
SS = 2  # supersampling factor
AA = cv2.LINE_AA
HERSHEY = cv2.FONT_HERSHEY_SIMPLEX
DUPLEX = cv2.FONT_HERSHEY_DUPLEX


def canvas(w: int, h: int, bgr: tuple[int, int, int]) -> np.ndarray:
    """A (supersampled) card of one colour."""
    img = np.empty((h * SS, w * SS, 3), np.uint8)
    img[:] = bgr
    return img


def pts(xy: list[tuple[float, float]]) -> np.ndarray:
    """Card coordinates (final px) -> supersampled int32 polygon."""
    return (np.array(xy, np.float64) * SS).round().astype(np.int32)


def text(img: np.ndarray, s: str, org: tuple[float, float], scale: float, color: tuple[int, int, int],
         thick: int, font: int = HERSHEY, center: bool = False) -> None:
    """Put text at final-px coordinates (optionally centred horizontally on org)."""
    (tw, _th), _ = cv2.getTextSize(s, font, scale * SS, thick * SS)
    x = org[0] * SS - (tw / 2 if center else 0)
    cv2.putText(img, s, (round(x), round(org[1] * SS)), font, scale * SS, color, thick * SS, AA)


def finish(img: np.ndarray) -> np.ndarray:
    """Area-downscale from the supersampled canvas."""
    h, w = img.shape[:2]
    return cv2.resize(img, (w // SS, h // SS), interpolation=cv2.INTER_AREA)


def navy_pillars() -> np.ndarray:
    """Filled navy pediment + three pillars + base, black wordmark below (560x400)."""
    w, h = 560, 400
    img = canvas(w, h, (255, 255, 255))
    navy = (96, 36, 16)  # BGR: dark blue
    black = (20, 20, 20)
    cx = 190
    cv2.fillPoly(img, [pts([(cx - 110, 150), (cx, 70), (cx + 110, 150)])], navy, AA)
    cv2.fillPoly(img, [pts([(cx - 36, 134), (cx, 108), (cx + 36, 134)])], (255, 255, 255), AA)  # notch
    for i, x in enumerate((cx - 80, cx - 15, cx + 50)):
        cv2.rectangle(img, tuple(pts([(x, 165)])[0]), tuple(pts([(x + 30 + (i == 1) * 0, 265)])[0]), navy, -1, AA)
    cv2.rectangle(img, tuple(pts([(cx - 105, 275)])[0]), tuple(pts([(cx + 105, 298)])[0]), black, -1, AA)
    # a black square bullet and a diagonal cut, so the mark is not mirror-symmetric
    cv2.fillPoly(img, [pts([(cx + 72, 165), (cx + 105, 165), (cx + 105, 265), (cx + 72, 230)])], black, AA)
    text(img, "ALDER", (330, 190), 1.9, black, 4, DUPLEX)
    text(img, "TRUST", (330, 250), 1.9, navy, 4, DUPLEX)
    text(img, "SAVINGS & LOANS SINCE 1921", (60, 350), 0.8, black, 1, HERSHEY)
    return finish(img)


def green_thin() -> np.ndarray:
    """Thin green wordmark, a thin leaf outline and a small tagline (600x260)."""
    w, h = 600, 260
    img = canvas(w, h, (255, 255, 255))
    green = (70, 140, 30)  # BGR: mid green
    # leaf: two arcs meeting at the tips, one vein
    c = np.array([95.0, 115.0])
    t = np.linspace(0, math.pi, 40)
    upper = [(c[0] - 55 * math.cos(a) + 18 * math.sin(a) * 0.6, c[1] - 40 * math.sin(a)) for a in t]
    lower = [(c[0] + 55 * math.cos(a), c[1] + 14 * math.sin(a)) for a in t]
    cv2.polylines(img, [pts(upper + lower)], True, green, 2 * SS, AA)
    cv2.line(img, tuple(pts([(c[0] - 50, c[1] + 2)])[0]), tuple(pts([(c[0] + 45, c[1] - 12)])[0]), green, SS, AA)
    cv2.line(img, tuple(pts([(c[0] - 55, c[1])])[0]), tuple(pts([(c[0] - 75, c[1] + 25)])[0]), green, 2 * SS, AA)
    text(img, "meadowbank", (175, 132), 1.7, green, 1, HERSHEY)
    text(img, "community savings - est. 1987", (178, 172), 0.6, green, 1, HERSHEY)
    cv2.line(img, tuple(pts([(178, 200)])[0]), tuple(pts([(560, 200)])[0]), green, SS, AA)
    return finish(img)


def gold_outline() -> np.ndarray:
    """White shield with a thin gold outline, a thin gold monogram and gold text, on white (480x520)."""
    w, h = 480, 520
    img = canvas(w, h, (255, 255, 255))
    gold = (70, 170, 212)  # BGR: muted gold
    pale = (214, 236, 246)  # BGR: very light cream fill
    cx = 240
    shield = [(cx - 130, 60), (cx + 130, 60), (cx + 130, 200)]
    t = np.linspace(0, 1, 30)
    shield += [(cx + 130 * (1 - s) ** 1.3, 200 + 180 * s ** 0.8) for s in t]
    shield += [(cx - 130 * s ** 1.3, 200 + 180 * (1 - s) ** 0.8) for s in t]
    cv2.fillPoly(img, [pts(shield)], pale, AA)
    cv2.polylines(img, [pts(shield)], True, gold, 3 * SS, AA)
    inner = [(cx + (x - cx) * 0.86, 75 + (y - 60) * 0.86) for x, y in shield]
    cv2.polylines(img, [pts(inner)], True, gold, SS, AA)
    text(img, "H", (cx - 62, 260), 3.2, gold, 1, HERSHEY)
    text(img, "K", (cx + 2, 300), 2.4, gold, 1, HERSHEY)
    cv2.circle(img, tuple(pts([(cx + 70, 110)])[0]), 10 * SS, gold, 2 * SS, AA)  # breaks the symmetry
    text(img, "HOLLIS KEEP", (cx, 440), 1.3, gold, 1, HERSHEY, center=True)
    text(img, "PRIVATE BANKING", (cx, 478), 0.75, gold, 1, HERSHEY, center=True)
    return finish(img)


def violet_card() -> np.ndarray:
    """A yellow and white mark on a saturated violet card (520x360)."""
    w, h = 520, 360
    img = canvas(w, h, (120, 30, 90))  # BGR: violet card
    yellow = (30, 200, 250)
    white = (250, 250, 250)
    c = (130, 170)
    cv2.circle(img, tuple(pts([c])[0]), 80 * SS, yellow, -1, AA)
    cv2.ellipse(img, tuple(pts([(c[0] + 28, c[1] - 20)])[0]), (62 * SS, 62 * SS), 0, 0, 360, (120, 30, 90), -1, AA)
    cv2.fillPoly(img, [pts([(c[0] - 20, c[1] + 40), (c[0] + 70, c[1] - 30), (c[0] + 85, c[1] - 10),
                            (c[0] - 5, c[1] + 60)])], white, AA)
    text(img, "NOVA", (250, 160), 2.2, white, 5, DUPLEX)
    text(img, "pay", (250, 225), 1.8, yellow, 3, DUPLEX)
    cv2.rectangle(img, tuple(pts([(252, 262)])[0]), tuple(pts([(470, 270)])[0]), yellow, -1, AA)
    text(img, "card services", (252, 305), 0.8, white, 1, HERSHEY)
    return finish(img)


def grey_knot() -> np.ndarray:
    """A mid-grey interlaced ring mark and grey text on light grey (500x500)."""
    w, h = 500, 500
    img = canvas(w, h, (232, 232, 228))  # barely warm light grey
    grey = (118, 118, 122)
    dark = (88, 88, 90)
    c = np.array([250.0, 210.0])
    for k in range(3):
        a = math.radians(90 + 120 * k)
        p = c + 55 * np.array([math.cos(a), -math.sin(a)])
        cv2.circle(img, tuple(pts([tuple(p)])[0]), 80 * SS, grey, 10 * SS, AA)
    cv2.circle(img, tuple(pts([tuple(c)])[0]), 22 * SS, dark, -1, AA)
    cv2.rectangle(img, tuple(pts([(330, 70)])[0]), tuple(pts([(380, 95)])[0]), dark, -1, AA)  # asymmetry
    text(img, "GREYSTONE", (250, 400), 1.5, dark, 3, DUPLEX, center=True)
    text(img, "mutual", (250, 445), 1.0, grey, 2, HERSHEY, center=True)
    return finish(img)


def _noise(h: int, w: int, rng: np.random.Generator, octaves: int = 5) -> np.ndarray:
    """Fractal value noise in [0, 1] (sum of upscaled random grids), for photo-like texture."""
    out = np.zeros((h, w), np.float32)
    amp, total = 1.0, 0.0
    for o in range(octaves):
        cells = 2 ** (o + 2)
        grid = rng.random((cells + 1, cells + 1)).astype(np.float32)
        out += amp * cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
        total += amp
        amp *= 0.5
    out /= total
    return (out - out.min()) / max(1e-6, float(out.max() - out.min()))


def dusk_lake() -> np.ndarray:
    """A photo-like landscape: dusk sky, sun, textured hills, a lake reflecting them, reeds (600x450)."""
    w, h = 600, 450
    rng = np.random.default_rng(31)
    yy = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    top, low = np.array([120, 60, 40], np.float32), np.array([90, 150, 245], np.float32)  # BGR: blue -> orange
    img = np.broadcast_to(top + (low - top) * np.clip(yy / 0.55, 0, 1), (h, w, 3)).copy()
    cv2.circle(img, (400, 215), 34, (150, 225, 255), -1, AA)
    for base, col, rough in ((170, (95, 70, 90), 60), (210, (60, 55, 50), 45), (245, (45, 60, 35), 30)):
        ridge = base + rough * (_noise(1, w, rng, 4)[0] - 0.5) * 2
        tex = _noise(h, w, rng)
        for x in range(w):
            y0 = int(ridge[x])
            img[y0:270, x] = np.array(col, np.float32) * (0.75 + 0.5 * tex[y0:270, x, None])
    img[270:] = img[269:269 - (h - 270):-1][: h - 270] * 0.8  # reflection
    img[270:] += (_noise(h - 270, w, rng)[..., None] - 0.5) * 30  # ripples
    for _ in range(40):  # reeds
        x = int(rng.integers(0, w))
        top_y = int(rng.integers(330, 420))
        cv2.line(img, (x, h), (x + int(rng.integers(-12, 12)), top_y), (30, 45, 25), int(rng.integers(1, 3)), AA)
    img += rng.normal(0.0, 4.0, img.shape).astype(np.float32)  # grain
    return np.clip(img, 0, 255).astype(np.uint8)


def tea_market() -> np.ndarray:
    """A photo-like shop shelf in muted warm tones: rows of jars and boxes with labels (420x560)."""
    w, h = 420, 560
    rng = np.random.default_rng(47)
    img = np.empty((h, w, 3), np.float32)
    img[:] = (60, 85, 110)  # BGR: brown wood
    img = np.clip(img * (0.8 + 0.4 * _noise(h, w, rng))[..., None], 0, 255).astype(np.uint8)
    palette = [(70, 110, 150), (60, 130, 170), (90, 150, 160), (50, 70, 120), (120, 140, 150), (40, 90, 140),
               (100, 120, 100), (80, 100, 190)]
    for row in range(5):
        y1 = 20 + row * 108
        cv2.rectangle(img, (0, y1 + 92), (w, y1 + 104), (40, 60, 80), -1)  # shelf board
        x = 8
        while x < w - 20:
            bw = int(rng.integers(26, 60))
            bh = int(rng.integers(50, 90))
            col = palette[int(rng.integers(len(palette)))]
            if rng.random() < 0.5:
                cv2.rectangle(img, (x, y1 + 92 - bh), (x + bw, y1 + 92), col, -1, AA)
            else:
                cv2.ellipse(img, (x + bw // 2, y1 + 92 - bh // 2), (bw // 2, bh // 2), 0, 0, 360, col, -1, AA)
            lab = tuple(min(255, c + 70) for c in col)
            cv2.rectangle(img, (x + 4, y1 + 92 - bh // 2 - 8), (x + bw - 4, y1 + 92 - bh // 2 + 8), lab, -1, AA)
            cv2.putText(img, "TEA"[: max(1, bw // 14)], (x + 5, y1 + 92 - bh // 2 + 5), HERSHEY, 0.35,
                        (40, 40, 60), 1, AA)
            x += bw + int(rng.integers(2, 8))
    img = cv2.GaussianBlur(img.astype(np.float32), (0, 0), 0.8)
    img += rng.normal(0.0, 4.0, img.shape).astype(np.float32)  # grain
    return np.clip(img, 0, 255).astype(np.uint8)


def night_street() -> np.ndarray:
    """A photo-like street at night: building silhouettes with lit windows, lamps, light trails (560x420)."""
    w, h = 560, 420
    rng = np.random.default_rng(59)
    yy = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    sky_top, sky_low = np.array([60, 20, 15], np.float32), np.array([110, 60, 70], np.float32)  # BGR
    img = np.broadcast_to(sky_top + (sky_low - sky_top) * yy, (h, w, 3)).copy()
    x = 0
    while x < w:  # buildings with lit windows
        bw = int(rng.integers(50, 110))
        top = int(rng.integers(60, 220))
        shade = float(rng.uniform(18, 40))
        img[top:330, x:x + bw] = (shade, shade * 0.9, shade * 0.8)
        for wy in range(top + 10, 320, 16):
            for wx in range(x + 6, x + bw - 10, 14):
                if rng.random() < 0.45:
                    warm = rng.random() < 0.7
                    col = (80, 200, 250) if warm else (250, 230, 200)
                    cv2.rectangle(img, (wx, wy), (wx + 7, wy + 9), col, -1)
        x += bw + int(rng.integers(0, 12))
    img[330:] = (35, 35, 40)  # road
    for _ in range(6):  # light trails
        y0 = int(rng.integers(345, 410))
        col = (60, 60, 240) if rng.random() < 0.5 else (200, 230, 255)
        cv2.line(img, (0, y0), (w, y0 + int(rng.integers(-15, 15))), col, int(rng.integers(2, 5)), AA)
    for lx in range(40, w, 130):  # street lamps and their glow
        cv2.line(img, (lx, 330), (lx, 240), (50, 50, 55), 3, AA)
        glow = np.zeros((h, w), np.float32)
        cv2.circle(glow, (lx, 238), 6, 1.0, -1)
        glow = cv2.GaussianBlur(glow, (0, 0), 14)
        img += glow[..., None] * np.array([120, 200, 255], np.float32) * 6
    img = cv2.GaussianBlur(img, (0, 0), 0.7)
    img += rng.normal(0.0, 5.0, img.shape).astype(np.float32)  # grain
    return np.clip(img, 0, 255).astype(np.uint8)


TARGETS: dict[str, Callable[[], np.ndarray]] = {
    "navy-pillars": navy_pillars,
    "green-thin": green_thin,
    "gold-outline": gold_outline,
    "violet-card": violet_card,
    "grey-knot": grey_knot,
    "dusk-lake": dusk_lake,
    "tea-market": tea_market,
    "night-street": night_street,
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, draw in TARGETS.items():
        img = draw()
        path = out / f"{name}.png"
        cv2.imwrite(str(path), img)
        print(f"{path} {img.shape[1]}x{img.shape[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
