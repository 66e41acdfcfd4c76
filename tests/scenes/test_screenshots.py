"""Headless screenshots of every scene, in Chinese and English, checked for non-trivial content.

The scenes run in the real loop (``App`` under SDL's dummy driver) through the test harness. The
scroll is painted once per module and shared, since painting takes seconds and is tested on its own in
tests/ui. One run goes through ``main.py --headless ... --screenshot`` end to end, as QA and CI use it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pygame
import pytest

from game.bootstrap import paint_job
from game.content import load_campaign
from game.qa.checks import content_problems, missing_glyphs, pixels
from game.qa.checks import drawn_strings as rendered_strings
from game.services import Palette
from game.ui.text import TextRenderer
from tests.fakes import MemoryStore
from tests.scenes.harness import run_app

ROOT = Path(__file__).resolve().parents[2]
CAMPAIGN = "jade-rabbit-chongqing"
LANDMARK = "hongyadong"
SCENES = ("attract", "map", f"card:{LANDMARK}", "rewards", "album")
SEED = 3  # the harness's seed: the shared painting must be the one the run would paint


@pytest.fixture(scope="module")
def art() -> object:
    campaign = load_campaign(CAMPAIGN)
    pygame.font.init()  # the title strip renders glyphs
    return paint_job(campaign, Palette.from_campaign(campaign), SEED).result(timeout=120)


def assert_non_trivial(rgb: np.ndarray, what: str) -> None:
    """Many colours, no single colour covering most of the frame, detail spread over the frame."""
    h, w, _ = rgb.shape
    assert (w, h) == (1920, 1080), what
    assert content_problems(rgb) == [], what


def assert_no_tofu(text: TextRenderer) -> None:
    """Every character drawn is in the bundled font or in the fallback font (no empty boxes)."""
    missing = missing_glyphs(text)
    assert not missing, f"glyphs no font has: {sorted(missing)}"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("scene", SCENES)
def test_scene_screenshot_has_content(tmp_path: Path, art: object, scene: str, lang: str) -> None:
    run = run_app(tmp_path, MemoryStore(), scene=scene, lang=lang, frames=40, grab=(39,), art=art)
    frame = run.frames[39]
    assert_non_trivial(pixels(frame), f"{scene} ({lang})")
    strings = rendered_strings(run.services.text)
    assert strings, f"{scene} ({lang}) drew no text"
    cjk = [s for s in strings if any(ord(ch) >= 0x4E00 for ch in s)]
    latin_words = [s for s in strings if sum(ch.isalpha() and ch.isascii() for ch in s) >= 4]
    # the screen speaks the chosen language (the attract screen is deliberately bilingual)
    if lang == "zh":
        assert len(cjk) >= 3, f"{scene}: hardly any Chinese text: {strings}"
    else:
        assert len(latin_words) >= 3, f"{scene}: hardly any English text: {strings}"
    assert_no_tofu(run.services.text)
    pygame.quit()


def test_languages_give_different_frames(tmp_path: Path, art: object) -> None:
    zh = run_app(tmp_path / "zh", MemoryStore(), scene=f"card:{LANDMARK}", lang="zh", frames=20, grab=(19,), art=art)
    en = run_app(tmp_path / "en", MemoryStore(), scene=f"card:{LANDMARK}", lang="en", frames=20, grab=(19,), art=art)
    diff = np.abs(pixels(zh.frames[19]).astype(int) - pixels(en.frames[19]).astype(int)).max(axis=2)
    assert (diff > 40).mean() > 0.01  # the text changed, not just a pixel or two
    pygame.quit()


def test_main_headless_screenshot_of_the_map(tmp_path: Path) -> None:
    """The QA/CI path: the CLI renders the finished painting (not the 'painting...' placeholder)."""
    shot = tmp_path / "map.png"
    proc = subprocess.run(
        [sys.executable, "main.py", "--headless", "--frames", "3", "--scene", "map", "--lang", "en",
         "--screenshot", str(shot), "--server", "offline", "--data-dir", str(tmp_path / "data")],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    image = pygame.image.load(str(shot))
    assert image.get_size() == (1920, 1080)
    assert_non_trivial(pixels(image), "main.py --scene map")


def test_map_and_card_open_on_their_landmark(tmp_path: Path, art: object) -> None:
    """``map:<id>`` and ``card:<id>`` centre the scroll on that landmark (README and QA shots)."""
    from scenes.map import MapScene

    seen: list[float] = []

    def look(app: object, _services: object) -> None:
        maps = [s for s in app.stack.scenes if isinstance(s, MapScene)]  # type: ignore[attr-defined]
        if maps and maps[0].art is not None:
            seen.append(maps[0].pan.x + 960 - maps[0].art.anchors["chaotianmen"][0])

    run_app(tmp_path, MemoryStore(), scene="card:chaotianmen", frames=3, art=art, on_frame=look)
    assert seen and abs(seen[-1]) < 1.0
    pygame.quit()


def test_map_waiting_for_the_painting_shows_the_rolled_scroll(tmp_path: Path) -> None:
    """A visitor who taps through before the painting is done sees a closed handscroll, not a blank screen."""
    run = run_app(tmp_path, MemoryStore(), scene="map", frames=10, grab=(9,), wait_for_art=False)
    rgb = pixels(run.frames[9])
    centre = rgb[420:620, 440:1480]  # the roll and its title slip
    assert len(np.unique(centre.reshape(-1, 3), axis=0)) > 100
    assert (np.abs(np.diff(centre.mean(axis=2), axis=1)) > 40).mean() > 0.002  # the city's name on the slip
    assert any(run.services.campaign.city.name.zh == s for s in rendered_strings(run.services.text))
    pygame.quit()
