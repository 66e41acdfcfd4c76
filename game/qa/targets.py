"""Named tap targets (``tap = "album"``, ``"landmark:<id>"``, ``"answer:B"``...), resolved on the live screen.

A scene offers its targets with ``tap_targets() -> {name: (x, y)}`` in logical px, and may offer
``reveal_target(name) -> (x, y) | None``: where to tap so that a target off screen comes into view
(the map's minimap for a landmark). Scenes that do not define ``tap_targets`` (or code that wants to
add targets to a scene it does not own) register a function here by scene name.
"""

from __future__ import annotations

from collections.abc import Callable

from game.scene import Scene

Pos = tuple[float, float]
_REGISTRY: dict[str, list[Callable[[Scene], dict[str, Pos]]]] = {}


def register_targets(scene_name: str, provider: Callable[[Scene], dict[str, Pos]]) -> None:
    """Add targets for every scene called ``scene_name`` (merged over the scene's own)."""
    _REGISTRY.setdefault(scene_name, []).append(provider)


def targets_of(scene: Scene | None) -> dict[str, Pos]:
    if scene is None:
        return {}
    own = getattr(scene, "tap_targets", None)
    out: dict[str, Pos] = dict(own()) if callable(own) else {}
    for provider in _REGISTRY.get(scene.name, ()):
        out.update(provider(scene))
    return out


def reveal_point(scene: Scene | None, target: str) -> Pos | None:
    reveal = getattr(scene, "reveal_target", None)
    return reveal(target) if callable(reveal) else None
