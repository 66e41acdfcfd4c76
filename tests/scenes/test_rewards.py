"""The rewards page with large text: the task list scrolls (wheel, drag) so every task can be read;
with normal text it fits its panel."""

from __future__ import annotations

from pathlib import Path

import pygame

from game.actions import Action, Kind
from game.app import App
from game.services import Services
from game.ui.display import text_scale
from scenes.rewards import RewardsScene
from tests.fakes import MemoryStore
from tests.scenes.harness import run_app


def run_rewards(tmp_path: Path, size: str, script: list[tuple[int, Action]]) -> dict[str, float]:
    seen: dict[str, float] = {}

    def hook(app: App, services: Services) -> None:
        if app.frame == 0:
            services.text.set_scale(text_scale(size))
        top = app.stack.top
        if isinstance(top, RewardsScene) and top._page is not None:
            seen["scroll"] = top.scroll
            seen["max_scroll"] = max(seen.get("max_scroll", 0.0), top.scroll)
            seen["list_h"] = top._page[2].get_height()
            seen["view_h"] = round(top.tasks.view.h)

    run_app(tmp_path, MemoryStore(), scene="rewards", frames=30, lang="en", on_frame=hook, wait_for_art=False,
            script=script)
    pygame.quit()
    return seen


def test_large_text_scrolls_the_task_list_to_its_end_and_back(tmp_path: Path) -> None:
    wheel = [(f, Action(Kind.SCROLL, delta=(0.0, -3.0))) for f in range(3, 12)]
    drag = [(14, Action(Kind.POINTER_DOWN, pos=(1400, 800))),
            *[(f, Action(Kind.POINTER_MOVE, pos=(1400, 600 + 40 * (f - 14)), delta=(0.0, 160.0))) for f in range(15, 25)],
            (25, Action(Kind.POINTER_UP, pos=(1400, 1000)))]
    seen = run_rewards(tmp_path, "large", wheel + drag)
    view_h = seen["view_h"]
    assert seen["list_h"] > view_h, "large text makes the list longer than its panel"
    assert seen["max_scroll"] == seen["list_h"] - view_h, "the wheel reaches the last task"
    assert seen["scroll"] == 0.0, "dragging down brings the first task back"


def test_normal_text_fits_without_scrolling(tmp_path: Path) -> None:
    seen = run_rewards(tmp_path, "normal", [(f, Action(Kind.SCROLL, delta=(0.0, -3.0))) for f in range(3, 8)])
    assert seen["list_h"] <= seen["view_h"] and seen["max_scroll"] == 0.0
