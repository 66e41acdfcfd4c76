"""The input boundary: pygame events in, game ``Action``s out.

Mouse, touch (FINGER* with normalised coordinates), keyboard and game controllers all end up
as ``Action`` values in logical coordinates. This is the only module that reads pygame events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pygame

from game.actions import Action, Kind
from game.ui.layout import Layout

KEYMAP: dict[int, Kind] = {
    pygame.K_LEFT: Kind.LEFT,
    pygame.K_a: Kind.LEFT,
    pygame.K_RIGHT: Kind.RIGHT,
    pygame.K_d: Kind.RIGHT,
    pygame.K_UP: Kind.UP,
    pygame.K_w: Kind.UP,
    pygame.K_DOWN: Kind.DOWN,
    pygame.K_s: Kind.DOWN,
    pygame.K_RETURN: Kind.CONFIRM,
    pygame.K_KP_ENTER: Kind.CONFIRM,
    pygame.K_SPACE: Kind.CONFIRM,
    pygame.K_ESCAPE: Kind.BACK,
    pygame.K_BACKSPACE: Kind.BACK,
    pygame.K_TAB: Kind.MENU,
    pygame.K_l: Kind.TOGGLE_LANGUAGE,
    pygame.K_F3: Kind.TOGGLE_DEBUG,
    pygame.K_F12: Kind.SCREENSHOT,
}
HELD = {Kind.LEFT, Kind.RIGHT, Kind.UP, Kind.DOWN}
CONTROLLER_BUTTONS: dict[int, Kind] = {
    pygame.CONTROLLER_BUTTON_A: Kind.CONFIRM,
    pygame.CONTROLLER_BUTTON_B: Kind.BACK,
    pygame.CONTROLLER_BUTTON_START: Kind.MENU,
    pygame.CONTROLLER_BUTTON_DPAD_LEFT: Kind.LEFT,
    pygame.CONTROLLER_BUTTON_DPAD_RIGHT: Kind.RIGHT,
    pygame.CONTROLLER_BUTTON_DPAD_UP: Kind.UP,
    pygame.CONTROLLER_BUTTON_DPAD_DOWN: Kind.DOWN,
}
HAT_X = {-1: Kind.LEFT, 1: Kind.RIGHT}
HAT_Y = {1: Kind.UP, -1: Kind.DOWN}


@dataclass
class InputMapper:
    """Translates pygame events into Actions.

    ``mouse_is_logical`` is True when SDL already maps the mouse into the logical canvas (the
    SCALED display mode); touch coordinates are always window-normalised and are mapped here.
    """

    layout: Layout
    mouse_is_logical: bool = True
    kiosk: bool = False  # no keyboard shortcut quits a kiosk
    _text_mode: bool = False
    _fingers_down: set[int] = field(default_factory=set)

    def set_text_mode(self, enabled: bool) -> None:
        """When on, printable keys become TEXT actions instead of shortcuts (PIN entry)."""
        self._text_mode = enabled

    def _mouse(self, pos: tuple[int, int]) -> tuple[float, float] | None:
        if self.mouse_is_logical:
            return (float(pos[0]), float(pos[1]))
        return self.layout.to_logical(*pos)

    def translate(self, event: pygame.event.Event) -> list[Action]:
        et = event.type
        if et == pygame.QUIT:
            return [Action(Kind.QUIT)]
        if et in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP, pygame.MOUSEMOTION):
            if getattr(event, "touch", False):
                return []  # SDL's synthetic mouse for a finger: the FINGER event already counts
            if et != pygame.MOUSEMOTION and event.button not in (1, 3):
                return []  # wheel buttons 4/5 arrive as MOUSEWHEEL as well
            pos = self._mouse(event.pos)
            if pos is None:
                return []
            kind = {
                pygame.MOUSEBUTTONDOWN: Kind.POINTER_DOWN,
                pygame.MOUSEBUTTONUP: Kind.POINTER_UP,
                pygame.MOUSEMOTION: Kind.POINTER_MOVE,
            }[et]
            delta = tuple(event.rel) if et == pygame.MOUSEMOTION else (0, 0)
            scale = 1.0 if self.mouse_is_logical else 1.0 / self.layout.scale
            return [Action(kind, pos=pos, delta=(delta[0] * scale, delta[1] * scale))]
        if et in (pygame.FINGERDOWN, pygame.FINGERUP, pygame.FINGERMOTION):
            pos = self.layout.normalised_to_logical(event.x, event.y)
            finger = int(event.finger_id) + 1
            if pos is None:
                return []
            if et == pygame.FINGERDOWN:
                self._fingers_down.add(finger)
                return [Action(Kind.POINTER_DOWN, pos=pos, pointer=finger)]
            if et == pygame.FINGERUP:
                self._fingers_down.discard(finger)
                return [Action(Kind.POINTER_UP, pos=pos, pointer=finger)]
            w, h = self.layout.window
            d = (event.dx * w / self.layout.scale, event.dy * h / self.layout.scale)
            return [Action(Kind.POINTER_MOVE, pos=pos, delta=d, pointer=finger)]
        if et == pygame.MOUSEWHEEL:
            return [Action(Kind.SCROLL, delta=(float(event.precise_x), float(event.precise_y)))]
        if et in (pygame.KEYDOWN, pygame.KEYUP):
            return self._key(event)
        if et == pygame.TEXTINPUT and self._text_mode:
            return [Action(Kind.TEXT, text=event.text)]
        if et in (pygame.CONTROLLERBUTTONDOWN, pygame.CONTROLLERBUTTONUP):
            kind = CONTROLLER_BUTTONS.get(event.button)
            if kind is None:
                return []
            pressed = et == pygame.CONTROLLERBUTTONDOWN
            if kind not in HELD and not pressed:
                return []
            return [Action(kind, pressed=pressed)]
        if et == pygame.JOYHATMOTION:
            x, y = event.value
            out = [Action(k, pressed=False) for k in (Kind.LEFT, Kind.RIGHT, Kind.UP, Kind.DOWN)]
            if x in HAT_X:
                out.append(Action(HAT_X[x]))
            if y in HAT_Y:
                out.append(Action(HAT_Y[y]))
            return out
        if et in (pygame.WINDOWRESIZED, pygame.WINDOWSIZECHANGED):
            return [Action(Kind.WINDOW_RESIZED, delta=(float(event.x), float(event.y)))]
        return []

    def _key(self, event: pygame.event.Event) -> list[Action]:
        pressed = event.type == pygame.KEYDOWN
        if self._text_mode and event.key not in (pygame.K_ESCAPE, pygame.K_RETURN, pygame.K_BACKSPACE):
            return []  # characters come through TEXTINPUT
        if pressed and event.key == pygame.K_q and event.mod & pygame.KMOD_CTRL:
            return [] if self.kiosk else [Action(Kind.QUIT)]
        if event.key == pygame.K_F4 and event.mod & pygame.KMOD_ALT:
            return []  # Alt+F4 (the window manager's close arrives as QUIT, which a kiosk swallows)
        kind = KEYMAP.get(event.key)
        if kind is None:
            return []
        if kind not in HELD and not pressed:
            return []
        return [Action(kind, pressed=pressed)]
