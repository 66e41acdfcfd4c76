"""Text size and UI scale: the settings, their flags, and what text they give on screen."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pygame
import pytest

from game.ui.display import DisplaySettings, TextScale, split_display_args, text_scale
from game.ui.text import TextRenderer

ROOT = Path(__file__).resolve().parents[2]


def test_large_text_is_never_under_28px_at_1080p_and_the_ui_scale_multiplies() -> None:
    large = text_scale("large")
    assert all(large.px(size) >= 28 for size in range(8, 40))
    assert large.px(40) == 50
    projector = text_scale("large", 1.5)
    assert all(projector.px(size) >= 42 for size in range(8, 40))
    assert text_scale("normal").px(22) == 22
    assert text_scale("normal", 1.25).px(22) == 28


def test_bad_settings_are_named() -> None:
    with pytest.raises(ValueError, match="text_size"):
        DisplaySettings("huge")
    with pytest.raises(ValueError, match="ui_scale"):
        DisplaySettings("normal", 5.0)


def test_the_flags_are_taken_out_of_the_command_line() -> None:
    settings, rest = split_display_args(["--lang", "en", "--text-size", "large", "--ui-scale", "1.25", "--headless"])
    assert settings == DisplaySettings("large", 1.25)
    assert rest == ["--lang", "en", "--headless"]
    assert split_display_args(["--lang", "en"]) == (None, ["--lang", "en"])


@pytest.mark.parametrize("flag", [["--text-size", "huge"], ["--ui-scale", "9"], ["--ui-scale", "big"]])
def test_a_bad_flag_value_exits_2_with_one_line_naming_it(flag: list[str]) -> None:
    proc = subprocess.run([sys.executable, "main.py", *flag], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and flag[0] in proc.stderr


def test_the_renderer_draws_at_the_scaled_size_and_wraps_by_it() -> None:
    pygame.font.init()
    text = TextRenderer()
    normal_h = text.render("Story 故事", 22, (0, 0, 0)).get_height()
    normal_lines = len(text.wrap("Hongyadong climbs the cliff above the Jialing River", 22, 300))
    text.set_scale(TextScale(1.25, 28))
    assert text.render("Story 故事", 22, (0, 0, 0)).get_height() > normal_h * 1.2
    assert len(text.wrap("Hongyadong climbs the cliff above the Jialing River", 22, 300)) > normal_lines
    assert text.smallest_px == 22
    text.smallest_px = None
    text.render("x", 16, (0, 0, 0))
    assert text.smallest_px == 28


@pytest.mark.parametrize("scene", ["attract", "map", "card:hongyadong", "rewards", "album"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_large_text_puts_nothing_under_28px_on_any_screen(tmp_path: Path, scene: str, lang: str) -> None:
    from game.app import App
    from game.services import Services
    from tests.fakes import MemoryStore
    from tests.scenes.harness import run_app

    def large(app: App, services: Services) -> None:
        if app.frame == 0:
            services.text.set_scale(text_scale("large"))
            services.text.smallest_px = None

    run = run_app(tmp_path, MemoryStore(), scene=scene, frames=4, lang=lang, on_frame=large, wait_for_art=False)
    assert run.services.text.smallest_px is not None and run.services.text.smallest_px >= 28
    pygame.quit()
