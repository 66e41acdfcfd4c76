"""QA tests run main.py's real composition in-process (SDL dummy driver) or as a subprocess.

The painted scroll is shared through the scroll cache: painted once per session, copied into each
run's data dir, as ``make qa`` does.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOW = "2027-02-10T10:00:00+08:00"
BASE = ["--headless", "--server", "offline", "--seed", "3"]


def run_main(args: list[str]) -> int:
    import main

    return main.run(args)


def run_cli(args: list[str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="session")
def scroll_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir's ``cache`` folder holding the painted scroll for seed 3."""
    data = tmp_path_factory.mktemp("paint")
    assert run_main([*BASE, "--frames", "2", "--scene", "map", "--data-dir", str(data)]) == 0
    cache = data / "cache"
    assert any(cache.iterdir()), "the run painted no scroll into its cache"
    return cache


@pytest.fixture
def data_dir(tmp_path: Path, scroll_cache: Path) -> Callable[[str], Path]:
    """A fresh data dir (name -> path) with the painted scroll already in its cache."""
    def make(name: str) -> Path:
        path = tmp_path / name
        shutil.copytree(scroll_cache, path / "cache")
        return path
    return make
