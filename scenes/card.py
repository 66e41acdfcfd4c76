"""Landmark card: a transparent overlay with the story, check-in modes and the quiz; stamps on success."""

from __future__ import annotations

import math
from collections.abc import Callable

import pygame

from game.actions import Action, Kind
from game.rules.content import CheckinMode, Landmark
from game.rules.progress import CheckIn, PinState, pin_state
from game.scene import Pop, Scene
from game.services import Services
from game.ui.layout import LOGICAL_SIZE, Rect
from game.ui.widgets import Button, darken, draw_panel, hit_button, lighten, shadow_surface
from scenes.decor import draw_seal

CARD = Rect(330, 110, 1260, 860)
STAMP_SECONDS = 1.1


class CardScene(Scene):
    name = "card"
    transparent = True
    modal = True

    def __init__(self, services: Services, landmark: Landmark, icon: Callable[[str, int], pygame.Surface] | None = None) -> None:
        super().__init__()
        self.s = services
        self.lm = landmark
        self.icon = icon
        self.mode: CheckinMode | None = None
        self.choice: int | None = None
        self.message: tuple[str, bool] | None = None  # (text, good)
        self.stamp_t: float | None = None
        self.stamp_steps = 0
        self.t = 0.0
        self.buttons: list[Button] = []
        self._shadow: pygame.Surface | None = None
        self._dim: pygame.Surface | None = None

    def enter(self) -> None:
        self._shadow = shadow_surface((round(CARD.w), round(CARD.h)), 26, 110, 24)
        self._dim = pygame.Surface(LOGICAL_SIZE, pygame.SRCALPHA)
        self._dim.fill((20, 14, 10, 150))

    # layout --------------------------------------------------------------------------------------
    def _build_buttons(self) -> list[Button]:
        s = self.s
        out = [Button("close", Rect(CARD.x + CARD.w - 92, CARD.y + 24, 64, 64), "✕", "secondary")]
        state = pin_state(s.campaign, s.session.progress, self.lm, s.session.now())
        y = CARD.y + CARD.h - 120
        x = CARD.x + 60
        if state is PinState.AVAILABLE and self.stamp_t is None:
            for mode in (CheckinMode.VISIT, CheckinMode.SCAN, CheckinMode.LEARN):
                if mode not in self.lm.modes:
                    continue
                label = f"{s.t('card.' + mode.value)}  {s.t('card.plus_steps', n=self.lm.modes[mode])}"
                b = Button(f"mode:{mode.value}", Rect(x, y, 340, 76), label, "chip", selected=self.mode is mode)
                out.append(b)
                x += 370
        if self.mode is CheckinMode.LEARN and self.lm.quiz is not None and self.stamp_t is None:
            qy = CARD.y + 520
            for i, choice in enumerate(self.lm.quiz.choices):
                col, row = i % 2, i // 2
                out.append(Button(f"choice:{i}", Rect(CARD.x + 60 + col * 580, qy + row * 78, 560, 64),
                                  choice.get(s.lang), "secondary", selected=self.choice == i))
        return out

    # input ---------------------------------------------------------------------------------------
    def handle(self, action: Action) -> bool:
        if action.kind is Kind.BACK:
            self.request(Pop())
            return True
        if action.kind is Kind.POINTER_UP and action.pos is not None:
            if not CARD.contains(*action.pos):
                self.request(Pop())
                return True
            button = hit_button(self._build_buttons(), action.pos)
            if button is not None:
                self._press(button.id)
            return True
        # Modal: the map underneath gets nothing, but app-wide shortcuts (language) still work.
        return action.kind is not Kind.TOGGLE_LANGUAGE

    def _press(self, ident: str) -> None:
        if ident == "close":
            self.request(Pop())
        elif ident.startswith("mode:"):
            self.mode = CheckinMode(ident.split(":", 1)[1])
            self.choice, self.message = None, None
            if self.mode is not CheckinMode.LEARN:
                self._attempt(CheckIn(self.lm.id, self.mode))
        elif ident.startswith("choice:"):
            self.choice = int(ident.split(":", 1)[1])
            self._attempt(CheckIn(self.lm.id, CheckinMode.LEARN, quiz_choice=self.choice))

    def _attempt(self, action: CheckIn) -> None:
        outcome = self.s.session.attempt(action)
        if outcome.applied:
            self.stamp_t, self.stamp_steps = 0.0, outcome.steps
            self.message = (self.s.t("card.stamped"), True)
        else:
            key = f"reason.{outcome.reason.value}" if outcome.reason else "card.wrong"
            self.message = (self.s.t(key), False)

    def update(self, dt: float) -> None:
        self.t += dt
        if self.stamp_t is not None:
            self.stamp_t += dt

    # drawing -------------------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        s, p = self.s, self.s.palette
        assert self._dim is not None
        surface.blit(self._dim, (0, 0))
        draw_panel(surface, CARD, lighten(p.paper, 0.35), radius=26, border=darken(p.paper, 0.45), border_width=3,
                   shadow=self._shadow)
        inner = pygame.Rect(CARD.inflated_to(0).as_tuple()).inflate(-28, -28)
        pygame.draw.rect(surface, p.accent, inner, 2, border_radius=18)
        lang, other = s.lang, ("en" if s.lang == "zh" else "zh")
        x0, y0 = round(CARD.x + 60), round(CARD.y + 48)
        if self.icon is not None:
            icon = self.icon(self.lm.icon, 150)
            surface.blit(icon, (x0, y0))
            x_text = x0 + 180
        else:
            x_text = x0
        surface.blit(s.text.render(self.lm.name.get(lang), 64, p.ink, "serif"), (x_text, y0 + 4))
        surface.blit(s.text.render(self.lm.name.get(other), 30, p.muted, "sans"), (x_text + 4, y0 + 92))
        state = pin_state(s.campaign, s.session.progress, self.lm, s.session.now())
        story_top = y0 + 180
        max_lines = 3 if self.mode is CheckinMode.LEARN else 7
        s.text.draw_paragraph(surface, self.lm.story.get(lang), (x0, story_top), round(CARD.w - 120), 32, p.ink,
                              "sans", 1.45, max_lines=max_lines)
        if self.mode is CheckinMode.LEARN and self.lm.quiz is not None and self.stamp_t is None:
            q = f"{s.t('card.quiz')} · {self.lm.quiz.question.get(lang)}"
            s.text.draw_paragraph(surface, q, (x0, round(CARD.y + 440)), round(CARD.w - 120), 32, p.primary, "bold",
                                  max_lines=2)
        if state is PinState.LOCKED:
            need = self.lm.unlock_after - len({c.landmark_id for c in s.session.progress.checkins})
            msg = s.text.render(s.t("card.locked", n=need), 32, p.muted, "bold")
            surface.blit(msg, (x0, round(CARD.y + CARD.h - 110)))
        elif state is PinState.CHECKED_IN and self.stamp_t is None:
            msg = s.text.render(s.t("card.done_today"), 34, darken(p.accent, 0.3), "bold")
            surface.blit(msg, (x0, round(CARD.y + CARD.h - 110)))
        else:
            label = s.text.render(s.t("card.checkin"), 26, p.muted, "bold")
            surface.blit(label, (x0, round(CARD.y + CARD.h - 160)))
        colours = {"primary": p.primary, "paper": p.paper, "ink": p.ink}
        for button in self._build_buttons():
            button.draw(surface, s.text, colours, 28 if button.id.startswith("choice") else 30)
        if self.message is not None and self.stamp_t is None:
            text, good = self.message
            colour = p.jade if good else p.primary
            s.text.draw_paragraph(surface, text, (x0, round(CARD.y + CARD.h - 200)), round(CARD.w - 140), 28, colour,
                                  "bold", max_lines=1)
        if self.stamp_t is not None:
            self._draw_stamp(surface)

    def _draw_stamp(self, surface: pygame.Surface) -> None:
        """The seal drops onto the card (scale 2.4 -> 1 with a slight turn), then '+N' floats up."""
        s, p = self.s, self.s.palette
        k = min(1.0, (self.stamp_t or 0.0) / (STAMP_SECONDS * 0.45))
        ease = 1 - (1 - k) ** 3
        size = round(260 * (2.4 - 1.4 * ease))
        seal = pygame.Surface((size, size), pygame.SRCALPHA)
        glyph_text = "打卡" if s.lang == "zh" else "OK"
        glyphs = s.text.render(glyph_text, round(size * 0.3), (250, 238, 226), "serif")
        draw_seal(seal, seal.get_rect().inflate(-8, -8), p.primary, glyphs)
        seal = pygame.transform.rotozoom(seal, -12 * ease, 1.0)
        seal.set_alpha(round(120 + 135 * ease))
        centre = (round(CARD.x + CARD.w - 250), round(CARD.y + CARD.h - 230))
        surface.blit(seal, seal.get_rect(center=centre))
        if k >= 1.0:
            rise = min(1.0, ((self.stamp_t or 0) - STAMP_SECONDS * 0.45) / 0.8)
            plus = s.text.render(s.t("card.plus_steps", n=self.stamp_steps), 54, p.primary, "bold")
            surface.blit(plus, plus.get_rect(center=(centre[0], round(centre[1] - 170 - 40 * rise))))
            done = s.text.render(s.t("card.stamped"), 40, darken(p.jade, 0.1), "bold")
            surface.blit(done, (round(CARD.x + 60), round(CARD.y + CARD.h - 116 + 4 * math.sin(self.t * 4))))
