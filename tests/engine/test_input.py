"""Input boundary: every device becomes an Action in logical coordinates."""

from __future__ import annotations

import pygame
import pytest

from game.actions import Kind
from game.input import InputMapper
from game.ui.layout import Layout


@pytest.fixture
def mapper() -> InputMapper:
    return InputMapper(Layout((1280, 720)), mouse_is_logical=False)


def ev(kind: int, **attrs: object) -> pygame.event.Event:
    return pygame.event.Event(kind, attrs)


def test_mouse_click_maps_window_to_logical(mapper: InputMapper) -> None:
    [a] = mapper.translate(ev(pygame.MOUSEBUTTONDOWN, pos=(640, 360), button=1, touch=False))
    assert a.kind is Kind.POINTER_DOWN and a.pos == pytest.approx((960, 540))
    [a] = mapper.translate(ev(pygame.MOUSEBUTTONUP, pos=(0, 0), button=1, touch=False))
    assert a.kind is Kind.POINTER_UP and a.pos == (0, 0)


def test_mouse_motion_delta_is_scaled(mapper: InputMapper) -> None:
    [a] = mapper.translate(ev(pygame.MOUSEMOTION, pos=(100, 100), rel=(10, -4), buttons=(1, 0, 0), touch=False))
    assert a.kind is Kind.POINTER_MOVE and a.delta == pytest.approx((15, -6))


def test_synthetic_mouse_from_touch_is_dropped(mapper: InputMapper) -> None:
    assert mapper.translate(ev(pygame.MOUSEBUTTONDOWN, pos=(10, 10), button=1, touch=True)) == []


def test_finger_events_use_normalised_coordinates() -> None:
    m = InputMapper(Layout((1280, 1024)))  # letterboxed kiosk panel
    [a] = m.translate(ev(pygame.FINGERDOWN, x=0.5, y=0.5, dx=0, dy=0, finger_id=3, touch_id=1, pressure=1.0))
    assert a.kind is Kind.POINTER_DOWN and a.pointer == 4 and a.pos == pytest.approx((960, 540))
    [a] = m.translate(ev(pygame.FINGERMOTION, x=0.6, y=0.5, dx=0.1, dy=0.0, finger_id=3, touch_id=1, pressure=1.0))
    assert a.kind is Kind.POINTER_MOVE and a.delta[0] == pytest.approx(0.1 * 1280 / (1280 / 1920))
    assert m.translate(ev(pygame.FINGERUP, x=0.5, y=0.02, dx=0, dy=0, finger_id=3, touch_id=1, pressure=0)) == []


def test_keyboard_held_directions_and_shortcuts(mapper: InputMapper) -> None:
    [a] = mapper.translate(ev(pygame.KEYDOWN, key=pygame.K_LEFT, mod=0, unicode="", scancode=0))
    assert a.kind is Kind.LEFT and a.pressed
    [a] = mapper.translate(ev(pygame.KEYUP, key=pygame.K_LEFT, mod=0, unicode="", scancode=0))
    assert a.kind is Kind.LEFT and not a.pressed
    assert mapper.translate(ev(pygame.KEYUP, key=pygame.K_RETURN, mod=0, unicode="", scancode=0)) == []
    [a] = mapper.translate(ev(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0, unicode="", scancode=0))
    assert a.kind is Kind.BACK
    [a] = mapper.translate(ev(pygame.KEYDOWN, key=pygame.K_q, mod=pygame.KMOD_LCTRL, unicode="q", scancode=0))
    assert a.kind is Kind.QUIT
    assert mapper.translate(ev(pygame.KEYDOWN, key=pygame.K_z, mod=0, unicode="z", scancode=0)) == []


def test_text_mode_swallows_shortcuts_and_passes_text(mapper: InputMapper) -> None:
    mapper.set_text_mode(True)
    assert mapper.translate(ev(pygame.KEYDOWN, key=pygame.K_l, mod=0, unicode="l", scancode=0)) == []
    [a] = mapper.translate(ev(pygame.TEXTINPUT, text="7"))
    assert a.kind is Kind.TEXT and a.text == "7"


def test_wheel_and_controller_and_hat(mapper: InputMapper) -> None:
    [a] = mapper.translate(ev(pygame.MOUSEWHEEL, x=0, y=-1, precise_x=0.0, precise_y=-1.0, flipped=False, touch=False))
    assert a.kind is Kind.SCROLL and a.delta == (0.0, -1.0)
    [a] = mapper.translate(ev(pygame.CONTROLLERBUTTONDOWN, button=pygame.CONTROLLER_BUTTON_A, instance_id=0))
    assert a.kind is Kind.CONFIRM
    acts = mapper.translate(ev(pygame.JOYHATMOTION, value=(1, 0), hat=0, instance_id=0, joy=0))
    assert acts[-1].kind is Kind.RIGHT and acts[-1].pressed
    assert all(not a.pressed for a in acts[:-1])


def test_quit_and_unknown_events(mapper: InputMapper) -> None:
    assert [a.kind for a in mapper.translate(ev(pygame.QUIT))] == [Kind.QUIT]
    assert mapper.translate(ev(pygame.USEREVENT)) == []
