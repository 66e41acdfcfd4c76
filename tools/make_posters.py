"""Draw the landmark posters of a campaign pack (scan check-in targets) and name them in city.toml.

Run by a developer after adding landmarks; the PNG/JPEG files are committed with the pack.
Every other poster is line art (red ink on rice paper); the others are textured full-colour
prints. Each carries its landmark's own icon, name and a seeded pattern, so no two look alike
to the scanner.

    .venv/bin/python tools/make_posters.py [--campaign jade-rabbit-chongqing]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import zlib
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import pygame  # noqa: E402

from game.content import campaign_dir, load_campaign  # noqa: E402
from game.rules.content import Campaign, Landmark  # noqa: E402
from game.services import Palette  # noqa: E402
from game.ui.landmark_icons import icon_rgba, rgba_to_surface  # noqa: E402
from game.ui.scroll_art import ScrollPalette  # noqa: E402
from game.ui.text import TextRenderer  # noqa: E402

SIZE = (600, 800)
PAPER = (246, 238, 222)


def value_noise(rng: np.random.Generator, size: tuple[int, int], octaves: int = 5) -> np.ndarray:
    """Fractal value noise in [0, 1] (h, w)."""
    w, h = size
    out = np.zeros((h, w), np.float32)
    amp, total = 1.0, 0.0
    for o in range(octaves):
        cells = 3 * 2**o
        grid = rng.random((cells + 1, cells + 1)).astype(np.float32)
        out += amp * cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
        total += amp
        amp *= 0.55
    out /= total
    return (out - out.min()) / max(1e-6, float(np.ptp(out)))


def fretwork(surf: pygame.Surface, y: int, colour: tuple[int, int, int], unit: int = 24) -> None:
    """A band of 回-pattern (key fret) across the poster."""
    w = surf.get_width()
    for x in range(30, w - 30 - unit, unit):
        pts = [(x, y + unit), (x, y), (x + unit - 4, y), (x + unit - 4, y + unit - 8), (x + 6, y + unit - 8),
               (x + 6, y + 6), (x + unit - 10, y + 6), (x + unit - 10, y + unit - 14)]
        pygame.draw.lines(surf, colour, False, pts, 3)


def line_art(lm: Landmark, campaign: Campaign, text: TextRenderer, sp: ScrollPalette, red: tuple[int, int, int]) -> pygame.Surface:
    w, h = SIZE
    surf = pygame.Surface(SIZE)
    surf.fill(PAPER)
    pygame.draw.rect(surf, red, (14, 14, w - 28, h - 28), 6, border_radius=8)
    pygame.draw.rect(surf, red, (30, 30, w - 60, h - 60), 2, border_radius=6)
    fretwork(surf, 48, red)
    fretwork(surf, h - 80, red)
    icon = icon_rgba(lm.icon, 420, sp, zlib.crc32(lm.id.encode()))
    gray = cv2.cvtColor(icon[..., :3], cv2.COLOR_RGB2GRAY)
    edges = cv2.Canny(gray, 40, 120) | cv2.Canny(icon[..., 3], 40, 120)
    edges = cv2.dilate(edges, np.ones((2, 2), np.uint8))
    layer = np.zeros((420, 420, 4), np.uint8)
    layer[..., :3] = red
    layer[..., 3] = edges
    surf.blit(rgba_to_surface(layer), (90, 110))
    name = text.fit(lm.name.zh, 84, w - 100, red, "serif", 40)
    surf.blit(name, name.get_rect(center=(w // 2, 580)))
    en = text.fit(lm.name.en, 34, w - 100, red, "bold", 18)
    surf.blit(en, en.get_rect(center=(w // 2, 646)))
    brand = text.render(f"{campaign.brand.name.zh} · 扫码打卡", 26, red, "bold")
    surf.blit(brand, brand.get_rect(center=(w // 2, 692)))
    return surf


def textured(lm: Landmark, campaign: Campaign, text: TextRenderer, sp: ScrollPalette, index: int) -> pygame.Surface:
    w, h = SIZE
    rng = np.random.default_rng(zlib.crc32(lm.id.encode()))
    hues = [(200, 40, 50), (40, 110, 150), (30, 120, 90), (150, 90, 30), (110, 50, 130), (180, 120, 20)]
    base = np.array(hues[index % len(hues)], np.float32)
    n = value_noise(rng, SIZE)
    img = base[None, None, :] * (0.55 + 0.7 * n[..., None])
    # diagonal brush streaks and a seeded scatter of clouds/coins make it rich in corners
    streaks = value_noise(rng, (w // 8, h // 2), 3)
    img += 40 * (cv2.resize(streaks, SIZE) - 0.5)[..., None]
    arr = np.clip(img, 0, 255).astype(np.uint8)
    surf = pygame.image.frombuffer(np.ascontiguousarray(arr).tobytes(), SIZE, "RGB").copy()
    light = (250, 236, 200)
    for _ in range(28):
        x, y, r = int(rng.integers(0, w)), int(rng.integers(0, h)), int(rng.integers(6, 26))
        if rng.random() < 0.5:
            pygame.draw.circle(surf, light, (x, y), r, 3)
            pygame.draw.rect(surf, light, (x - r // 3, y - r // 3, 2 * r // 3, 2 * r // 3), 2)
        else:
            for k in range(3):
                pygame.draw.arc(surf, light, (x - r + k * r // 2, y - r // 2, r, r), 0, 3.1, 3)
    pygame.draw.circle(surf, PAPER, (w // 2, 300), 215)
    pygame.draw.circle(surf, (220, 170, 40), (w // 2, 300), 215, 10)
    icon = rgba_to_surface(icon_rgba(lm.icon, 360, sp, zlib.crc32(lm.id.encode())))
    surf.blit(icon, icon.get_rect(center=(w // 2, 300)))
    pygame.draw.rect(surf, (20, 14, 14), (0, 540, w, 260))
    name = text.fit(lm.name.zh, 80, w - 80, (255, 240, 210), "serif", 40)
    surf.blit(name, name.get_rect(center=(w // 2, 610)))
    en = text.fit(lm.name.en, 32, w - 80, (230, 190, 90), "bold", 18)
    surf.blit(en, en.get_rect(center=(w // 2, 676)))
    brand = text.render(f"{campaign.brand.name.zh} {campaign.brand.name.en}", 24, (240, 230, 210), "sans")
    surf.blit(brand, brand.get_rect(center=(w // 2, 730)))
    pygame.draw.rect(surf, (220, 170, 40), (0, 0, w, h), 12)
    return surf


def main() -> int:
    parser = argparse.ArgumentParser(description="Draw a campaign's landmark posters.")
    parser.add_argument("--campaign", default="jade-rabbit-chongqing")
    ns = parser.parse_args()
    pygame.init()
    pygame.display.set_mode((8, 8))
    campaign = load_campaign(ns.campaign)
    folder = campaign_dir(campaign.id)
    text = TextRenderer()
    pal = Palette.from_campaign(campaign)
    sp = ScrollPalette(paper=pal.paper, ink=pal.ink, accent=pal.primary, mountain_tint=pal.jade, water=(120, 160, 170))
    city = (folder / "city.toml").read_text(encoding="utf-8")
    for i, lm in enumerate(campaign.city.landmarks):
        if i % 2 == 0:
            name = f"poster-{lm.id}.png"
            pygame.image.save(line_art(lm, campaign, text, sp, pal.primary), str(folder / name))
        else:
            name = f"poster-{lm.id}.jpg"
            surf = textured(lm, campaign, text, sp, i)
            rgb = np.frombuffer(pygame.image.tobytes(surf, "RGB"), np.uint8).reshape(SIZE[1], SIZE[0], 3)
            cv2.imwrite(str(folder / name), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 88])
        block = re.compile(rf'(id = "{re.escape(lm.id)}"\n(?:(?!\[\[).*\n)*?icon = "[^"]*"\n)(poster = "[^"]*"\n)?')
        city, count = block.subn(lambda m, name=name: m.group(1) + f'poster = "{name}"\n', city, count=1)
        if count != 1:
            print(f"could not place the poster line for {lm.id}", file=sys.stderr)
            return 1
        print(name)
    (folder / "city.toml").write_text(city, encoding="utf-8")
    load_campaign(campaign.id)  # the pack must still validate
    return 0


if __name__ == "__main__":
    sys.exit(main())
