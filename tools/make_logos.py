"""Procedurally draw the ORIGINAL campaign logos and the extra benchmark targets.

All marks are invented for this project (fictional banks); none imitates a real brand.
Usage: python tools/make_logos.py            # writes the two campaign logo PNGs
       python tools/make_logos.py --bench    # also writes the bench targets to bench/data/
Bench code imports the ``draw_*`` functions and renders targets in memory.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SIZE = 600
SS = 4  # supersampling factor: draw big, then area-downscale for clean antialiased strokes


def _hex_bgr(code: str) -> tuple[int, int, int]:
    code = code.lstrip("#")
    r, g, b = (int(code[i : i + 2], 16) for i in (0, 2, 4))
    return (b, g, r)


def _canvas(bg: str, size: int = SIZE) -> np.ndarray:
    img = np.empty((size * SS, size * SS, 3), np.uint8)
    img[:] = _hex_bgr(bg)
    return img


def _finish(img: np.ndarray, size: int = SIZE) -> np.ndarray:
    return cv2.resize(img, (size, size), interpolation=cv2.INTER_AREA)


def _p(x: float, y: float) -> tuple[int, int]:
    """Logo units (0..600) to supersampled integer pixels."""
    return (round(x * SS), round(y * SS))


def _ellipse(img: np.ndarray, c: tuple[float, float], axes: tuple[float, float], angle: float,
             start: float, end: float, color: tuple[int, int, int], th: float) -> None:
    cv2.ellipse(img, _p(*c), (round(axes[0] * SS), round(axes[1] * SS)), angle, start, end, color,
                max(1, round(th * SS)), cv2.LINE_AA)


def _poly(img: np.ndarray, pts: list[tuple[float, float]], color: tuple[int, int, int], th: float,
          closed: bool = False) -> None:
    arr = np.array([_p(x, y) for x, y in pts], np.int32).reshape(-1, 1, 2)
    cv2.polylines(img, [arr], closed, color, max(1, round(th * SS)), cv2.LINE_AA)


def _spiral(img: np.ndarray, c: tuple[float, float], r0: float, turns: float, phase: float, sign: int,
            color: tuple[int, int, int], th: float) -> None:
    """An Archimedean curl: the building block of an auspicious (xiangyun) cloud."""
    ts = np.linspace(0.0, turns * 2 * math.pi, 80)
    rs = r0 * (0.25 + 0.75 * ts / ts[-1])
    pts = [(c[0] + r * math.cos(phase + sign * t), c[1] + r * math.sin(phase + sign * t)) for t, r in zip(ts, rs, strict=True)]
    _poly(img, pts, color, th)


def draw_cloudstep_rabbit() -> np.ndarray:
    """Cloudstep Bank 云步银行: a jade rabbit leaping over an auspicious cloud inside an open ring.

    Deliberately NOT rotationally symmetric: the ring opens top-right where the ears break out,
    the cloud sits bottom-left, and the tail curl is on the left.
    """
    red = _hex_bgr("#C8102E")
    img = _canvas("#FBF7EE")
    # Open ring: the gap at the upper right lets the ears break out of the frame.
    _ellipse(img, (300, 300), (250, 250), 0, -25, 290, red, 16)
    _ellipse(img, (300, 300), (222, 222), 0, 10, 160, red, 5)
    # Rabbit body: a leaning egg, the back a long arc, belly a shorter one.
    _ellipse(img, (285, 330), (120, 78), -18, 160, 370, red, 12)
    _ellipse(img, (285, 330), (120, 78), -18, 20, 120, red, 8)
    # Head and the two long ears sweeping up and to the right, past the ring's gap.
    _ellipse(img, (390, 245), (52, 44), -10, 0, 360, red, 12)
    _ellipse(img, (445, 140), (22, 82), 32, 0, 360, red, 11)
    _ellipse(img, (410, 130), (18, 70), 12, 200, 520, red, 9)
    cv2.circle(img, _p(405, 238), round(8 * SS), red, -1, cv2.LINE_AA)  # eye
    # Front and hind legs as short strokes.
    _poly(img, [(345, 380), (380, 420), (410, 418)], red, 10)
    _poly(img, [(215, 385), (200, 430), (240, 440)], red, 10)
    # Tail curl on the left only.
    _spiral(img, (165, 300), 28, 1.25, 0.0, -1, red, 8)
    # Auspicious cloud bottom-left: two curls joined by a wave.
    _spiral(img, (165, 455), 34, 1.1, math.pi, 1, red, 9)
    _spiral(img, (250, 470), 26, 1.1, 0.0, -1, red, 9)
    _poly(img, [(120, 495), (180, 505), (260, 500), (330, 488)], red, 9)
    return _finish(img)


def draw_lakelight_lantern() -> np.ndarray:
    """Lakelight Bank 湖光银行: a teal palace lantern with red cap and tassel over West Lake ripples."""
    teal = _hex_bgr("#1F6F6B")
    red = _hex_bgr("#C8102E")
    img = _canvas("#EFE8D8")
    # Lantern body: outer oval and two inner ribs.
    _ellipse(img, (300, 290), (150, 175), 0, 0, 360, teal, 14)
    _ellipse(img, (300, 290), (80, 175), 0, 0, 360, teal, 8)
    _poly(img, [(300, 115), (300, 465)], teal, 8)
    # Red cap and base bands plus the hanger hook (hook bends left: an orientation cue).
    _poly(img, [(220, 110), (380, 110), (360, 135), (240, 135)], red, 10, closed=True)
    _poly(img, [(230, 465), (370, 465), (350, 492), (250, 492)], red, 10, closed=True)
    _ellipse(img, (280, 80), (22, 26), 0, -90, 180, red, 8)
    # Tassel drifting right.
    _poly(img, [(300, 492), (305, 530), (325, 570)], red, 8)
    _poly(img, [(300, 492), (295, 535), (305, 572)], red, 6)
    # Crescent moon upper-left and ripples lower-right: breaks every symmetry.
    _ellipse(img, (110, 110), (45, 45), 0, 60, 300, teal, 10)
    _ellipse(img, (128, 110), (36, 36), 0, 70, 290, teal, 5)
    for k, y in enumerate((520, 548, 575)):
        x0 = 390 + 20 * k
        xs = np.linspace(x0, 580, 30)
        _poly(img, [(float(x), y + 7 * math.sin((x - x0) / 18.0)) for x in xs], teal, 7)
    return _finish(img)


def draw_wordmark_kite() -> np.ndarray:
    """Bench target: a geometric wordmark ('KITE' + chevron) in navy and orange on white."""
    navy = _hex_bgr("#1B2A6B")
    orange = _hex_bgr("#E8701A")
    img = _canvas("#FFFFFF")
    _poly(img, [(80, 170), (170, 80), (260, 170), (170, 260)], orange, 18, closed=True)
    _poly(img, [(170, 260), (150, 330), (185, 360)], orange, 10)
    cv2.putText(img, "KITE", _p(285, 230), cv2.FONT_HERSHEY_DUPLEX, 4.0 * SS, navy, round(12 * SS), cv2.LINE_AA)
    cv2.putText(img, "FINANCE", _p(90, 470), cv2.FONT_HERSHEY_SIMPLEX, 2.6 * SS, navy, round(8 * SS), cv2.LINE_AA)
    _poly(img, [(90, 520), (510, 520)], orange, 8)
    return _finish(img)


def draw_notched_medallion() -> np.ndarray:
    """Bench target: a near-4-fold-symmetric red medallion with one small notch (hard orientation case)."""
    red = _hex_bgr("#B5121B")
    img = _canvas("#FFFFFF")
    _ellipse(img, (300, 300), (240, 240), 0, 0, 360, red, 14)
    for k in range(4):
        a = k * 90.0
        c = (300 + 120 * math.cos(math.radians(a)), 300 + 120 * math.sin(math.radians(a)))
        _ellipse(img, c, (95, 45), a, 0, 360, red, 10)
    cv2.circle(img, _p(300, 300), round(30 * SS), red, round(10 * SS), cv2.LINE_AA)
    # The notch: a small filled triangle on the ring at the top-right.
    ang = math.radians(-60)
    cx, cy = 300 + 240 * math.cos(ang), 300 + 240 * math.sin(ang)
    tri = np.array([_p(cx, cy), _p(cx + 40, cy - 5), _p(cx + 12, cy + 38)], np.int32)
    cv2.fillConvexPoly(img, tri, red, cv2.LINE_AA)
    return _finish(img)


def draw_textured_poster(seed: int = 7) -> np.ndarray:
    """Bench target: a photo-like poster (gradients, noise, many shapes) - the feature-matching case."""
    rng = np.random.default_rng(seed)
    h, w = 600, 450
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.zeros((h, w, 3), np.float32)
    img[..., 0] = 90 + 100 * (xx / w)
    img[..., 1] = 60 + 120 * (yy / h)
    img[..., 2] = 180 - 80 * (xx / w) * (yy / h)
    img = img.astype(np.uint8)
    for _ in range(60):
        color = tuple(int(v) for v in rng.integers(0, 255, 3))
        c = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        if rng.random() < 0.5:
            cv2.circle(img, c, int(rng.integers(8, 60)), color, int(rng.choice([-1, 3, 6])), cv2.LINE_AA)
        else:
            pts = rng.integers(0, [w, h], (int(rng.integers(3, 6)), 2)).astype(np.int32)
            cv2.fillPoly(img, [pts], color, cv2.LINE_AA)
    for _ in range(12):
        org = (int(rng.integers(0, w - 120)), int(rng.integers(20, h)))
        cv2.putText(img, "NEW YEAR", org, cv2.FONT_HERSHEY_SIMPLEX, float(rng.uniform(0.6, 1.4)),
                    (255, 255, 255), 2, cv2.LINE_AA)
    noisy = img.astype(np.float32) + rng.normal(0, 10, img.shape).astype(np.float32)
    return np.clip(cv2.GaussianBlur(noisy, (3, 3), 0), 0, 255).astype(np.uint8)


CAMPAIGN_LOGOS: dict[str, Callable[[], np.ndarray]] = {
    "jade-rabbit-chongqing": draw_cloudstep_rabbit,
    "lantern-hangzhou": draw_lakelight_lantern,
}
BENCH_TARGETS: dict[str, Callable[[], np.ndarray]] = {
    "rabbit": draw_cloudstep_rabbit,
    "lantern": draw_lakelight_lantern,
    "kite-wordmark": draw_wordmark_kite,
    "medallion": draw_notched_medallion,
    "poster": draw_textured_poster,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", action="store_true", help="also write bench targets to bench/data/")
    ns = parser.parse_args(argv)
    for campaign, draw in CAMPAIGN_LOGOS.items():
        path = ROOT / "assets" / "campaigns" / campaign / "logo.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), draw())
        print(f"wrote {path.relative_to(ROOT)}")
    if ns.bench:
        out = ROOT / "bench" / "data"
        out.mkdir(parents=True, exist_ok=True)
        for name, draw in BENCH_TARGETS.items():
            cv2.imwrite(str(out / f"{name}.png"), draw())
            print(f"wrote bench/data/{name}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
