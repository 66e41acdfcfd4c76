"""Kiosk tests: a real LocalStore per test, and SDL shut down after it."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest

from game.store import LocalStore


@pytest.fixture
def store(tmp_path: Path):
    s = LocalStore.open(tmp_path / "progress.db")
    yield s
    s.close()
    pygame.quit()
