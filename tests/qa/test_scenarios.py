"""Every scenario in qa/ runs headless (in each language it allows) and passes; its screenshots show real
content and no missing glyphs."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path

import pygame
import pytest

from game.qa.checks import content_problems, pixels
from tests.qa.conftest import BASE, NOW, ROOT, run_main

SCENARIOS = sorted((ROOT / "qa").glob("*.toml"))


def cases() -> list[tuple[Path, str]]:
    out = []
    for path in SCENARIOS:
        fixed = tomllib.loads(path.read_text(encoding="utf-8")).get("lang")
        out += [(path, lang) for lang in ((fixed,) if fixed else ("zh", "en"))]
    return out


def test_qa_covers_every_scene_in_both_languages() -> None:
    from game.config import SCENES

    seen: dict[str, set[str]] = {}
    for path, lang in cases():
        for line in path.read_text(encoding="utf-8").splitlines():
            if "scene =" in line:
                scene = line.split('scene = "', 1)[1].split('"', 1)[0]
                seen.setdefault(scene, set()).add(lang)
    for name in {s.split(":")[0] for s in SCENES}:
        assert seen.get(name) == {"zh", "en"}, f"no qa/ scenario checks the {name} scene in both languages"


@pytest.mark.parametrize(("scenario", "lang"), cases(), ids=lambda v: v.stem if isinstance(v, Path) else v)
def test_scenario_passes_with_good_screenshots(scenario: Path, lang: str, data_dir: Callable[[str], Path]) -> None:
    data = data_dir(f"{scenario.stem}-{lang}")
    code = run_main([*BASE, "--script", str(scenario), "--lang", lang, "--now", NOW, "--data-dir", str(data)])
    report = json.loads((data / "screenshots" / "report.json").read_text(encoding="utf-8"))
    assert code == 0, report["failure"]
    assert report["result"] == "passed"
    shots = report["shots"]
    assert shots, f"{scenario.name} takes no screenshot"
    for shot in shots:
        assert not shot["missing_glyphs"], f"{shot['name']}: glyphs no font has: {shot['missing_glyphs']}"
        image = pygame.image.load(str(data / "screenshots" / shot["file"]))
        assert image.get_size() == (1920, 1080)
        assert content_problems(pixels(image)) == [], shot["name"]
