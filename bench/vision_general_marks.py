"""The generalisation set's marks and photographs (bench/vision_general.py).

Marks are drawn here from a seed, in five families: seals (glyphs of the bundled fonts inside a
square or round border), rings (concentric strokes and arcs), animals drawn as strokes, thin
wordmarks (random glyphs of the bundled fonts on a wide card) and textured posters. Ink colours
vary; a third of the seals and rings are nearly symmetric (symmetric but for one small feature).

Backgrounds are real photographs: the sample photos shipped inside the scikit-image wheel (a dev
dependency), each of which its docstring releases as public domain or CC0 (or "no known
copyright restrictions" for the Brooklyn Museum coins). Nothing is downloaded.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "assets/fonts"
FAMILIES = ("seal", "ring", "animal", "wordmark", "poster")
SPLITS = ("train", "val", "test")
# BGR ink colours and card colours.
INKS = {"red": (40, 40, 200), "blue": (160, 80, 20), "green": (50, 130, 30), "black": (35, 30, 30),
        "gold": (20, 140, 215), "purple": (130, 40, 120)}
CARDS = [(245, 245, 245), (215, 235, 248), (235, 245, 240), (250, 250, 238)]
# scikit-image sample photos (licence per its docstrings: PD = public domain, CC0) by split.
PHOTOS = {
    "train": ("astronaut", "coffee", "brick", "grass", "hubble_deep_field"),  # PD, CC0, CC0, CC0, PD
    "val": ("chelsea", "camera", "gravel", "clock"),  # CC0, CC0, CC0, PD
    "test": ("rocket", "coins", "retina", "text"),  # PD, no known restrictions, CC0, PD
}


@dataclass(frozen=True)
class Mark:
    name: str
    family: str
    split: str
    image: np.ndarray  # BGR card
    near_symmetric: bool


def _glyphs() -> list[str]:
    text = (FONTS / "NotoSansSC-Regular.chars.txt").read_text(encoding="utf-8")
    return [ch for ch in text if ord(ch) >= 0x4E00]


LATIN = "ABCDEFGHJKLMNPQRSTUVWXYZabdefghkmnpqrty"


def render_text(text: str, font: str, px: int) -> np.ndarray:
    """Coverage mask (float32 0-1) of ``text`` in a bundled font at ``px`` size."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    import pygame

    if not pygame.font.get_init():
        pygame.font.init()
    surf = pygame.font.Font(str(FONTS / font), px).render(text, True, (255, 255, 255))
    alpha = pygame.surfarray.array_alpha(surf).T.astype(np.float32) / 255.0
    ys, xs = np.nonzero(alpha > 0.05)
    return alpha[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def paste(card: np.ndarray, mask: np.ndarray, x: int, y: int, colour: tuple[int, int, int]) -> None:
    """Ink ``mask`` (coverage) onto ``card`` with its top-left at (x, y), clipped to the card."""
    h, w = mask.shape
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(card.shape[1], x + w), min(card.shape[0], y + h)
    if x1 <= x0 or y1 <= y0:
        return
    m = mask[y0 - y:y1 - y, x0 - x:x1 - x, None]
    roi = card[y0:y1, x0:x1].astype(np.float32)
    card[y0:y1, x0:x1] = (roi * (1 - m) + np.float32(colour) * m).astype(np.uint8)


def fit(mask: np.ndarray, w: int, h: int) -> np.ndarray:
    k = min(w / mask.shape[1], h / mask.shape[0])
    return cv2.resize(mask, (max(1, round(mask.shape[1] * k)), max(1, round(mask.shape[0] * k))),
                      interpolation=cv2.INTER_AREA)


def seal(rng: np.random.Generator, ink: tuple[int, int, int], near_symmetric: bool, glyphs: list[str]) -> np.ndarray:
    s = 480
    card = np.full((s, s, 3), CARDS[int(rng.integers(len(CARDS)))], np.uint8)
    t = int(rng.integers(10, 22))
    round_ = bool(rng.integers(2))
    if round_:
        cv2.circle(card, (s // 2, s // 2), s // 2 - 40, ink, t, cv2.LINE_AA)
        cv2.circle(card, (s // 2, s // 2), s // 2 - 40 - 2 * t, ink, max(3, t // 3), cv2.LINE_AA)
    else:
        cv2.rectangle(card, (40, 40), (s - 40, s - 40), ink, t, cv2.LINE_AA)
        cv2.rectangle(card, (40 + 2 * t, 40 + 2 * t), (s - 40 - 2 * t, s - 40 - 2 * t), ink, max(3, t // 3),
                      cv2.LINE_AA)
    inner = s - 2 * (40 + 3 * t)
    if near_symmetric:
        c = s // 2
        r = inner // 3
        cv2.line(card, (c - r, c), (c + r, c), ink, t, cv2.LINE_AA)
        cv2.line(card, (c, c - r), (c, c + r), ink, t, cv2.LINE_AA)
        for dx, dy in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
            cv2.circle(card, (c + dx * r // 2, c + dy * r // 2), t, ink, -1, cv2.LINE_AA)
        cv2.circle(card, (c + r + 2 * t, c - r - t), max(5, t // 2), ink, -1, cv2.LINE_AA)  # the one cue
    else:
        font = ("NotoSerifSC-Bold.otf", "NotoSansSC-Bold.otf")[int(rng.integers(2))]
        cell = inner // 2
        for i in range(4):
            g = render_text(glyphs[int(rng.integers(len(glyphs)))], font, 160)
            g = fit(g, cell - 8, cell - 8)
            x = (s - inner) // 2 + (i % 2) * cell + (cell - g.shape[1]) // 2
            y = (s - inner) // 2 + (i // 2) * cell + (cell - g.shape[0]) // 2
            paste(card, g, x, y, ink)
    return card


def ring(rng: np.random.Generator, ink: tuple[int, int, int], near_symmetric: bool) -> np.ndarray:
    s = 480
    card = np.full((s, s, 3), CARDS[int(rng.integers(len(CARDS)))], np.uint8)
    c = (s // 2, s // 2)
    r = s // 2 - 45
    n = int(rng.integers(2, 5))
    for i in range(n):
        t = int(rng.integers(6, 20))
        rad = int(r - i * (r * 0.8 / n))
        if near_symmetric or i == 0:
            cv2.circle(card, c, rad, ink, t, cv2.LINE_AA)
        else:
            a0 = float(rng.uniform(0, 360))
            cv2.ellipse(card, c, (rad, rad), a0, 0, float(rng.uniform(200, 320)), ink, t, cv2.LINE_AA)
    a = float(rng.uniform(0, 2 * math.pi))
    if near_symmetric:  # one small notch-like dot breaks the symmetry
        p = (int(c[0] + (r + 22) * math.cos(a)), int(c[1] + (r + 22) * math.sin(a)))
        cv2.circle(card, p, 12, ink, -1, cv2.LINE_AA)
    else:
        p = (int(c[0] + 0.35 * r * math.cos(a)), int(c[1] + 0.35 * r * math.sin(a)))
        tri = np.int32([p, (p[0] + 40, p[1] + 15), (p[0] + 10, p[1] + 45)])
        cv2.fillConvexPoly(card, tri, ink, cv2.LINE_AA)
    return card


def animal(rng: np.random.Generator, ink: tuple[int, int, int]) -> np.ndarray:
    w, h = 560, 420
    card = np.full((h, w, 3), CARDS[int(rng.integers(len(CARDS)))], np.uint8)
    t = int(rng.integers(6, 16))
    cx, cy = w * 0.45, h * 0.5
    ang = np.linspace(0, 2 * math.pi, 120, endpoint=False)
    rad = 1.0 + sum(rng.uniform(-0.12, 0.12) * np.cos(k * ang + rng.uniform(0, 6.3)) for k in (2, 3, 4))
    ax, ay = rng.uniform(130, 170), rng.uniform(70, 100)
    body = np.stack([cx + ax * rad * np.cos(ang), cy + ay * rad * np.sin(ang)], 1).astype(np.int32)
    cv2.polylines(card, [body], True, ink, t, cv2.LINE_AA)
    hx, hy = int(cx + ax + 40), int(cy - ay - rng.uniform(0, 30))
    hr = int(rng.uniform(35, 55))
    cv2.circle(card, (hx, hy), hr, ink, t, cv2.LINE_AA)
    cv2.circle(card, (hx + hr // 3, hy - hr // 4), max(4, t // 2 + 2), ink, -1, cv2.LINE_AA)  # eye
    ear = np.int32([(hx - hr // 2, hy - hr + 5), (hx - hr // 2 + int(rng.uniform(-20, 10)), hy - hr - 55),
                    (hx + 5, hy - hr + 2)])
    cv2.polylines(card, [ear], False, ink, t, cv2.LINE_AA)
    for k in range(4):
        x = int(cx - ax * 0.7 + k * ax * 0.45)
        y0 = int(cy + ay * 0.8)
        cv2.line(card, (x, y0), (x + int(rng.uniform(-25, 25)), h - 30), ink, t, cv2.LINE_AA)
    tail_t = np.linspace(0, 1, 30)
    tx = cx - ax - 60 * tail_t
    ty = cy - 80 * np.sin(tail_t * rng.uniform(2, 4)) * tail_t
    cv2.polylines(card, [np.stack([tx, ty], 1).astype(np.int32)], False, ink, t, cv2.LINE_AA)
    return card


def wordmark(rng: np.random.Generator, ink: tuple[int, int, int], glyphs: list[str]) -> np.ndarray:
    n = int(rng.integers(4, 9))
    if rng.integers(3) == 0:
        text = "".join(glyphs[int(rng.integers(len(glyphs)))] for _ in range(max(3, n // 2)))
    else:
        text = "".join(LATIN[int(rng.integers(len(LATIN)))] for _ in range(n))
    g = render_text(text, "NotoSansSC-Regular.otf", 120)
    g = fit(g, 560, 150)
    pad_x, pad_y = int(rng.integers(30, 60)), int(rng.integers(30, 60))
    card = np.full((g.shape[0] + 2 * pad_y, g.shape[1] + 2 * pad_x, 3), CARDS[int(rng.integers(len(CARDS)))],
                   np.uint8)
    paste(card, g, pad_x, pad_y, ink)
    if rng.integers(2):
        y = pad_y + g.shape[0] + pad_y // 3
        cv2.line(card, (pad_x, y), (pad_x + int(g.shape[1] * rng.uniform(0.3, 1.0)), y), ink, 3, cv2.LINE_AA)
    return card


def poster(rng: np.random.Generator, glyphs: list[str]) -> np.ndarray:
    w, h = 420, 560
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    c0, c1 = rng.uniform(40, 230, 3), rng.uniform(40, 230, 3)
    a = rng.uniform(0, 2 * math.pi)
    t = np.clip(((xx - w / 2) * math.cos(a) + (yy - h / 2) * math.sin(a)) / max(w, h) + 0.5, 0, 1)[..., None]
    card = (c0 * (1 - t) + c1 * t).astype(np.float32)
    card += cv2.GaussianBlur(rng.normal(0, 25, (h, w, 1)).astype(np.float32), (0, 0), 1.5)[..., None]
    card = np.clip(card, 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(25, 45))):
        col = tuple(int(v) for v in rng.uniform(0, 255, 3))
        kind = int(rng.integers(3))
        p = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
        if kind == 0:
            cv2.circle(card, p, int(rng.uniform(8, 60)), col, int(rng.choice([-1, 3, 6])), cv2.LINE_AA)
        elif kind == 1:
            q = (p[0] + int(rng.uniform(-80, 80)), p[1] + int(rng.uniform(-80, 80)))
            cv2.rectangle(card, p, q, col, int(rng.choice([-1, 4])), cv2.LINE_AA)
        else:
            pts = (np.array(p) + rng.uniform(-70, 70, (int(rng.integers(3, 6)), 2))).astype(np.int32)
            cv2.fillPoly(card, [pts], col, cv2.LINE_AA)
    for _ in range(int(rng.integers(2, 5))):
        g = fit(render_text(glyphs[int(rng.integers(len(glyphs)))], "NotoSansSC-Bold.otf", 100), 90, 90)
        paste(card, g, int(rng.uniform(0, w - 90)), int(rng.uniform(0, h - 90)),
              tuple(int(v) for v in rng.uniform(0, 255, 3)))
    return card


def make_mark(family: str, rng: np.random.Generator, ink: tuple[int, int, int], near_symmetric: bool,
              glyphs: list[str]) -> np.ndarray:
    if family == "seal":
        return seal(rng, ink, near_symmetric, glyphs)
    if family == "ring":
        return ring(rng, ink, near_symmetric)
    if family == "animal":
        return animal(rng, ink)
    if family == "wordmark":
        return wordmark(rng, ink, glyphs)
    return poster(rng, glyphs)


def make_marks(per_family: int = 12, seed: int = 2812) -> list[Mark]:
    """``per_family`` marks of each family; of every four, two train, one val, one test."""
    glyphs = _glyphs()
    inks = list(INKS)
    marks = []
    for fi, family in enumerate(FAMILIES):
        for i in range(per_family):
            rng = np.random.default_rng((seed, fi, i))
            ink_name = inks[(i + fi) % len(inks)]
            near = family in ("seal", "ring") and i % 3 == 1
            split = SPLITS[(0, 0, 1, 2)[i % 4]]
            img = make_mark(family, rng, INKS[ink_name], near, glyphs)
            marks.append(Mark(f"{family}-{i:02d}-{ink_name}{'-nearsym' if near else ''}", family, split, img, near))
    return marks


def distractor(rng: np.random.Generator, glyphs: list[str]) -> np.ndarray:
    """Red line art that is no mark of the set (drawn from another seed stream)."""
    family = ("seal", "ring", "animal", "wordmark")[int(rng.integers(4))]
    return make_mark(family, rng, INKS["red"], bool(rng.integers(2)), glyphs)


def photos(split: str) -> list[np.ndarray]:
    """The split's photographs as BGR uint8."""
    from skimage import data

    out = []
    for name in PHOTOS[split]:
        img = np.asarray(getattr(data, name)())
        if img.dtype != np.uint8:
            img = (img * 255).astype(np.uint8) if img.max() <= 1 else img.astype(np.uint8)
        if img.ndim == 2:
            img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
        elif img.shape[2] == 4:
            img = cv2.cvtColor(img, cv2.COLOR_RGBA2BGR)
        else:
            img = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
        out.append(img)
    return out


def glyph_list() -> list[str]:
    return _glyphs()
