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
from tests.qa.conftest import ROOT, ScenarioRun

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
def test_scenario_passes_with_good_screenshots(scenario: Path, lang: str,
                                              scenario_run: Callable[[str, str], ScenarioRun]) -> None:
    run = scenario_run(scenario.stem, lang)
    data = run.data
    report = json.loads((data / "screenshots" / "report.json").read_text(encoding="utf-8"))
    assert run.code == 0, report["failure"]
    assert report["result"] == "passed"
    shots = report["shots"]
    assert shots, f"{scenario.name} takes no screenshot"
    for shot in shots:
        assert not shot["missing_glyphs"], f"{shot['name']}: glyphs no font has: {shot['missing_glyphs']}"
        image = pygame.image.load(str(data / "screenshots" / shot["file"]))
        assert image.get_size() == (1920, 1080)
        assert content_problems(pixels(image)) == [], shot["name"]


def test_the_gallery_index_links_every_shot_in_both_languages(scenario_run: Callable[[str, str], ScenarioRun],
                                                             tmp_path_factory: pytest.TempPathFactory) -> None:
    """``make qa``'s index page: a row per screenshot, zh and en side by side, every picture a file there."""
    from html.parser import HTMLParser

    from game.qa.gallery import Run, write_index

    runs = []
    for name, lang in (("visit-elsewhere", "zh"), ("visit-elsewhere", "en"), ("language", "zh")):
        done = scenario_run(name, lang)
        report = json.loads((done.data / "screenshots" / "report.json").read_text(encoding="utf-8"))
        runs.append(Run(ROOT / "qa" / f"{name}.toml", lang, done.data, done.code, 1.0, "", report))
    out = tmp_path_factory.getbasetemp()
    index = write_index(out, runs)

    class Images(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.rows: list[list[str]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "tr":
                self.rows.append([])
            elif tag == "img" and self.rows:
                self.rows[-1].append(str(dict(attrs)["src"]))

    page = Images()
    page.feed(index.read_text(encoding="utf-8"))
    pictures = [src for row in page.rows for src in row]
    expected = sum(len(r.shots) for r in runs)
    assert len(pictures) == expected > 0
    assert all((out / src).is_file() for src in pictures)
    shots_per_lang = {r.lang: len(r.shots) for r in runs if r.scenario.stem == "visit-elsewhere"}
    assert sum(len(row) == 2 for row in page.rows) == shots_per_lang["zh"] == shots_per_lang["en"]  # side by side
