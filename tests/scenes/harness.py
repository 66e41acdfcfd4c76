"""Drive the real App headlessly: build services over a given store, run a script of Actions, look at frames."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pygame

from game.actions import Action
from game.app import App, RunOptions
from game.bootstrap import build_services, paint_job
from game.config import parse_args
from game.jobs import Job
from game.services import Services
from scenes.factory import SceneFactory


@dataclass
class Run:
    app: App
    services: Services
    frames: dict[int, pygame.Surface] = field(default_factory=dict)  # copies of chosen frames


def run_app(
    tmp_path: Path,
    store: object,
    *,
    scene: str = "attract",
    script: list[tuple[int, Action]] | None = None,
    frames: int = 30,
    lang: str = "zh",
    campaign: str = "jade-rabbit-chongqing",
    extra_args: list[str] | None = None,
    grab: tuple[int, ...] = (),
    on_frame: Callable[[App, Services], None] | None = None,
    art: object | None = None,
    painter: Callable[..., object] | None = None,
    art_job: Job | None = None,
    wait_for_art: bool = True,
) -> Run:
    """Run ``frames`` frames of the real loop (fixed dt, headless) with ``script`` fed in as input.

    ``art`` is an already painted ``ScrollArt`` to use instead of painting one (seconds per run).
    With ``wait_for_art=False`` and no ``art`` the painting never starts: the map shows its waiting screen.
    ``painter`` paints instead of ``paint_scroll`` (no cache); ``art_job`` replaces the painting job outright.
    """
    config = parse_args(["--headless", "--server", "offline", "--data-dir", str(tmp_path), "--seed", "3",
                         "--lang", lang, "--campaign", campaign, *(extra_args or [])])
    pygame.init()
    holder: dict[str, object] = {}

    def build_root() -> list:
        built = build_services(config, store)  # type: ignore[arg-type]
        if art is not None:
            built.art_job = Job("painted", lambda: art, start=False)
        if painter is not None:
            built.art_job = paint_job(built.services.campaign, built.services.palette, 3, painter=painter)
        if art_job is not None:
            built.art_job = art_job
        holder["services"] = built.services
        factory = SceneFactory(built.services, built.art_job, built.icon, wait_for_art=wait_for_art, unroll=False)
        holder["factory"] = factory
        return factory.initial(scene)

    grabbed: dict[int, pygame.Surface] = {}

    def hook(_dt: float) -> None:
        if on_frame is not None:
            on_frame(app, holder["services"])  # type: ignore[arg-type]

    def overlay(surface: pygame.Surface, _stats: dict[str, float]) -> None:
        if app.frame in grab:
            grabbed[app.frame] = surface.copy()

    app = App(RunOptions(window=(1920, 1080), headless=True, frames=frames, script=list(script or [])), build_root,
              on_frame=hook, overlay=overlay)
    app.run()
    return Run(app, holder["services"], grabbed)  # type: ignore[arg-type]


def tap(frame: int, pos: tuple[float, float]) -> list[tuple[int, Action]]:
    """A finger/mouse tap as the input boundary produces it: down, then up one frame later."""
    from game.actions import Kind

    return [(frame, Action(Kind.POINTER_DOWN, pos=pos)), (frame + 1, Action(Kind.POINTER_UP, pos=pos))]
