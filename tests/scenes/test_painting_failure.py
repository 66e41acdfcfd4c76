"""A painting that fails the same way on every start must not take the map away, nor restart the kiosk.

Real App, real SDL (dummy driver), real painting job; only the painter at the job's edge is replaced by
one that always fails. The map must show a plain scroll with every landmark pinned and openable, and
say so in the log once, however many frames run.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pygame
import pytest

from game.app import App
from game.jobs import Job
from game.services import Services
from tests.fakes import MemoryStore
from tests.scenes.harness import run_app

SHOTS = os.environ.get("CT_SHOTS_DIR")  # set to keep the screenshots (they are looked at by people)


def broken_painter(*_args: object, **_kwargs: object) -> object:
    raise ValueError("the brush snapped")  # deterministic: the same on every start


def post_tap(pos: tuple[float, float]) -> None:
    """A mouse click as SDL delivers it: the App's input mapper turns it into the scene's actions."""
    for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
        pygame.event.post(pygame.event.Event(kind, pos=(round(pos[0]), round(pos[1])), button=1, touch=False))


def test_a_failing_painter_leaves_a_plain_map_whose_landmarks_open(tmp_path: Path, caplog) -> None:
    caplog.set_level(logging.INFO)
    seen: dict[int, str] = {}
    targets: dict[str, tuple[float, float]] = {}

    def watch(app: App, _services: Services) -> None:
        top = app.stack.top
        if top is None:
            return
        seen[app.frame] = top.name
        if app.frame == 30 and top.name == "map":
            targets.update({k: v for k, v in top.tap_targets().items() if k.startswith("landmark:")})
            if targets:
                post_tap(next(iter(targets.values())))

    run = run_app(tmp_path, MemoryStore(), scene="map", frames=80, lang="en", painter=broken_painter,
                  on_frame=watch, grab=(20,))
    shot = run.frames[20]
    pygame.quit()

    failures = [r for r in caplog.records if "painting the scroll failed" in r.getMessage()]
    assert len(failures) == 1, [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert not [r for r in caplog.records if "no scroll to show" in r.getMessage()]
    assert all(seen[f] == "map" for f in range(1, 31)), seen  # the map, not a crash or the attract screen
    assert targets, "no landmark pin to tap on the plain scroll"
    assert seen[40] == "card", "tapping a pin on the plain scroll did not open its card"
    # the plain scroll is drawn: below the top bar the view is paper-toned and not one flat colour
    view = pygame.surfarray.array3d(shot)[:, 200:, :].astype(np.int32)
    assert view.reshape(-1, 3).std(axis=0).max() > 10
    if SHOTS:
        pygame.image.save(shot, str(Path(SHOTS) / "map_plain_scroll.png"))


def test_a_job_that_fails_outright_keeps_the_map_usable_and_logs_once(tmp_path: Path, caplog) -> None:
    """Even the plain scroll cannot be had: the map says so on its waiting screen, Back still leaves it,
    and the frame loop runs on without raising."""
    caplog.set_level(logging.INFO)

    def fail() -> object:
        raise MemoryError("no room for the scroll")

    seen: dict[int, tuple[str, bool]] = {}
    back_at = 40

    def watch(app: App, _services: Services) -> None:
        top = app.stack.top
        if top is not None:
            seen[app.frame] = (top.name, bool(getattr(top, "art_failed", False)))
        if app.frame == back_at:
            pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0, unicode="\x1b",
                                                 scancode=41))

    job = Job("paint-scroll", fail, start=False)
    run = run_app(tmp_path, MemoryStore(), scene="map", frames=60, lang="en", art_job=job, on_frame=watch)
    drawn = [key[0] for key in run.services.text._cache]
    pygame.quit()

    assert seen[back_at - 1] == ("map", True), seen
    assert seen[back_at + 5][0] == "attract", seen
    assert any("cannot be shown" in s for s in drawn), "the waiting screen does not say the scroll is unavailable"
    said = [r for r in caplog.records if "no scroll to show" in r.getMessage()]
    assert len(said) == 1


@pytest.fixture(autouse=True)
def _quit_pygame():
    yield
    pygame.quit()
