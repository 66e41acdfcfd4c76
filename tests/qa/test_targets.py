"""How a scenario's tap names are found on a screen: the scene's own targets, its buttons, the registry."""

from __future__ import annotations

from game.qa.targets import register_targets, targets_of
from game.scene import Scene
from game.ui.layout import Rect
from game.ui.widgets import Button


class Dialog(Scene):
    name = "qa-test-dialog"

    def __init__(self) -> None:
        super().__init__()
        self.buttons = [Button("no", Rect(500, 600, 300, 90)), Button("yes", Rect(900, 600, 300, 90)),
                        Button("later", Rect(0, 0, 10, 10), enabled=False)]
        self.close = Button("close", Rect(1700, 40, 80, 80))


class Named(Scene):
    name = "qa-test-named"

    def __init__(self) -> None:
        super().__init__()
        self.buttons = [Button("hidden", Rect(0, 0, 10, 10))]

    def tap_targets(self) -> dict[str, tuple[float, float]]:
        return {"start": (1.0, 2.0)}


def test_a_screen_without_tap_targets_offers_its_enabled_buttons_with_dialog_aliases() -> None:
    targets = targets_of(Dialog())
    assert targets["yes"] == targets["confirm"] == (1050.0, 645.0)
    assert targets["no"] == targets["cancel"] == (650.0, 645.0)
    assert targets["close"] == (1740.0, 80.0)
    assert "later" not in targets


def test_a_screens_own_targets_win_and_the_registry_adds_to_them() -> None:
    assert targets_of(Named()) == {"start": (1.0, 2.0)}
    register_targets("qa-test-named", lambda scene: {"extra": (3.0, 4.0)})
    assert targets_of(Named()) == {"start": (1.0, 2.0), "extra": (3.0, 4.0)}
    assert targets_of(None) == {}
