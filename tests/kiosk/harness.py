"""Run the real App in kiosk mode, headless: the real KioskShell (game.kiosk.wiring), a real LocalStore,
scripted Actions through the shell's filter, and a hook each frame to look at (or act on) the state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pygame

from game.actions import Action, Kind
from game.app import App, RunOptions
from game.bootstrap import build_services
from game.config import parse_args
from game.jobs import Job
from game.kiosk.shell import KioskShell
from game.kiosk.wiring import build_shell
from game.services import Services
from net.wiring import OfflineSync
from scenes.factory import SceneFactory


@dataclass
class KioskRun:
    app: App
    services: Services
    shell: KioskShell
    factory: SceneFactory
    tops: list[str] = field(default_factory=list)  # the top scene's name on every frame


def run_kiosk(
    tmp_path: Path,
    store: Any,
    *,
    frames: int,
    script: list[tuple[int, Action]] | None = None,
    on_frame: Callable[[KioskRun], None] | None = None,
    art: object | None = None,
    extra_args: list[str] | None = None,
    sync: Any = None,
    camera: Callable[[], Any] | None = None,
    paint: bool = False,
) -> KioskRun:
    config = parse_args(["--headless", "--kiosk", "--server", "offline", "--camera", "none", "--data-dir",
                         str(tmp_path), "--seed", "3", *(extra_args or [])])
    pygame.init()
    sync = sync or OfflineSync(store)
    holder: dict[str, Any] = {}

    def build_root() -> list:
        built = build_services(config, store)
        if art is not None:
            built.art_job = Job("painted", lambda: art)
        elif paint:
            built.art_job.start()  # the real painting, in the background (the map shows it when ready)
        factory = SceneFactory(built.services, built.art_job, built.icon, wait_for_art=art is not None, unroll=False)
        shell = build_shell(config, built.services, factory.make, store, sync, camera)
        shell.attach(app.stack)
        holder["run"] = KioskRun(app, built.services, shell, factory)
        return shell.start()

    def hook(dt: float) -> None:
        run: KioskRun = holder["run"]
        run.shell.tick(dt)
        top = app.stack.top
        run.tops.append(top.name if top is not None else "")
        if on_frame is not None:
            on_frame(run)

    def overlay(surface: pygame.Surface, _stats: dict[str, float]) -> None:
        holder["run"].shell.draw(surface)

    app = App(RunOptions(window=(1920, 1080), headless=True, frames=frames, script=list(script or []), kiosk=True),
              build_root, on_frame=hook, overlay=overlay,
              input_filter=lambda actions: holder["run"].shell.filter(actions))
    try:
        app.run()
    finally:
        watcher = holder["run"].shell.watcher if "run" in holder else None
        if watcher is not None:
            watcher.close()
    return holder["run"]


def tap(frame: int, pos: tuple[float, float], pointer: int = 0) -> list[tuple[int, Action]]:
    return [(frame, Action(Kind.POINTER_DOWN, pos=pos, pointer=pointer)),
            (frame + 1, Action(Kind.POINTER_UP, pos=pos, pointer=pointer))]


def key(frame: int, kind: Kind) -> list[tuple[int, Action]]:
    return [(frame, Action(kind))]
