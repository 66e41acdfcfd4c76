"""'Finish your visit?': the map's Finish asks first, so one stray tap never ends a visit."""

from __future__ import annotations

from collections.abc import Callable

import pygame

from game.actions import Action, Kind
from game.scene import Pop, Replace, Scene
from game.services import Services
from game.ui.dialog import dialog_panel, draw_dialog
from game.ui.fit import Placements, block, button_row, draw_block, draw_button, union
from game.ui.layout import Rect
from game.ui.widgets import Button, hit_button

PANEL = Rect(510, 300, 900, 460)  # at the normal text size; it grows with the text scale


class FinishScene(Scene):
    name = "finish"
    transparent = True
    modal = True

    def __init__(self, services: Services, attract: Callable[[], Scene]) -> None:
        super().__init__()
        self.s = services
        self.attract = attract
        self.panel = PANEL
        self.buttons = [Button("no", Rect(570, 640, 370, 92), style="secondary"),
                        Button("yes", Rect(980, 640, 370, 92), style="primary")]
        self.placed = Placements()  # where the texts and buttons went (read by the layout tests)

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
            elif button is not None or (action.pos is not None and not self.panel.contains(*action.pos)):
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
        """Title, body and the two buttons stacked by their heights; the panel grows (wider, then taller)
        with the text scale, and the texts shrink to a floor only when the screen itself is too small."""
        s, p = self.s, self.s.palette
        k = max(1.0, s.text.scale.factor)
        width = min(1760, round(PANEL.w * k ** 0.5))
        inner = width - 120
        for shrink in (1.0, 0.9, 0.8, 0.7, 0.6):
            title = block(s.text, s.t("kiosk.finish_title"), round(60 * shrink), inner, "serif", min_size=32,
                          max_lines=2, spacing=1.15)
            body = block(s.text, s.t("kiosk.finish_body"), round(34 * shrink), inner, "sans", min_size=24, max_lines=4,
                         spacing=1.35)
            for b in self.buttons:
                b.label = s.t("kiosk.finish_yes" if b.id == "yes" else "kiosk.finish_no")
            size = button_row(s.text, self.buttons, round(34 * shrink), 960, 0, min_w=370, min_h=92,
                              max_row_w=inner, gap=40, min_size=20)
            body_y = max(160, 50 + title.height + round(24 * k))
            buttons_y = max(340, body_y + body.height + round(36 * k))
            height = max(round(PANEL.h), buttons_y + round(self.buttons[0].rect.h) + round(28 * k))
            if height <= 1000:
                break
        self.panel = dialog_panel(width, height, PANEL)
        x, y = round(self.panel.x), round(self.panel.y)
        for b in self.buttons:
            b.rect = Rect(b.rect.x, y + buttons_y, b.rect.w, b.rect.h)
        draw_dialog(surface, self.panel, p, veil=(20, 12, 8, 150))
        self.placed.clear()
        box = pygame.Rect(self.panel.as_tuple())
        lines = draw_block(surface, s.text, title, p.ink, x + 60, y + 50, inner, "center")
        self.placed.add("title", title.text, union(lines), box)
        lines = draw_block(surface, s.text, body, p.ink, x + 60, y + body_y, inner)
        self.placed.add("body", body.text, union(lines), box)
        colours = {"primary": p.primary, "paper": p.paper, "ink": p.ink}
        for button in self.buttons:
            draw_button(surface, s.text, button, colours, size, self.placed)
