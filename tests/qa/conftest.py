"""QA tests run main.py's real composition in-process (SDL dummy driver) or as a subprocess.

The painted scroll is shared through the scroll cache: painted once per session, copied into each
run's data dir, as ``make qa`` does. Each ``qa/`` scenario runs once per language per session, recorded
(``scenario_run``): the scenario tests check its result and screenshots, the replay tests replay it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.engine.test_real_window import xvfb  # noqa: F401  (the Xvfb fixture, for a real X window)

ROOT = Path(__file__).resolve().parents[2]
NOW = "2027-02-10T10:00:00+08:00"
BASE = ["--headless", "--server", "offline", "--seed", "3"]


def run_main(args: list[str]) -> int:
    import main

    return main.run(args)


Capture = pytest.CaptureFixture[str]


def run_in_process(args: list[str], capsys: Capture) -> tuple[int, str]:
    """main.run in this process (no interpreter start-up): its exit code and what it wrote to stderr."""
    capsys.readouterr()
    code = run_main(args)
    return code, capsys.readouterr().err


def run_cli(args: list[str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="session")
def scroll_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir's ``cache`` folder holding the painted scroll for seed 3 (the job the client runs, waited
    for without the map's time limit: a loaded machine may take longer than the map waits)."""
    from game.bootstrap import paint_job
    from game.config import parse_args
    from game.content import load_campaign
    from game.services import Palette

    campaign = load_campaign(parse_args([]).campaign)
    cache = tmp_path_factory.mktemp("paint") / "cache"
    job = paint_job(campaign, Palette.from_campaign(campaign), 3, cache_dir=cache)
    job.start()
    job.result(timeout=None)
    assert any(cache.iterdir()), "the painting wrote nothing into its cache"
    return cache


def copy_cache(cache: Path, path: Path) -> Path:
    shutil.copytree(cache, path / "cache")
    return path


@pytest.fixture
def data_dir(tmp_path: Path, scroll_cache: Path) -> Callable[[str], Path]:
    """A fresh data dir (name -> path) with the painted scroll already in its cache."""
    return lambda name: copy_cache(scroll_cache, tmp_path / name)


@dataclass(frozen=True)
class ScenarioRun:
    code: int
    data: Path  # its data dir (screenshots/, report.json, progress.db)
    record: Path  # its --record file
    last_frame: Path  # its --screenshot (the last frame drawn)


@pytest.fixture(scope="session")
def scenario_run(tmp_path_factory: pytest.TempPathFactory, scroll_cache: Path) -> Callable[[str, str], ScenarioRun]:
    """``qa/<name>.toml`` run headless in ``lang``, recorded: once per session, whichever test asks first."""
    runs: dict[tuple[str, str], ScenarioRun] = {}

    def run(name: str, lang: str) -> ScenarioRun:
        if (name, lang) not in runs:
            folder = tmp_path_factory.mktemp(f"{name}-{lang}")
            data = copy_cache(scroll_cache, folder / "data")
            record, last = folder / "run.json", folder / "last.png"
            code = run_main([*BASE, "--script", str(ROOT / "qa" / f"{name}.toml"), "--lang", lang, "--now", NOW,
                             "--data-dir", str(data), "--record", str(record), "--screenshot", str(last)])
            runs[name, lang] = ScenarioRun(code, data, record, last)
        return runs[name, lang]
    return run
