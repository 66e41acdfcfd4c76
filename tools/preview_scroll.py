"""Render preview PNGs of the scroll painting and time paint + per-frame compose cost.

Usage: .venv/bin/python tools/preview_scroll.py [--seed N] [--icons-only]
Writes /tmp/scroll_preview.png, /tmp/scroll_view.png and /tmp/icons.png.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pygame

from game.ui.landmark_icons import ICON_KINDS, draw_landmark_icon
from game.ui.scroll_art import LandmarkSpot, ScrollPalette, paint_scroll, prepare_layers

PALETTE = ScrollPalette(paper=(238, 226, 200), ink=(40, 38, 36), accent=(190, 30, 45),
                        mountain_tint=(70, 130, 120), water=(120, 160, 170))
CHONGQING = ("tower", "stilt_house", "bridge", "cableway", "gate_dock", "temple", "hall", "old_town",
             "rail", "mountain", "garden", "stone_carving", "gorge", "street", "museum", "pagoda")
FONT = Path(__file__).resolve().parents[1] / "assets" / "fonts" / "NotoSerifSC-Bold.otf"


def icon_sheet(size: int = 200) -> pygame.Surface:
    kinds = (*ICON_KINDS, "no-such-kind")
    cols = 6
    rows = (len(kinds) + cols - 1) // cols
    sheet = pygame.Surface((cols * size, rows * size))
    sheet.fill(PALETTE.paper)
    for i, kind in enumerate(kinds):
        sheet.blit(draw_landmark_icon(kind, size, PALETTE), ((i % cols) * size, (i // cols) * size))
    return sheet


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--icons-only", action="store_true")
    ap.add_argument("--frames", type=int, default=500)
    args = ap.parse_args()
    pygame.init()
    t0 = time.perf_counter()
    sheet = icon_sheet()
    print(f"icons: {time.perf_counter() - t0:.2f}s")
    pygame.image.save(sheet, "/tmp/icons.png")
    if args.icons_only:
        return
    spots = [LandmarkSpot(f"spot{i}", i / (len(CHONGQING) - 1), k) for i, k in enumerate(CHONGQING)]
    t0 = time.perf_counter()
    art = paint_scroll(spots, PALETTE, seed=args.seed, title="玉兔迎春 · 云游重庆", seal_text="云步",
                       font_path=str(FONT) if FONT.exists() else None)
    print(f"paint: {time.perf_counter() - t0:.2f}s  size {art.width}x{art.height}  layers "
          + ", ".join(f"{s.get_width()}x{s.get_height()}@{f}" for s, f in art.layers))

    screen = pygame.display.set_mode((1920, 1080))
    for raw in (False, True):
        layers = prepare_layers(art, rle=raw)
        max_x = art.width - 1920
        times = []
        for i in range(args.frames):
            x = (i * 53.7) % max_x
            t = time.perf_counter()
            for surf, f in layers:
                screen.blit(surf, (0, 0), pygame.Rect(round(x * f), 0, 1920, 1080))
            times.append(time.perf_counter() - t)
        times.sort()
        n = len(times)
        print(f"compose ({'rle' if raw else 'plain'}): p50 {times[n // 2] * 1e3:.2f} ms  "
              f"p95 {times[int(n * 0.95)] * 1e3:.2f} ms  max {times[-1] * 1e3:.2f} ms")

    # one view window around a few landmarks, with pins at the anchors
    ids = list(art.anchors)
    ax = art.anchors[ids[len(ids) // 2]][0]
    x = min(max(0, ax - 960), art.width - 1920)
    for surf, f in layers:
        screen.blit(surf, (0, 0), pygame.Rect(round(x * f), 0, 1920, 1080))
    for px, py in art.anchors.values():
        if x <= px < x + 1920:
            pygame.draw.circle(screen, (255, 0, 255), (px - x, py), 6, 2)
    pygame.image.save(screen, "/tmp/scroll_view.png")
    for surf, _f in layers:
        screen.blit(surf, (0, 0), pygame.Rect(0, 0, 1920, 1080))
    pygame.image.save(screen, "/tmp/scroll_left.png")
    for surf, f in layers:
        mx = art.width - 1920
        screen.blit(surf, (0, 0), pygame.Rect(round(mx * f), 0, 1920, 1080))
    pygame.image.save(screen, "/tmp/scroll_right.png")

    full = pygame.Surface((art.width, art.height))
    full.fill(PALETTE.paper)
    for surf, f in art.layers:
        if f == 1.0:
            full.blit(surf, (0, 0))
        else:  # flatten as seen from the middle of the scroll
            mid = (art.width - 1920) / 2
            full.blit(surf, (round(mid - mid * f), 0))
    scale = 3600 / art.width
    pygame.image.save(pygame.transform.smoothscale(full, (3600, round(art.height * scale))),
                      "/tmp/scroll_preview.png")
    print("wrote /tmp/scroll_preview.png /tmp/scroll_view.png /tmp/icons.png /tmp/scroll_left.png "
          "/tmp/scroll_right.png")


if __name__ == "__main__":
    main()
