"""Named tap targets (``tap = "album"``, ``"landmark:<id>"``, ``"answer:B"``...), resolved on the live screen.

A scene offers its targets with ``tap_targets() -> {name: (x, y)}`` in logical px, and may offer
``reveal_target(name) -> (x, y) | None``: where to tap so that a target off screen comes into view
(the map's minimap for a landmark). A scene without ``tap_targets`` offers its buttons (attributes that
are a ``Button`` or a list of them) by their ids, with the dialog words ``yes``/``no``/``lang`` also
answering to ``confirm``/``cancel``/``language``. Code that wants to add targets to a scene it does not
own registers a function here by scene name.
"""

from __future__ import annotations

from collections.abc import Callable

from game.scene import Scene
from game.ui.widgets import Button

Pos = tuple[float, float]
_REGISTRY: dict[str, list[Callable[[Scene], dict[str, Pos]]]] = {}
ALIASES = {"yes": "confirm", "no": "cancel", "lang": "language"}


def register_targets(scene_name: str, provider: Callable[[Scene], dict[str, Pos]]) -> None:
    """Add targets for every scene called ``scene_name`` (merged over the scene's own)."""
    _REGISTRY.setdefault(scene_name, []).append(provider)


def targets_of(scene: Scene | None) -> dict[str, Pos]:
    if scene is None:
        return {}
    own = getattr(scene, "tap_targets", None)
    out: dict[str, Pos] = dict(own()) if callable(own) else button_targets(scene)
    for provider in _REGISTRY.get(scene.name, ()):
        out.update(provider(scene))
    return out


def reveal_point(scene: Scene | None, target: str) -> Pos | None:
    reveal = getattr(scene, "reveal_target", None)
    return reveal(target) if callable(reveal) else None


def button_targets(scene: Scene) -> dict[str, Pos]:
    """The enabled buttons a scene holds, by id (and alias)."""
    out: dict[str, Pos] = {}
    for value in vars(scene).values():
        buttons = [value] if isinstance(value, Button) else value if isinstance(value, list) else []
        for button in buttons:
            if isinstance(button, Button) and button.enabled:
                out[button.id] = button.rect.center
                if button.id in ALIASES:
                    out[ALIASES[button.id]] = button.rect.center
    return out
