"""Shared set-up of the scene tests: a scene run at a text size and UI scale (the *_ui_scale tests)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pytest

from game.app import App
from game.scene import Scene
from game.services import Services
from game.ui.display import text_scale
from tests.fakes import MemoryStore
from tests.scenes.harness import run_app

S = TypeVar("S", bound=Scene)


class SceneAtScale(Protocol):
    def __call__(self, scene: str, kind: type[S], lang: str, size: str, scale: float, *, frames: int = 3,
                 store: object | None = None, each_frame: Callable[[App, Services], None] | None = None,
                 **run_args: Any) -> tuple[S, Services]: ...


@pytest.fixture
def scene_at_scale(tmp_path: Path) -> SceneAtScale:
    """``scene_at_scale("album", AlbumScene, "en", "large", 1.5)`` runs the real App headless on the
    ``scene`` start scene with the text at that size and --ui-scale from the first frame, and returns the
    last ``kind`` scene that was on top, with the services. ``each_frame(app, services)`` runs after the
    scale is set, every frame; other keywords go to ``run_app``. Each call has a data folder of its own."""
    runs = itertools.count()

    def run(scene: str, kind: type[S], lang: str, size: str, scale: float, *, frames: int = 3,
            store: object | None = None, each_frame: Callable[[App, Services], None] | None = None,
            **run_args: Any) -> tuple[S, Services]:
        seen: dict[str, S] = {}

        def hook(app: App, services: Services) -> None:
            if app.frame == 0:
                services.text.set_scale(text_scale(size, scale))
            if each_frame is not None:
                each_frame(app, services)
            top = app.stack.top
            if isinstance(top, kind):
                seen["scene"] = top

        done = run_app(tmp_path / f"run-{next(runs)}", store if store is not None else MemoryStore(), scene=scene,
                       lang=lang, frames=frames, wait_for_art=False, on_frame=hook, **run_args)
        assert "scene" in seen, f"no {kind.__name__} was on top in {frames} frames of {scene!r}"
        return seen["scene"], done.services

    return run
