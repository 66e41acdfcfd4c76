"""'Finish your visit?': the map's Finish asks first, so one stray tap never ends a visit."""

from __future__ import annotations

from collections.abc import Callable

import pygame

from game.actions import Action, Kind
from game.scene import Pop, Replace, Scene
from game.services import Services
from game.ui.dialog import draw_dialog
from game.ui.layout import Rect
from game.ui.widgets import Button, hit_button

PANEL = Rect(510, 300, 900, 460)


class FinishScene(Scene):
    name = "finish"
    transparent = True
    modal = True

    def __init__(self, services: Services, attract: Callable[[], Scene]) -> None:
        super().__init__()
        self.s = services
        self.attract = attract
        self.buttons = [Button("no", Rect(570, 640, 370, 92), style="secondary"),
                        Button("yes", Rect(980, 640, 370, 92), style="primary")]

    def tap_targets(self) -> dict[str, tuple[float, float]]:
        """For QA scenarios (game/qa/targets.py): ``finish:yes`` and ``finish:no``."""
        return {f"finish:{b.id}": b.rect.center for b in self.buttons}

    def handle(self, action: Action) -> bool:
        if action.kind is Kind.BACK:
            self.request(Pop())
        elif action.kind is Kind.POINTER_UP:
            button = hit_button(self.buttons, action.pos)
            if button is not None and button.id == "yes":
                self.confirm()
            elif button is not None or (action.pos is not None and not PANEL.contains(*action.pos)):
                self.request(Pop())
        elif action.kind is Kind.CONFIRM:
            self.confirm()
        return action.kind not in (Kind.TOGGLE_LANGUAGE, Kind.TOGGLE_DEBUG, Kind.SCREENSHOT)

    def confirm(self) -> None:
        # A kiosk's shell sees the attract loop come back and ends the visit (hand-off, then wipe);
        # a desktop ends the guest here.
        if not self.s.kiosk:
            self.s.session.end_guest()
        self.request(Replace(self.attract(), clear=True))

    def draw(self, surface: pygame.Surface) -> None:
        s, p = self.s, self.s.palette
        draw_dialog(surface, PANEL, p, veil=(20, 12, 8, 150))
        title = s.text.fit(s.t("kiosk.finish_title"), 60, round(PANEL.w) - 80, p.ink, "serif", 32)
        surface.blit(title, title.get_rect(midtop=(round(PANEL.center[0]), round(PANEL.y) + 50)))
        s.text.draw_fitted_paragraph(surface, s.t("kiosk.finish_body"), (round(PANEL.x) + 60, round(PANEL.y) + 160),
                                     round(PANEL.w) - 120, 34, p.ink, "sans", 1.35, 3, 24)
        for button in self.buttons:
            button.label = s.t("kiosk.finish_yes" if button.id == "yes" else "kiosk.finish_no")
            button.draw(surface, s.text, {"primary": p.primary, "paper": p.paper, "ink": p.ink}, 34)
