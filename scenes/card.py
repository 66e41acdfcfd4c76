"""Landmark card: a transparent overlay with the story, a quiz panel and the check-in modes; stamps on success.

Layout (logical px, inside ``CARD``): a header (icon, names, state badge, close), then two columns
(story on the left, "did you know" quiz panel on the right), then a row of check-in tiles whose
second line says what each mode needs right now: done today, needs this landmark's kiosk, needs
the poster scan, or available. With a scene maker, the *scan* tile opens this landmark's Scan over
the card: its poster seen there performs the check-in (another landmark's poster is named, not
counted); Back from the scan returns to this card.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pygame

from game.actions import Action, Kind
from game.audio import Cue, audio_of
from game.rules.content import CheckinMode, Landmark
from game.rules.progress import CheckIn, PinState, distinct_checkins, pin_state
from game.scene import Pop, Push, Scene
from game.services import Services
from game.ui.contrast import CREAM
from game.ui.layout import LOGICAL_SIZE, Rect
from game.ui.widgets import Button, darken, draw_close_icon, draw_panel, hit_button, lighten, shadow_surface
from scenes.decor import draw_seal

CARD = Rect(330, 110, 1260, 860)
STAMP_SECONDS = 1.1
PAD = 60
X0 = round(CARD.x + PAD)
X1 = round(CARD.x + CARD.w - PAD)
STORY_W = 660
PANEL = Rect(X0 + STORY_W + 40, CARD.y + 236, X1 - (X0 + STORY_W + 40), 430)
TILE_Y, TILE_H, TILE_GAP = round(CARD.y + CARD.h - 160), 112, 24
CHOICE_H, CHOICE_STEP = 56, 64
SEAL_SIZE = 230
MODES = (CheckinMode.VISIT, CheckinMode.SCAN, CheckinMode.LEARN)


@dataclass(frozen=True)
class ModeState:
    """What a check-in tile says: ``ready`` tiles are drawn live, others muted with the reason."""

    mode: CheckinMode
    steps: int
    ready: bool
    note_key: str


class CardScene(Scene):
    name = "card"
    transparent = True
    modal = True

    def __init__(self, services: Services, landmark: Landmark, icon: Callable[[str, int], pygame.Surface] | None = None,
                 scenes: Callable[[str], Scene] | None = None) -> None:
        super().__init__()
        self.s = services
        self.lm = landmark
        self.icon = icon
        self.scenes = scenes  # builds the Scan scene for the scan tile; None: the tile only says what to do
        self.mode: CheckinMode | None = None
        self.choice: int | None = None
        self.message: tuple[str, bool] | None = None  # (text, good)
        self.stamp_t: float | None = None
        self.stamp_steps = 0
        self.t = 0.0
        self._shadow: pygame.Surface | None = None
        self._overlay: tuple[tuple[object, ...], pygame.Surface] | None = None
        self._seal: pygame.Surface | None = None

    def enter(self) -> None:
        self._shadow = shadow_surface((round(CARD.w), round(CARD.h)), 26, 110, 24)

    # state ---------------------------------------------------------------------------------------
    def state(self) -> PinState:
        s = self.s
        return pin_state(s.campaign, s.session.progress, self.lm, s.session.now(), s.session.device_landmark)

    def mode_states(self) -> list[ModeState]:
        """The tiles to show, in a fixed order, with what each mode needs on this device now."""
        s = self.s
        out = []
        for mode in MODES:
            if mode not in self.lm.modes:
                continue
            steps = self.lm.modes[mode]
            if mode is CheckinMode.VISIT:
                here = s.session.device_landmark == self.lm.id
                out.append(ModeState(mode, steps, here, "card.visit_here" if here else "card.visit_hint"))
            elif mode is CheckinMode.SCAN:
                out.append(ModeState(mode, steps, self.scenes is not None, "card.scan_hint"))
            else:
                bonus = s.campaign.meta.quiz_steps
                out.append(ModeState(mode, steps + bonus, self.lm.quiz is not None, "card.learn_hint"))
        return out

    # layout --------------------------------------------------------------------------------------
    def _tile_rects(self, n: int) -> list[Rect]:
        w = (X1 - X0 - TILE_GAP * (max(n, 1) - 1)) / max(n, 1)
        return [Rect(X0 + i * (w + TILE_GAP), TILE_Y, w, TILE_H) for i in range(n)]

    def _choice_top(self) -> int:
        """Choices sit at the bottom of the quiz panel, so a long question has the room above."""
        assert self.lm.quiz is not None
        return round(PANEL.y + PANEL.h - 16 - len(self.lm.quiz.choices) * CHOICE_STEP + (CHOICE_STEP - CHOICE_H))

    def _build_buttons(self) -> list[Button]:
        s = self.s
        out = [Button("close", Rect(CARD.x + CARD.w - 96, CARD.y + 28, 64, 64), "", "secondary")]
        if self.state() is PinState.AVAILABLE and self.stamp_t is None:
            states = self.mode_states()
            for ms, rect in zip(states, self._tile_rects(len(states)), strict=True):
                out.append(Button(f"mode:{ms.mode.value}", rect, s.t(f"card.{ms.mode.value}"), "chip",
                                  selected=self.mode is ms.mode))
            if self.mode is CheckinMode.LEARN and self.lm.quiz is not None:
                y = self._choice_top()
                for i, choice in enumerate(self.lm.quiz.choices):
                    out.append(Button(f"choice:{i}", Rect(PANEL.x + 20, y + i * CHOICE_STEP, PANEL.w - 40, CHOICE_H),
                                      choice.get(s.lang), "secondary", selected=self.choice == i))
        return out

    def tap_targets(self) -> dict[str, tuple[float, float]]:
        """Named places to tap, for QA scenarios (game/qa/targets.py): close, check-in modes, answers."""
        out: dict[str, tuple[float, float]] = {}
        for button in self._build_buttons():
            name = button.id
            if name.startswith("choice:"):
                name = "answer:" + "ABCDEFGH"[int(name.split(":", 1)[1])]
            out[name] = button.rect.center
        out["back"] = out["close"]
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
        # Modal: the map underneath gets nothing, but app-wide shortcuts (language, debug) still work.
        return action.kind not in (Kind.TOGGLE_LANGUAGE, Kind.TOGGLE_DEBUG, Kind.SCREENSHOT)

    def _press(self, ident: str) -> None:
        if ident == "close":
            self.request(Pop())
        elif ident == f"mode:{CheckinMode.SCAN.value}" and self.scenes is not None:
            self.mode, self.choice, self.message = None, None, None
            self.request(Push(self.scenes(f"scan:{self.lm.id}")))  # this landmark's poster only
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
            before, self.stamp_t = self.stamp_t, self.stamp_t + dt
            if before < STAMP_SECONDS * 0.45 <= self.stamp_t:  # the seal meets the paper
                audio_of(self.s).play(Cue.STAMP)

    # drawing -------------------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        surface.blit(self._overlay_surface(), (0, 0))
        if self.stamp_t is not None:
            self._draw_stamp(surface)

    def _overlay_surface(self) -> pygame.Surface:
        """The dimmed screen with the card on it, painted again only when what it shows changes.

        Wrapping the story and fitting the texts cost ~6 ms a frame; one cached full-screen blit
        (the dim is per-pixel alpha over the live map, the card itself opaque) costs about 2.
        """
        s = self.s
        state = self.state()
        key = (s.lang, state, self.mode, self.choice, self.message, s.session.revision, self.stamp_t is None)
        if self._overlay is None or self._overlay[0] != key:
            overlay = pygame.Surface(LOGICAL_SIZE, pygame.SRCALPHA)
            overlay.fill((20, 14, 10, 150))
            self._draw_card(overlay, state)
            self._overlay = (key, overlay)
        return self._overlay[1]

    def _draw_card(self, surface: pygame.Surface, state: PinState) -> None:
        p = self.s.palette
        draw_panel(surface, CARD, lighten(p.paper, 0.35), radius=26, border=darken(p.paper, 0.45), border_width=3,
                   shadow=self._shadow)
        inner = pygame.Rect(CARD.as_tuple()).inflate(-28, -28)
        pygame.draw.rect(surface, p.accent, inner, 2, border_radius=18)
        self._draw_header(surface, state)
        self._draw_story(surface)
        self._draw_panel(surface, state)
        self._draw_checkin_row(surface, state)
        close = pygame.Rect(Rect(CARD.x + CARD.w - 96, CARD.y + 28, 64, 64).as_tuple())
        pygame.draw.circle(surface, p.paper, close.center, 32)
        pygame.draw.circle(surface, darken(p.paper, 0.35), close.center, 32, 2)
        draw_close_icon(surface, close.center, 13, p.ink, 5)

    def _draw_header(self, surface: pygame.Surface, state: PinState) -> None:
        s, p = self.s, self.s.palette
        lang, other = s.lang, ("en" if s.lang == "zh" else "zh")
        y0 = round(CARD.y + 44)
        x_text = X0
        if self.icon is not None:
            surface.blit(self.icon(self.lm.icon, 150), (X0 - 6, y0 - 4))
            x_text = X0 + 172
        name_w = round(CARD.x + CARD.w - 120) - x_text
        size = 64  # the name shrinks (scaled text) so it and the other language's name fit above the rule
        room = round(PANEL.y) - 28 - y0
        while size > 28 and s.text.size("Ag", size, "serif")[1] - 2 + s.text.size("Ag", 30)[1] > room:
            size -= 2
        name = s.text.fit(self.lm.name.get(lang), size, name_w, p.ink, "serif", min(36, size))
        surface.blit(name, (x_text, y0))
        sub = s.text.fit(self.lm.name.get(other), 30, name_w - 260, p.muted, "sans")
        sub_y = y0 + min(max(94, name.get_height() - 2), round(PANEL.y) - 28 - sub.get_height() - y0)
        surface.blit(sub, (x_text + 4, sub_y))
        badge_text, badge_fill, badge_fg = {  # every pair meets WCAG AA (tests/ui/test_contrast.py)
            PinState.CHECKED_IN: (s.t("card.done_today"), p.fill_gold, p.ink),
            PinState.LOCKED: (s.t("card.status_locked"), p.fill_grey, CREAM),
            PinState.AVAILABLE: (s.t("card.available"), p.fill_jade, CREAM),
        }[state]
        glyphs = s.text.fit(badge_text, 24, 240, badge_fg, "bold")
        badge = pygame.Rect(0, 0, glyphs.get_width() + 36, max(42, glyphs.get_height() + 4))
        badge.midleft = (x_text + 4 + sub.get_width() + 24, sub_y + sub.get_height() // 2)
        pygame.draw.rect(surface, badge_fill, badge, border_radius=21)
        surface.blit(glyphs, glyphs.get_rect(center=badge.center))
        rule_y = round(PANEL.y - 24)
        pygame.draw.line(surface, darken(p.paper, 0.25), (X0, rule_y), (X1, rule_y), 2)

    def _draw_story(self, surface: pygame.Surface) -> None:
        s, p = self.s, self.s.palette
        top = round(PANEL.y)
        heading = s.text.render(s.t("card.story"), 26, p.text_primary, "bold")
        surface.blit(heading, (X0, top))
        head_h = max(46, heading.get_height() + 4)  # the story starts under its heading at any text scale
        story = self.lm.story.get(s.lang)
        area_h = TILE_Y - 70 - (top + head_h)
        size = 32
        # the largest size (32..22) whose wrapped story fits the column's height
        while size > 22 and len(s.text.wrap(story, size, STORY_W, "sans")) * round(s.text.px(size) * 1.5) > area_h:
            size -= 1
        max_lines = max(1, area_h // round(s.text.px(size) * 1.5))  # drawn lines are px(size) tall
        used = s.text.draw_paragraph(surface, story, (X0, top + head_h), STORY_W, size, p.ink, "sans", 1.5,
                                     max_lines=max_lines)
        # the story in the other language too, smaller, where there is room (cards are bilingual)
        other = self.lm.story.get("en" if s.lang == "zh" else "zh")
        y = top + head_h + used + 18
        room = TILE_Y - 70 - y
        if room >= 3 * round(s.text.px(18) * 1.35):
            pygame.draw.line(surface, darken(p.paper, 0.2), (X0, y - 8), (X0 + 120, y - 8), 2)
            size = s.text.paragraph_size(other, 24, STORY_W, room // round(s.text.px(24) * 1.35), "sans", 18)
            s.text.draw_paragraph(surface, other, (X0, y + 6), STORY_W, size, p.muted, "sans", 1.35,
                                  max_lines=max(1, (room - 6) // round(s.text.px(size) * 1.35)))

    def _draw_panel(self, surface: pygame.Surface, state: PinState) -> None:
        """The right column: the quiz ("did you know"), or the stamped seal once checked in."""
        s, p = self.s, self.s.palette
        draw_panel(surface, PANEL, lighten(p.paper, 0.1), radius=20, border=darken(p.paper, 0.2))
        x, w = round(PANEL.x + 24), round(PANEL.w - 48)
        y = round(PANEL.y + 20)
        if state is PinState.CHECKED_IN and self.stamp_t is None:
            self._draw_seal_at(surface, 1.0, 0.0, 255)
            msg = s.t("card.come_back")
            s.text.draw_fitted_paragraph(surface, msg, (x, round(PANEL.y + PANEL.h - 84)), w, 24, p.muted, "sans",
                                         1.3, 2, 18)
            return
        if self.stamp_t is not None:
            return  # the seal animation owns the panel
        quiz = self.lm.quiz
        if quiz is None:
            surface.blit(s.text.render(s.t("card.how"), 26, p.text_primary, "bold"), (x, y))
            y += 48
            for ms in self.mode_states():
                y += s.text.draw_fitted_paragraph(surface, f"{s.t('card.' + ms.mode.value)}: {s.t(ms.note_key)}",
                                                  (x, y), w, 24, p.ink, "sans", 1.3, 2, 18) + 12
            return
        heading = s.t("card.quiz") if self.mode is CheckinMode.LEARN else s.t("card.did_you_know")
        surface.blit(s.text.render(heading, 26, p.text_primary, "bold"), (x, y))
        y += 46
        question = quiz.question.get(s.lang)
        if self.mode is CheckinMode.LEARN and state is PinState.AVAILABLE:
            room = self._choice_top() - 12 - y
            lines = max(1, room // 36)
            s.text.draw_fitted_paragraph(surface, question, (x, y), w, 28, p.ink, "bold", 1.25, lines, 20)
            colours = {"primary": p.primary, "paper": lighten(p.paper, 0.5), "ink": p.ink}
            for button in self._build_buttons():
                if button.id.startswith("choice:"):
                    wrong = self.choice is not None and button.id == f"choice:{self.choice}"
                    button.style = "chip" if wrong else "secondary"
                    button.draw(surface, s.text, colours, 26)
        else:
            y += s.text.draw_fitted_paragraph(surface, question, (x, y), w, 30, p.ink, "bold", 1.3, 4, 20) + 14
            bottom = round(PANEL.y + PANEL.h - 96)
            for i, choice in enumerate(quiz.choices):  # a preview: answering happens in Quiz mode
                if y + 40 > bottom:
                    break
                letter = s.text.render("ABCD"[i], 24, CREAM, "bold")
                radius = max(16, letter.get_height() // 2 - 2)
                pygame.draw.circle(surface, p.fill_grey, (x + radius, y + 18), radius)
                surface.blit(letter, letter.get_rect(center=(x + radius, y + 18)))
                surface.blit(s.text.fit(choice.get(s.lang), 26, w - 2 * radius - 16, p.ink, "sans"),
                             (x + 2 * radius + 12, y + 2))
                y += 48
            hint = s.t("card.quiz_teaser", n=self.lm.modes.get(CheckinMode.LEARN, 0) + s.campaign.meta.quiz_steps)
            if state is PinState.AVAILABLE and CheckinMode.LEARN in self.lm.modes:
                s.text.draw_fitted_paragraph(surface, hint, (x, round(PANEL.y + PANEL.h - 84)), w, 24, p.muted,
                                             "sans", 1.3, 2, 18)

    def _draw_checkin_row(self, surface: pygame.Surface, state: PinState) -> None:
        s, p = self.s, self.s.palette
        label_y = TILE_Y - 48
        label = s.text.render(s.t("card.checkin"), 26, p.muted, "bold")
        surface.blit(label, (X0, label_y))
        msg_x = X0 + label.get_width() + 28
        if self.message is not None and self.stamp_t is None:
            text, good = self.message
            colour = p.text_jade if good else p.text_primary
            surface.blit(s.text.fit(text, 26, X1 - msg_x, colour, "bold"), (msg_x, label_y))
        if state is PinState.LOCKED:
            need = max(0, self.lm.unlock_after - distinct_checkins(s.session.progress))
            box = pygame.Rect(X0, TILE_Y, X1 - X0, TILE_H)
            pygame.draw.rect(surface, lighten(p.paper, 0.05), box, border_radius=20)
            pygame.draw.rect(surface, darken(p.paper, 0.25), box, 2, border_radius=20)
            _draw_lock(surface, (X0 + 56, TILE_Y + TILE_H // 2), p.muted)
            msg = s.text.fit(s.t("card.locked", n=need), 32, X1 - X0 - 140, p.muted, "bold")
            surface.blit(msg, msg.get_rect(midleft=(X0 + 100, TILE_Y + TILE_H // 2)))
            return
        done = state is PinState.CHECKED_IN or self.stamp_t is not None
        states = self.mode_states()
        for ms, rect in zip(states, self._tile_rects(len(states)), strict=True):
            self._draw_tile(surface, ms, rect, done)

    def _draw_tile(self, surface: pygame.Surface, ms: ModeState, rect: Rect, done: bool) -> None:
        s, p = self.s, self.s.palette
        r = pygame.Rect(rect.as_tuple())
        selected = self.mode is ms.mode and not done
        if done:
            fill, border, fg, note_fg = lighten(p.paper, 0.05), darken(p.paper, 0.2), p.muted, p.muted
        elif selected:
            fill, border, fg, note_fg = p.fill_primary, darken(p.primary, 0.25), CREAM, p.note_on_primary
        elif ms.ready:
            fill, border, fg, note_fg = lighten(p.paper, 0.5), p.primary, p.ink, p.text_jade
        else:
            fill, border, fg, note_fg = lighten(p.paper, 0.15), darken(p.paper, 0.3), darken(p.ink, 0.0), p.muted
        pygame.draw.rect(surface, fill, r, border_radius=20)
        pygame.draw.rect(surface, border, r, 3 if ms.ready and not done else 2, border_radius=20)
        steps = s.text.render(s.t("card.plus_steps", n=ms.steps), 28, fg if selected else p.text_primary if not done else p.muted,
                              "bold")
        surface.blit(steps, steps.get_rect(topright=(r.right - 20, r.y + 16)))
        title = s.text.fit(s.t(f"card.{ms.mode.value}"), 30, r.width - steps.get_width() - 56, fg, "bold")
        surface.blit(title, (r.x + 22, r.y + 12))
        note = s.t("card.done_today") if done else s.t(ms.note_key)
        if not done and ms.ready:
            note = "● " + note
        surface.blit(s.text.fit(note, 22, r.width - 44, note_fg, "sans", 16), (r.x + 22, r.y + 64))

    # the seal ----------------------------------------------------------------------------------------
    def _seal_base(self) -> pygame.Surface:
        if self._seal is None:
            s, p = self.s, self.s.palette
            seal = pygame.Surface((SEAL_SIZE, SEAL_SIZE), pygame.SRCALPHA)
            # A seal is carved in Chinese whatever the reading language (an English word reads as a
            # button, not a stamp); the +steps line beside it says what happened in words.
            glyphs = s.text.render("打卡", round(SEAL_SIZE * 0.3), (250, 238, 226), "serif")
            draw_seal(seal, seal.get_rect().inflate(-8, -8), p.primary, glyphs)
            self._seal = seal
        return self._seal

    def _seal_centre(self) -> tuple[int, int]:
        return round(PANEL.x + PANEL.w / 2), round(PANEL.y + PANEL.h / 2 + 10)

    def _draw_seal_at(self, surface: pygame.Surface, scale: float, angle: float, alpha: int) -> None:
        seal = self._seal_base()
        if scale != 1.0 or angle:
            seal = pygame.transform.rotozoom(seal, angle, scale)
        seal.set_alpha(alpha)
        surface.blit(seal, seal.get_rect(center=self._seal_centre()))
        self._seal_base().set_alpha(255)

    def _draw_stamp(self, surface: pygame.Surface) -> None:
        """The seal drops onto the card (scale 2.4 -> 1 with a slight turn), then '+N' floats up."""
        s, p = self.s, self.s.palette
        t = self.stamp_t or 0.0
        k = min(1.0, t / (STAMP_SECONDS * 0.45))
        ease = 1 - (1 - k) ** 3
        self._draw_seal_at(surface, 2.4 - 1.4 * ease, -12 * ease, round(120 + 135 * ease))
        cx, cy = self._seal_centre()
        if k >= 1.0:
            if t < STAMP_SECONDS * 0.45 + 0.25:  # ink splash ring on impact
                ring = (t - STAMP_SECONDS * 0.45) / 0.25
                pygame.draw.circle(surface, lighten(p.primary, 0.4), (cx, cy), round(150 + 60 * ring), 3)
            rise = min(1.0, (t - STAMP_SECONDS * 0.45) / 0.8)
            plus = s.text.render(s.t("card.plus_steps", n=self.stamp_steps), 48, p.text_primary, "bold")
            surface.blit(plus, plus.get_rect(center=(cx, round(cy - SEAL_SIZE / 2 - 26 - 16 * rise))))
            total = s.t("card.month_total", n=s.session.summary().month_steps)
            line = s.text.fit(total, 28, round(PANEL.w - 40), p.text_jade, "bold")
            surface.blit(line, line.get_rect(midtop=(cx, round(cy + SEAL_SIZE / 2 + 24))))
            label_y = TILE_Y - 48
            done = s.text.render(s.t("card.stamped"), 30, p.text_jade, "bold")
            offset = s.text.size(s.t("card.checkin"), 26, "bold")[0] + 28
            surface.blit(done, (X0 + offset, label_y - 4 + round(3 * math.sin(self.t * 4))))


def _draw_lock(surface: pygame.Surface, centre: tuple[int, int], colour: tuple[int, int, int]) -> None:
    cx, cy = centre
    pygame.draw.rect(surface, colour, (cx - 18, cy - 4, 36, 28), border_radius=5)
    pygame.draw.arc(surface, colour, (cx - 13, cy - 26, 26, 34), 0, math.pi, 5)
