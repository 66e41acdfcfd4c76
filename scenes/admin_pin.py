"""The staff PIN pad, opened by the hidden gesture. Three wrong PINs lock it for a minute (PinGate)."""

from __future__ import annotations

from collections.abc import Callable

import pygame

from game.actions import Action, Kind
from game.kiosk.pin import PIN_DIGITS, PinGate
from game.scene import Pop, Replace, Scene
from game.services import Services
from game.ui.dialog import draw_dialog
from game.ui.layout import Rect
from game.ui.widgets import Button, hit_button

PANEL = Rect(660, 90, 600, 900)
KEY_W, KEY_H, GAP = 150, 110, 24
KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0", "ok")


class PinPadScene(Scene):
    name = "admin-pin"
    transparent = True
    modal = True

    def __init__(self, services: Services, gate: PinGate, on_ok: Callable[[], Scene]) -> None:
        super().__init__()
        self.s = services
        self.gate = gate
        self.on_ok = on_ok  # builds the admin menu
        self.entered = ""
        self.message = ""
        x0 = round(PANEL.x + (PANEL.w - 3 * KEY_W - 2 * GAP) / 2)
        self.keys = [Button(k, Rect(x0 + (i % 3) * (KEY_W + GAP), 340 + (i // 3) * (KEY_H + GAP), KEY_W, KEY_H),
                            k if k not in ("del", "ok") else "", "secondary" if k != "ok" else "primary")
                     for i, k in enumerate(KEYS)]
        self.close = Button("close", Rect(PANEL.x + PANEL.w - 200, PANEL.y + PANEL.h - 110, 170, 80),
                            style="secondary")

    def tap_targets(self) -> dict[str, tuple[float, float]]:
        """For QA scenarios (game/qa/targets.py): ``pin:0`` .. ``pin:9``, ``pin:del``, ``pin:ok``, ``close``."""
        return {f"pin:{k.id}": k.rect.center for k in self.keys} | {"close": self.close.rect.center}

    def handle(self, action: Action) -> bool:
        if action.kind is Kind.BACK:
            self.request(Pop())
        elif action.kind is Kind.TEXT:
            for ch in action.text:
                if ch.isdigit():
                    self.press(ch)
        elif action.kind is Kind.CONFIRM:
            self.press("ok")
        elif action.kind is Kind.POINTER_UP:
            if hit_button([self.close], action.pos):
                self.request(Pop())
            else:
                key = hit_button(self.keys, action.pos)
                if key is not None:
                    self.press(key.id)
        return True

    def press(self, key: str) -> None:
        if self.gate.locked_for() > 0:
            self.entered = ""
            return
        if key == "del":
            self.entered = self.entered[:-1]
        elif key == "ok":
            pin, self.entered = self.entered, ""
            if self.gate.attempt(pin):
                self.request(Replace(self.on_ok()))
            else:
                self.message = "kiosk.pin_unset" if self.gate.pin_hash is None else "kiosk.pin_wrong"
        elif len(self.entered) < PIN_DIGITS[1]:
            self.entered += key
            self.message = ""

    def draw(self, surface: pygame.Surface) -> None:
        s, p = self.s, self.s.palette
        draw_dialog(surface, PANEL, p, veil=(10, 8, 6, 200), border=p.ink, border_width=3, radius=28)
        cx = round(PANEL.center[0])
        title = s.text.render(s.t("kiosk.pin_title"), 48, p.ink, "bold")
        surface.blit(title, title.get_rect(midtop=(cx, round(PANEL.y) + 40)))
        for i in range(PIN_DIGITS[1]):
            centre = (cx - (PIN_DIGITS[1] - 1) * 28 + i * 56, 236)
            if i < len(self.entered):
                pygame.draw.circle(surface, p.ink, centre, 14)
            else:
                pygame.draw.circle(surface, p.muted, centre, 14, 3)
        locked = self.gate.locked_for()
        note = s.t("kiosk.pin_locked", n=int(locked + 0.999)) if locked > 0 else (s.t(self.message) if self.message else "")
        if note:
            line = s.text.fit(note, 28, round(PANEL.w) - 60, p.primary, "bold")
            surface.blit(line, line.get_rect(midtop=(cx, 266)))
        colours = {"primary": p.primary, "paper": p.paper, "ink": p.ink}
        for key in self.keys:
            key.enabled = locked <= 0
            key.draw(surface, s.text, colours, 48)
            c = (round(key.rect.center[0]), round(key.rect.center[1]))
            if key.id == "del":  # a left arrow, drawn (no glyph needed)
                pygame.draw.polygon(surface, p.ink, [(c[0] - 34, c[1]), (c[0] - 8, c[1] - 24), (c[0] - 8, c[1] + 24)])
                pygame.draw.rect(surface, p.ink, (c[0] - 10, c[1] - 9, 44, 18))
            elif key.id == "ok":  # a tick
                pygame.draw.lines(surface, (255, 248, 235), False, [(c[0] - 30, c[1]), (c[0] - 8, c[1] + 22),
                                                                    (c[0] + 32, c[1] - 22)], 10)
        self.close.label = s.t("kiosk.admin_close")
        self.close.draw(surface, s.text, colours, 30)
