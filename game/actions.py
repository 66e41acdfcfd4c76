"""The game's own input vocabulary. Nothing past the input boundary sees a pygame event."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    POINTER_DOWN = "pointer_down"  # mouse button or finger touches, logical position
    POINTER_MOVE = "pointer_move"  # drag or hover
    POINTER_UP = "pointer_up"
    SCROLL = "scroll"  # wheel or two-finger pan; dx, dy in "notches"
    LEFT = "left"
    RIGHT = "right"
    UP = "up"
    DOWN = "down"
    CONFIRM = "confirm"
    BACK = "back"
    MENU = "menu"
    TOGGLE_LANGUAGE = "toggle_language"
    TOGGLE_DEBUG = "toggle_debug"
    SCREENSHOT = "screenshot"
    TEXT = "text"  # typed characters, e.g. the admin PIN
    QUIT = "quit"
    WINDOW_RESIZED = "window_resized"
    IDLE_TICK = "idle_tick"


@dataclass(frozen=True)
class Action:
    kind: Kind
    pos: tuple[float, float] | None = None
    delta: tuple[float, float] = (0.0, 0.0)
    pointer: int = 0  # 0 = mouse, 1+ = finger id + 1
    pressed: bool = True  # for held directions: key down (True) or up (False)
    text: str = ""

    @property
    def is_pointer(self) -> bool:
        return self.kind in (Kind.POINTER_DOWN, Kind.POINTER_MOVE, Kind.POINTER_UP)
