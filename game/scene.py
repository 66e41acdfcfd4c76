"""Scenes and the scene stack.

Lifecycle contract (every Scene subclass keeps it):

- ``enter()`` once when the scene is pushed (or replaces another); ``exit()`` once when removed.
- ``pause()`` when another scene is pushed on top; ``resume()`` when that scene is popped.
  Pause and resume always come in pairs, and never arrive for a scene that is not entered.
- ``handle(action)`` returns True when it consumed the action; the stack offers each action to
  the top scene first and, if it is ``transparent`` and did not consume it and is not ``modal``,
  to the one below.
- ``update(dt)`` advances state; only scenes down to the first opaque one are updated.
- ``draw(surface)`` must not change game state: it renders what ``update`` produced.
- Scenes never change the stack themselves: they ``request`` a transition, and the stack
  applies requests between frames, in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from game.actions import Action

if TYPE_CHECKING:
    import pygame


@dataclass(frozen=True)
class Push:
    scene: Scene


@dataclass(frozen=True)
class Pop:
    pass


@dataclass(frozen=True)
class Replace:
    """Replace the top scene (or the whole stack with ``clear=True``)."""

    scene: Scene
    clear: bool = False


@dataclass(frozen=True)
class Quit:
    pass


Transition = Push | Pop | Replace | Quit


class Scene:
    """Base class for one screen. Subclasses override the hooks they need."""

    name: str = "scene"
    transparent: bool = False  # draw and update the scene below too (dialogs, overlays)
    modal: bool = True  # a transparent modal scene still keeps input from the scene below

    def __init__(self) -> None:
        self._requests: list[Transition] = []

    def request(self, transition: Transition) -> None:
        self._requests.append(transition)

    def take_requests(self) -> list[Transition]:
        out, self._requests = self._requests, []
        return out

    def enter(self) -> None: ...

    def exit(self) -> None: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def handle(self, action: Action) -> bool:
        return False

    def update(self, dt: float) -> None: ...

    def draw(self, surface: pygame.Surface) -> None: ...


class SceneStack:
    """Owns the scenes; the only code that changes which scenes exist."""

    def __init__(self) -> None:
        self._scenes: list[Scene] = []
        self.quit_requested = False

    @property
    def scenes(self) -> tuple[Scene, ...]:
        return tuple(self._scenes)

    @property
    def top(self) -> Scene | None:
        return self._scenes[-1] if self._scenes else None

    def __len__(self) -> int:
        return len(self._scenes)

    def push(self, scene: Scene) -> None:
        if self._scenes:
            self._scenes[-1].pause()
        self._scenes.append(scene)
        scene.enter()

    def pop(self) -> Scene | None:
        if not self._scenes:
            return None
        scene = self._scenes.pop()
        scene.exit()
        if self._scenes:
            self._scenes[-1].resume()
        return scene

    def replace(self, scene: Scene, clear: bool = False) -> None:
        if clear:
            while self._scenes:
                self._scenes.pop().exit()
        elif self._scenes:
            self._scenes.pop().exit()
        self._scenes.append(scene)
        scene.enter()

    def apply(self, transition: Transition) -> None:
        match transition:
            case Push(scene):
                self.push(scene)
            case Pop():
                self.pop()
            case Replace(scene, clear):
                self.replace(scene, clear)
            case Quit():
                self.quit_requested = True

    def process_requests(self) -> None:
        """Apply the transitions scenes asked for, top scene first, until none are left."""
        for _ in range(16):  # bounded: a scene that requests on enter cannot spin forever
            pending = [(s, r) for s in reversed(self._scenes) for r in s.take_requests()]
            if not pending:
                return
            for _scene, transition in pending:
                self.apply(transition)

    def dispatch(self, action: Action) -> bool:
        """Offer an action from the top down; return whether any scene consumed it."""
        for scene in reversed(self._scenes):
            if scene.handle(action):
                return True
            if not scene.transparent or scene.modal:
                return False
        return False

    def _visible(self) -> list[Scene]:
        start = len(self._scenes) - 1
        while start > 0 and self._scenes[start].transparent:
            start -= 1
        return self._scenes[max(start, 0) :]

    def update(self, dt: float) -> None:
        for scene in self._visible():
            scene.update(dt)

    def draw(self, surface: pygame.Surface) -> None:
        for scene in self._visible():
            scene.draw(surface)
