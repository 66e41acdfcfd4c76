"""The kiosk admin menu turns the F3 debug overlay on and off (a kiosk has no keyboard)."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest

from game.debug_overlay import DebugOverlay
from game.overlay import draw_overlay
from game.scene import Push
from game.store import LocalStore
from tests.kiosk.harness import KioskRun, run_kiosk, tap


@pytest.fixture
def store(tmp_path: Path):
    s = LocalStore.open(tmp_path / "progress.db")
    yield s
    s.close()
    pygame.quit()


def test_the_admin_menu_toggles_the_debug_overlay(tmp_path: Path, store: LocalStore) -> None:
    seen: dict[int, tuple[bool, str, bool]] = {}
    where: dict[str, tuple[float, float]] = {}

    def drive(run: KioskRun) -> None:
        f = run.app.frame
        if f == 3:
            run.app.stack.apply(Push(run.shell.admin_scene()))  # as after the corner gesture and the PIN
        elif f > 3:
            admin = run.app.stack.top
            assert admin is not None and admin.name == "admin"
            where.update(admin.tap_targets())  # type: ignore[attr-defined]
            button = next(b for b in admin.buttons if b.id == "debug")  # type: ignore[attr-defined]
            surface = pygame.Surface((1920, 1080))
            admin.draw(surface)
            before = pygame.image.tobytes(surface, "RGB")
            draw_overlay(surface, run.services, run.app.stack, {"fps": 60.0, "frame_ms": 16.0}, DebugOverlay(None))
            seen[f] = (run.services.debug, button.label, pygame.image.tobytes(surface, "RGB") != before)

    centre = (1540.0, 948.0)  # the button's centre (checked below against its tap target)
    run_kiosk(tmp_path, store, frames=30, script=tap(10, centre) + tap(20, centre), on_frame=drive,
              extra_args=["--lang", "en"])
    assert where["admin:debug"] == centre
    assert seen[9][0] is False and not seen[9][2] and seen[9][1].endswith(": off")  # the menu opens with it off
    assert seen[15][0] is True and seen[15][2] and seen[15][1].endswith(": on")  # tapped: on, and the overlay draws
    assert seen[25][0] is False and not seen[25][2] and seen[25][1].endswith(": off")  # tapped again: off
