"""The first painting: the waiting screen says what is happening, in the visitor's language, and Esc
(Back) leaves it."""

from __future__ import annotations

import threading
from pathlib import Path

import pygame
import pytest

import scenes.map
from game.actions import Action, Kind
from game.app import App
from game.bootstrap import paint_job
from game.jobs import Job
from game.scene import Replace
from game.services import Services
from scenes.factory import SceneFactory
from tests.fakes import MemoryStore
from tests.scenes.harness import run_app


@pytest.mark.parametrize(("lang", "words"), [("en", "Unrolling the scroll"), ("zh", "正在展开画卷")])
def test_the_waiting_screen_says_the_scroll_is_unrolling(tmp_path: Path, lang: str, words: str) -> None:
    run = run_app(tmp_path, MemoryStore(), scene="map", frames=6, lang=lang, wait_for_art=False)
    drawn = [key[0] for key in run.services.text._cache]
    assert any(words in s for s in drawn), drawn
    pygame.quit()


def test_esc_leaves_the_waiting_screen(tmp_path: Path) -> None:
    """As on a real start: the painting is not ready and the map will unroll once it is."""
    tops: dict[int, str] = {}

    def watch(app: App, services: Services) -> None:
        if app.frame == 1:
            never = Job("painting", lambda: None, start=False)
            app.stack.apply(Replace(SceneFactory(services, never, unroll=True).make("map"), clear=True))
        if app.stack.top is not None:
            tops[app.frame] = app.stack.top.name

    script = [(5, Action(Kind.BACK))]
    run_app(tmp_path, MemoryStore(), scene="attract", frames=12, on_frame=watch, wait_for_art=False, script=script)
    assert tops[4] == "map" and tops[10] == "attract"
    pygame.quit()


def test_a_painting_slower_than_the_wait_keeps_the_waiting_screen_then_unrolls(tmp_path: Path, monkeypatch) -> None:
    """A map told to wait for the painting (headless, scripted) on a machine too loaded to paint in
    time: no crash; the waiting screen stays, and the painting is taken as soon as it is ready."""
    monkeypatch.setattr(scenes.map, "ART_WAIT_S", 0.05)
    gate = threading.Event()
    seen: dict[int, tuple[str, bool]] = {}
    jobs: list[Job] = []

    def paint(services: Services) -> object:
        gate.wait(30)
        return paint_job(services.campaign, services.palette, 0, tmp_path).result()

    def watch(app: App, services: Services) -> None:
        if app.frame == 1:
            jobs.append(Job("painting", lambda: paint(services)))
            app.stack.apply(Replace(SceneFactory(services, jobs[0], wait_for_art=True, unroll=False).make("map"),
                                    clear=True))
        if app.frame == 6:
            gate.set()
            assert jobs[0].wait(120)
        top = app.stack.top
        if top is not None:
            seen[app.frame] = (top.name, getattr(top, "art", None) is not None)

    run_app(tmp_path, MemoryStore(), scene="attract", frames=12, on_frame=watch, wait_for_art=False)
    assert seen[3] == ("map", False)  # still painting: the waiting screen, and the frame loop runs on
    assert seen[10] == ("map", True)  # ready: the scroll is shown
    pygame.quit()
