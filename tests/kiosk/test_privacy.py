"""Privacy regressions: a kiosk leaves nothing of one visitor for the next, by any path.

Each test drives the real App + KioskShell headlessly with scripted input and a real LocalStore.
"""

from __future__ import annotations

import gc
import types
from pathlib import Path

import pygame
import pytest

from game.actions import Kind
from game.rules.content import CheckinMode
from game.rules.progress import CheckIn, Progress
from game.scene import Push
from game.store import LocalStore
from tests.kiosk.harness import KioskRun, key, run_kiosk, tap

START = (960, 700)  # anywhere on the attract screen


def finish_button(run: KioskRun) -> tuple[float, float]:
    top = run.app.stack.top
    button = next(b for b in top.buttons if b.id == "finish")  # type: ignore[attr-defined]
    return button.rect.center


def check_in(run: KioskRun) -> None:
    """What the card's quiz does on a right answer: a check-in through the session (queued in the outbox)."""
    lm = next(lm for lm in run.services.campaign.city.landmarks if lm.quiz is not None and lm.unlock_after == 0)
    assert lm.quiz is not None
    outcome = run.services.session.attempt(CheckIn(lm.id, CheckinMode.LEARN, quiz_choice=lm.quiz.answer))
    assert outcome.applied


class Visitor:
    """Records the visitor's identity at the moment they played, and the frames the shell showed."""

    def __init__(self, play_at: int) -> None:
        self.play_at = play_at
        self.player: str | None = None
        self.progress: Progress | None = None

    def __call__(self, run: KioskRun) -> None:
        if run.app.frame == self.play_at:
            assert run.app.stack.top is not None and run.app.stack.top.name == "map"
            check_in(run)
            self.player, self.progress = run.services.session.player_id, run.services.session.progress


def test_back_to_attract_ends_the_guest_with_a_hand_off(tmp_path: Path, store: LocalStore) -> None:
    visitor = Visitor(play_at=10)
    script = [*tap(2, START), *key(20, Kind.BACK), *tap(40, START)]  # start, play, Esc, touch the hand-off
    run = run_kiosk(tmp_path, store, frames=60, script=script, on_frame=visitor)
    assert run.tops[5] == "map"
    assert "handoff" in run.tops[20:40]  # the visitor was offered their progress to take away
    assert run.tops[-1] == "attract"
    assert run.services.session.player_id != visitor.player
    assert run.services.session.progress == Progress()
    # the visitor's check-in stays queued for the server
    assert [e.local_id for e in store.entries(status="pending")] == [visitor.player]


@pytest.mark.parametrize("back", [Kind.BACK, "controller-B"])
def test_back_without_progress_goes_straight_to_a_new_guest(tmp_path: Path, store: LocalStore,
                                                            back: object) -> None:
    seen: list[str] = []

    def record(run: KioskRun) -> None:
        if run.app.frame == 8:
            seen.append(run.services.session.player_id)

    kind = Kind.BACK  # the controller's B maps to BACK at the input boundary (tests/engine/test_input.py)
    run = run_kiosk(tmp_path, store, frames=30, script=[*tap(2, START), *key(12, kind)], on_frame=record)
    assert "handoff" not in run.tops
    assert run.tops[-1] == "attract"
    assert run.services.session.player_id != seen[0]


def test_finish_asks_first_then_ends_the_visit(tmp_path: Path, store: LocalStore) -> None:
    visitor = Visitor(play_at=10)
    # The run's script is read once at start: the Finish taps are found on screen and posted as SDL events.
    def drive_sdl(run: KioskRun) -> None:
        visitor(run)
        f = run.app.frame
        if f == 14:
            pos = finish_button(run)
            pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
        elif f == 15:
            pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=finish_button(run), button=1))
        elif f == 24:
            assert run.app.stack.top is not None and run.app.stack.top.name == "finish"
            assert run.services.session.player_id == visitor.player  # one tap never ends a visit
            yes = next(b for b in run.app.stack.top.buttons if b.id == "yes")  # type: ignore[attr-defined]
            pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=yes.rect.center, button=1))
        elif f == 25:
            yes = next(b for b in run.app.stack.top.buttons if b.id == "yes")  # type: ignore[attr-defined]
            pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=yes.rect.center, button=1))

    run = run_kiosk(tmp_path, store, frames=50, script=[*tap(2, START), *tap(36, START)], on_frame=drive_sdl)
    assert run.tops[20] == "finish"
    assert run.tops[30] == "handoff"
    assert run.tops[-1] == "attract"
    assert run.services.session.player_id != visitor.player


def test_every_kiosk_start_begins_with_a_fresh_guest(tmp_path: Path, store: LocalStore) -> None:
    visitor = Visitor(play_at=10)
    run_kiosk(tmp_path, store, frames=20, script=tap(2, START), on_frame=visitor)  # stops mid-visit (a crash)
    assert store.current_player() is not None
    second = run_kiosk(tmp_path, store, frames=5)
    assert second.tops[0] == "attract"
    assert second.services.session.player_id != visitor.player
    assert second.services.session.progress == Progress()
    assert [e.local_id for e in store.entries(status="pending")] == [visitor.player]  # outbox intact


def _reachable(roots: list[object], skip: tuple[object, ...]) -> list[object]:
    """Every object reachable from ``roots`` through references, not entering modules, classes,
    functions' globals or the ``skip`` objects (the store keeps the outbox on purpose)."""
    seen: set[int] = {id(s) for s in skip}
    out: list[object] = []
    todo = list(roots)
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, types.ModuleType | type | types.FunctionType | types.BuiltinFunctionType):
            continue
        seen.add(id(obj))
        out.append(obj)
        todo.extend(gc.get_referents(obj))
    return out


def test_nothing_of_the_last_visitor_remains_after_the_wipe(tmp_path: Path, store: LocalStore) -> None:
    """Progress, language, cached drawings (album cards, rendered totals), notices, scenes: all gone."""
    visitor = Visitor(play_at=10)
    found: dict[str, object] = {}

    def drive(run: KioskRun) -> None:
        visitor(run)
        f, s = run.app.frame, run.services
        if f == 12:
            s.notices.post("a notice for this visitor", 60)
            run.app.stack.apply(Push(run.factory.make("album")))  # the album draws the owned cards
        elif f == 18:
            steps = s.session.summary().month_steps
            found["steps_text"] = s.t("kiosk.handoff_steps", n=steps)
            found["images_before"] = len(s.images)
        elif f == 55:  # well after the wipe: inspect every scene's and service's state
            assert run.app.stack.top is not None and run.app.stack.top.name == "attract"
            roots = [run.app.stack, run.services, run.shell]
            objs = _reachable(roots, skip=(store, run.services.campaign))
            found["player_refs"] = [o for o in objs if isinstance(o, str) and o == visitor.player]
            found["progress_refs"] = [o for o in objs if isinstance(o, Progress) and o != Progress()]
            found["image_keys"] = run.services.images.keys()
            found["texts"] = run.services.text.cached_texts()
            found["lang"] = run.services.lang
            found["notices"] = list(run.services.notices.items)

    script = [*tap(2, START), *key(14, Kind.TOGGLE_LANGUAGE), *key(20, Kind.BACK), *key(21, Kind.BACK),
              *tap(40, START)]
    run = run_kiosk(tmp_path, store, frames=60, script=script, on_frame=drive)
    assert "handoff" in run.tops and run.tops[-1] == "attract"
    assert found["player_refs"] == []
    assert found["progress_refs"] == []
    assert all(k[0] != "album-card" for k in found["image_keys"])  # type: ignore[index, union-attr]
    assert found["steps_text"] not in found["texts"]  # type: ignore[operator]
    assert found["lang"] == "zh"
    assert found["notices"] == []
