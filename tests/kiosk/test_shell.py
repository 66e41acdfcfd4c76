"""The kiosk shell: idle countdown and its cancellation, quit keys swallowed, the admin gesture and PIN."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pygame
import pytest

from game.actions import Action, Kind
from game.input import InputMapper
from game.kiosk.idle import CornerTaps, IdleTimer
from game.kiosk.pin import LOCKOUT_SECONDS, PinGate, hash_pin
from game.scene import Push, Scene
from game.store import LocalStore
from game.ui.layout import Layout
from tests.kiosk.harness import KioskRun, run_kiosk, tap

START = (960, 700)
CORNER = (40, 40)
FPS = 60  # the headless loop's fixed step


def kiosk_file(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return ["--config", str(path)]


# ---- idle -------------------------------------------------------------------------------------------

def test_idle_timer_counts_down_and_any_input_cancels() -> None:
    t = IdleTimer(idle_s=60, countdown_s=10)
    assert not any(t.tick(1.0) for _ in range(59)) and not t.counting
    t.tick(1.0)
    assert t.counting and t.countdown == pytest.approx(10)
    t.tick(4.0)
    assert t.poke() is True and not t.counting and t.idle == 0  # input cancels the countdown
    assert t.poke() is False
    for _ in range(60):
        t.tick(1.0)
    assert t.counting
    assert [t.tick(1.0) for _ in range(10)][-1] is True  # ran out: the session ends once
    assert not t.counting


def test_countdown_shows_then_ends_the_visit(tmp_path: Path, store: LocalStore) -> None:
    args = kiosk_file(tmp_path, "[idle]\nseconds = 0.5\ncountdown = 0.5\nhandoff = 0.5\n")
    started: list[str] = []
    counting: list[int] = []

    def look(run: KioskRun) -> None:
        if run.app.frame == 5:
            started.append(run.services.session.player_id)
        if run.shell.idle.counting:
            counting.append(run.app.frame)

    run = run_kiosk(tmp_path, store, frames=120, script=tap(2, START), on_frame=look, extra_args=args)
    assert counting, "the countdown never showed"
    assert counting[0] >= 2 + 0.5 * FPS - 2  # not before the idle time
    assert run.tops[-1] == "attract" and run.services.session.player_id != started[0]


def test_a_touch_during_the_countdown_keeps_the_visitor_and_presses_nothing(tmp_path: Path,
                                                                            store: LocalStore) -> None:
    args = kiosk_file(tmp_path, "[idle]\nseconds = 0.5\ncountdown = 1.0\n")
    state: dict[str, object] = {}

    def look(run: KioskRun) -> None:
        if run.app.frame == 5:
            state["player"] = run.services.session.player_id
        if run.app.frame == 40:
            state["counting_at_40"] = run.shell.idle.counting
        if run.app.frame == 44:
            state["counting_after"] = run.shell.idle.counting

    # frame 40: the prompt is up; the tap lands on the map's Finish button, which must not be pressed
    run = run_kiosk(tmp_path, store, frames=60, script=[*tap(2, START), *tap(41, (1700, 66))], on_frame=look,
                    extra_args=args)
    assert state["counting_at_40"] is True and state["counting_after"] is False
    assert run.tops[-1] == "map" and "finish" not in run.tops
    assert run.services.session.player_id == state["player"]


def test_the_countdown_covers_any_scene_even_ones_the_shell_does_not_know(tmp_path: Path, store: LocalStore) -> None:
    class Unknown(Scene):
        name = "some-new-scene"

    args = kiosk_file(tmp_path, "[idle]\nseconds = 0.3\ncountdown = 0.3\n")

    def push(run: KioskRun) -> None:
        if run.app.frame == 5:
            run.app.stack.apply(Push(Unknown()))

    run = run_kiosk(tmp_path, store, frames=80, script=tap(2, START), on_frame=push, extra_args=args)
    assert "some-new-scene" in run.tops and run.tops[-1] == "attract"


def test_the_countdown_prompt_is_drawn_over_the_scene(tmp_path: Path, store: LocalStore) -> None:
    args = kiosk_file(tmp_path, "[idle]\nseconds = 0.2\ncountdown = 5\n")
    shots: list[pygame.Surface] = []

    def grab(run: KioskRun) -> None:
        if run.app.frame == 40 and run.app.screen is not None:
            shots.append(run.app.screen.copy())  # (the frame before: the prompt is drawn every frame)

    run_kiosk(tmp_path, store, frames=42, script=tap(2, START), on_frame=grab, extra_args=args)
    pygame.image.save(shots[0], str(tmp_path / "countdown.png"))
    panel, veiled = shots[0].get_at((700, 700)), shots[0].get_at((200, 900))
    assert sum(panel[:3]) > 3 * 200  # the light prompt panel over ...
    assert sum(veiled[:3]) < 3 * 120  # ... the dimmed scene


# ---- no way out for customers ------------------------------------------------------------------------

def _events() -> list[pygame.event.Event]:
    return [
        pygame.event.Event(pygame.QUIT),  # the window's close button, Alt+F4 through the window manager
        pygame.event.Event(pygame.KEYDOWN, key=pygame.K_q, mod=pygame.KMOD_LCTRL, unicode="q", scancode=0),
        pygame.event.Event(pygame.KEYDOWN, key=pygame.K_F4, mod=pygame.KMOD_LALT, unicode="", scancode=0),
        pygame.event.Event(pygame.KEYDOWN, key=pygame.K_F3, mod=0, unicode="", scancode=0),
        pygame.event.Event(pygame.KEYDOWN, key=pygame.K_F12, mod=0, unicode="", scancode=0),
        pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0, unicode="", scancode=0),
    ]


def test_quit_keys_are_swallowed_and_the_kiosk_keeps_running(tmp_path: Path, store: LocalStore) -> None:
    def hammer(run: KioskRun) -> None:
        if run.app.frame in (3, 10):
            for event in _events():
                pygame.event.post(event)

    run = run_kiosk(tmp_path, store, frames=20, on_frame=hammer)
    assert run.app.frame == 20 and not run.app.stack.quit_requested  # ran to the end: nothing quit it
    assert run.tops[-1] == "attract"
    assert run.services.debug is False  # F3's debug overlay would show the player id


def test_input_mapper_in_kiosk_mode_never_makes_a_quit_from_keys() -> None:
    pygame.init()
    mapper = InputMapper(Layout((1920, 1080)), kiosk=True)
    kinds = [a.kind for e in _events()[1:3] for a in mapper.translate(e)]
    assert Kind.QUIT not in kinds
    desktop = InputMapper(Layout((1920, 1080)))
    assert [a.kind for a in desktop.translate(_events()[1])] == [Kind.QUIT]  # Ctrl+Q still quits a desktop


# ---- admin gesture and PIN ----------------------------------------------------------------------------

def test_corner_taps_need_five_within_three_seconds() -> None:
    taps = CornerTaps()
    for _ in range(4):
        assert taps.tap(CORNER) is False
        taps.advance(0.5)
    assert taps.tap(CORNER) is True
    slow = CornerTaps()
    for _ in range(6):
        assert slow.tap(CORNER) is False
        slow.advance(0.9)
    broken = CornerTaps()
    for _ in range(3):
        broken.tap(CORNER)
    broken.tap((900, 500))  # a tap elsewhere starts the count over
    assert not any(broken.tap(CORNER) for _ in range(4))


def test_pin_gate_locks_for_a_minute_after_three_wrong_pins() -> None:
    now = [1000.0]
    gate = PinGate(hash_pin("4321"), clock=lambda: now[0])
    assert [gate.attempt("0000") for _ in range(3)] == [False] * 3
    assert gate.locked_for() == pytest.approx(LOCKOUT_SECONDS)
    assert gate.attempt("4321") is False  # locked: even the right PIN waits
    now[0] += LOCKOUT_SECONDS + 0.1
    assert gate.attempt("4321") is True
    assert [ok for _, ok in gate.attempts] == [False, False, False, True]


def _gesture_then_pin(pin: str) -> tuple[list[tuple[int, Action]], Callable[[KioskRun], None]]:
    """Five corner taps (scripted), then the PIN typed on the pad's keys, found on screen as a person would."""
    script = [a for i in range(5) for a in tap(3 + 2 * i, CORNER)]
    presses: list[tuple[int, tuple[float, float]]] = []

    def drive(run: KioskRun) -> None:
        f = run.app.frame
        if f == 16:
            pad = run.app.stack.top
            assert pad is not None and pad.name == "admin-pin"
            keys = {k.id: k.rect.center for k in pad.keys}  # type: ignore[attr-defined]
            presses.extend((18 + 2 * i, keys[d]) for i, d in enumerate([*pin, "ok"]))
        for when, pos in presses:
            if f == when:
                pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
            elif f == when + 1:
                pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1))

    return script, drive


def test_admin_gesture_and_the_right_pin_open_the_admin_menu(tmp_path: Path, store: LocalStore) -> None:
    args = kiosk_file(tmp_path, f'[admin]\npin_hash = "{hash_pin("2468")}"\n')
    script, drive = _gesture_then_pin("2468")
    run = run_kiosk(tmp_path, store, frames=40, script=script, on_frame=drive, extra_args=args)  # type: ignore[arg-type]
    assert "admin-pin" in run.tops and run.tops[-1] == "admin"
    assert "map" not in run.tops  # the corner taps did not start a visit


def test_a_wrong_pin_keeps_the_menu_shut(tmp_path: Path, store: LocalStore, caplog: pytest.LogCaptureFixture) -> None:
    args = kiosk_file(tmp_path, f'[admin]\npin_hash = "{hash_pin("2468")}"\n')
    script, drive = _gesture_then_pin("1111")
    with caplog.at_level("WARNING"):
        run = run_kiosk(tmp_path, store, frames=40, script=script, on_frame=drive, extra_args=args)  # type: ignore[arg-type]
    assert run.tops[-1] == "admin-pin" and "admin" not in run.tops
    assert any("admin PIN wrong" in r.getMessage() for r in caplog.records)  # each attempt is logged
    assert not any("1111" in r.getMessage() for r in caplog.records)


def test_admin_menu_ends_the_session_and_exits(tmp_path: Path, store: LocalStore) -> None:
    args = kiosk_file(tmp_path, "event = true\n")
    state: dict[str, object] = {}

    def drive(run: KioskRun) -> None:
        f = run.app.frame
        if f == 5:
            state["player"] = run.services.session.player_id
            run.app.stack.apply(Push(run.shell.admin_scene()))  # as after the gesture and the PIN
        elif f == 8:
            run.app.stack.top.press("lm-next")  # type: ignore[attr-defined]
            state["landmark"] = run.services.session.device_landmark
            run.app.stack.top.press("end")  # type: ignore[attr-defined]
        elif f == 12:
            state["after_end"] = (run.app.stack.top.name, run.services.session.player_id)  # type: ignore[union-attr]
            run.app.stack.apply(Push(run.shell.admin_scene()))
        elif f == 14:
            run.app.stack.top.press("exit")  # type: ignore[attr-defined]

    run = run_kiosk(tmp_path, store, frames=200, script=tap(2, START), on_frame=drive, extra_args=args)
    assert state["landmark"] == run.services.campaign.city.landmarks[0].id  # event mode: picked, no restart
    top, player = state["after_end"]  # type: ignore[misc]
    assert top == "attract" and player != state["player"]
    assert run.app.frame < 200  # the admin's exit is the one way out
