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
from game.ui.layout import LOGICAL_SIZE, MIN_TOUCH, Rect, Scroll
from game.ui.text import PlacedText, edge_fade, inked
from game.ui.widgets import Button, darken, draw_close_icon, draw_panel, hit_button, lighten, shadow_surface
from scenes.decor import draw_seal

CARD = Rect(330, 110, 1260, 860)  # at normal text; larger text and --ui-scale grow it up to nearly the screen
STAMP_SECONDS = 1.1
PAD = 60
STORY_SHARE = 660 / 1140  # the story column's share of the two-column body
CHOICE_H = 56
SEAL_SIZE = 230
MODES = (CheckinMode.VISIT, CheckinMode.SCAN, CheckinMode.LEARN)
NARROW = 1.4  # from this text factor on, the body is one column (the quiz takes the whole body)
SCROLL_STEP = 90
CUE_GAP = 8  # px between the story text and the "Did you know?" pill under it
FADE_H = 36  # the least height over which a scrolled column fades out at a cut edge (grows with the text)


@dataclass(frozen=True)
class CardLayout:
    """Where the card's parts go at the current text scale (logical px), measured from the texts."""

    card: Rect
    x0: int
    x1: int
    rule_y: int  # the line under the header
    story: Rect  # the story column's view (it scrolls when its text is longer)
    panel: Rect | None  # the right column (quiz, or the seal); None when the story has the whole body
    quiz_wide: bool  # the quiz has the whole body (large text, Quiz chosen)
    label_y: int  # the "Check in" line and its message
    tile_y: int
    tile_h: int
    note_size: int  # one size for the tiles' notes
    note_lines: int


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
        self._layout: tuple[tuple[object, ...], CardLayout] | None = None
        self._story: tuple[tuple[object, ...], pygame.Surface] | None = None
        self.story = Scroll(Rect(0, 0, 0, 0))  # the story column scrolls when its text is longer than it
        self._drag = False
        self._dragged = 0.0
        self._shadow_size: tuple[int, int] | None = None
        self._seal_generation = -1
        self.placed: list[PlacedText] = []  # the texts of the card as drawn, and their boxes (layout tests)
        self.story_placed: list[PlacedText] = []  # likewise inside the story column (its own coordinates)
        self.stamp_placed: list[PlacedText] = []  # the seal animation's "+N" and total, once the seal lands
        self.cue: PlacedText | None = None  # the "Did you know?" cue at the story column's foot, while it is drawn

    def enter(self) -> None:
        self._shadow = None  # made at the card's size when first drawn

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
    def layout(self) -> CardLayout:
        """The card's geometry for the current text scale, language, state and mode (cached)."""
        t = self.s.text
        key = (t.generation, t.scale, self.s.lang, self.state(), self.mode, self.stamp_t is None)
        if self._layout is None or self._layout[0] != key:
            self._layout = (key, self._measure())
        return self._layout[1]

    def _measure(self) -> CardLayout:
        s, t = self.s, self.s.text
        k = t.px(100) / 100  # the text factor, large text included
        if k <= 1.0:
            card = CARD
        else:  # the card grows towards the screen's edges with the text
            w, h = min(1860.0, CARD.w + 1200 * (k - 1)), min(1040.0, CARD.h + 360 * (k - 1))
            card = Rect((LOGICAL_SIZE[0] - w) / 2, (LOGICAL_SIZE[1] - h) / 2, w, h)
        pad = PAD if k <= 1.0 else max(40, round(PAD - 20 * (k - 1)))
        x0, x1 = round(card.x + pad), round(card.x + card.w - pad)
        y0 = self._header_top(card)
        name_h = t.size("Ag", self._name_size(), "serif")[1]
        sub_h = max(t.size("Ag", 30)[1], t.size("Ag", 24, "bold")[1] + 4, 42)
        if self._header_one_line(card, x0):
            rule_y = y0 + max(name_h, sub_h) + 8
        else:
            rule_y = y0 + max(94, name_h - 2) + sub_h + 16
        if k <= 1.0:
            rule_y = max(round(card.y) + 212, rule_y)
        if self.icon is not None:
            rule_y = max(rule_y, y0 + 158)  # under the landmark's picture
        body_top = rule_y + 24
        # the tiles: title and steps on a line, the note under them (two lines when the text is large)
        states = self.mode_states()
        tile_w = (x1 - x0 - 24 * (max(len(states), 1) - 1)) // max(len(states), 1) - 44
        checked = self.state() is PinState.CHECKED_IN or self.stamp_t is not None
        # the notes the tiles show now (all "checked in today" once done)
        notes = [s.t("card.done_today")] if checked else [s.t(ms.note_key) for ms in states]
        most = 2 if k < 2.2 else 3  # very large text: a third line rather than a cut note
        note_size = min((t.paragraph_size("● " + n, 22, tile_w, most, "sans", 16) for n in notes), default=22)
        def lines_at(size: int) -> int:
            return max((len(t.wrap("● " + n, size, tile_w, "sans")) for n in notes), default=1)

        # a little smaller (to 85 %) when that saves a line: no note ends in a lone word or character
        note_size = max(range(note_size, max(16, round(note_size * 0.85)) - 1, -1),
                        key=lambda size: (-lines_at(size), size))
        note_lines = min(most, lines_at(note_size))
        title_h = max(t.size("Ag", 30, "bold")[1], t.size("Ag", 28, "bold")[1])
        tile_h = max(112, 12 + title_h + 8 + note_lines * round(t.px(note_size) * 1.2) + (14 if k <= 1.0 else 22))
        if self.state() is PinState.LOCKED:  # one box with the lock and what opens it
            tile_h = max(112, t.size("Ag", 32, "bold")[1] + 40)
        tile_y = round(card.y + card.h) - (48 if k <= 1.0 else 36) - tile_h
        label_y = tile_y - max(48, t.size("Ag", 26, "bold")[1] + 10)
        body_bottom = label_y - (14 if k <= 1.0 else 24)
        quiz_wide = False
        story_w = round((x1 - x0 - 40) * STORY_SHARE)
        side = Rect(x0 + story_w + 40, body_top, x1 - (x0 + story_w + 40), body_bottom - body_top)
        learning = self.mode is CheckinMode.LEARN and self.lm.quiz is not None
        if (k < NARROW and checked) or (learning and self._learn_fits(side)) or (
                not checked and not learning and self._preview_fits(side)):
            panel: Rect | None = side
            story = Rect(x0, body_top, story_w, body_bottom - body_top)
        elif checked:  # the seal beside the story
            side = min((x1 - x0) // 2, max(SEAL_SIZE + 90, *(w + 40 for w in self._stamp_widths())))
            panel = Rect(x1 - side, body_top, side, body_bottom - body_top)
            story = Rect(x0, body_top, x1 - side - 40 - x0, body_bottom - body_top)
        elif learning:  # the quiz has the whole body (the Quiz tile turns into "Story", the way back)
            panel, quiz_wide = Rect(x0, body_top, x1 - x0, body_bottom - body_top), True
            story = Rect(x0, body_top, 0, 0)
        else:  # the story, then "did you know", in one scrolling column
            panel, story = None, Rect(x0, body_top, x1 - x0, body_bottom - body_top)
        return CardLayout(card, x0, x1, rule_y, story, panel, quiz_wide, label_y, tile_y, tile_h, note_size,
                          note_lines)

    def _preview_fits(self, panel: Rect) -> bool:
        """Whether "did you know" (question, every answer, the hint) fits the right column as drawn there."""
        quiz, t = self.lm.quiz, self.s.text
        if quiz is None:
            return True
        w = round(panel.w - 48)
        question = quiz.question.get(self.s.lang)
        size = t.paragraph_size(question, 30, w, 4, "bold", 20)
        need = 20 + self._quiz_head_h() + len(t.wrap(question, size, w, "bold", 4)) * round(t.px(size) * 1.3) + 14
        need += len(quiz.choices) * self._preview_step()
        hint = self.s.t("card.quiz_teaser", n=0)
        need += 2 * round(t.px(t.paragraph_size(hint, 24, w, 2, "sans", 18)) * 1.3) + 16
        return need <= panel.h

    def _preview_step(self) -> int:
        """The height of one answer line in the "did you know" preview."""
        t = self.s.text
        radius = max(16, t.size("A", 24, "bold")[1] // 2 - 2)
        return max(48, 2 * radius + 12, t.size("Ag", 26)[1] + 8)

    def _header_parts(self, card: Rect, x0: int) -> tuple[int, int, str, str]:
        """(x of the names, the room for them, the badge's text, the other language's name)."""
        s = self.s
        x_text = x0 + 172 if self.icon is not None else x0
        badge = {PinState.CHECKED_IN: "card.done_today", PinState.LOCKED: "card.status_locked",
                 PinState.AVAILABLE: "card.available"}[self.state()]
        return x_text, round(card.x + card.w - 120) - x_text, s.t(badge), self.lm.name.get(
            "en" if s.lang == "zh" else "zh")

    def _header_one_line(self, card: Rect, x0: int) -> bool:
        """Large text: the other language's name and the badge go beside the name when they fit there."""
        t = self.s.text
        if t.px(100) / 100 < NARROW:
            return False
        _, room, badge, other = self._header_parts(card, x0)
        need = (t.size(self.lm.name.get(self.s.lang), self._name_size(), "serif")[0] + 32 + t.size(other, 30)[0]
                + 24 + t.size(badge, 24, "bold")[0] + 36)
        return need <= room

    def _header_top(self, card: Rect) -> int:
        return round(card.y + (44 if self.s.text.scale.factor <= 1.0 else 36))

    def _name_size(self) -> int:
        """The landmark's name: 64 at normal text, never drawn over 96 px (it would crowd the body)."""
        size = 64
        while size > 36 and self.s.text.px(size) > 96:
            size -= 2
        return size

    def _tile_rects(self, n: int) -> list[Rect]:
        lay = self.layout()
        w = (lay.x1 - lay.x0 - 24 * (max(n, 1) - 1)) / max(n, 1)
        return [Rect(lay.x0 + i * (w + 24), lay.tile_y, w, lay.tile_h) for i in range(n)]

    def _choice_rects(self) -> list[Rect]:
        return self._quiz_plan()[2]

    def _quiz_plan(self) -> tuple[int | None, int, list[Rect]]:
        """(the quiz heading's y, or None when there is no room for it; the question's y; the answer
        buttons). In the right column the answers are stacked at its foot; when the quiz has the whole
        body they sit in a row (as many columns as their labels allow) under the question, the block
        centred in the panel."""
        assert self.lm.quiz is not None
        lay, t = self.layout(), self.s.text
        panel = lay.panel
        assert panel is not None
        labels = [c.get(self.s.lang) for c in self.lm.quiz.choices]
        n = len(labels)
        h = self._choice_h()
        gap = 8 if not lay.quiz_wide else 16
        inner_x, inner_w = panel.x + 20, panel.w - 40
        cols = 1
        if lay.quiz_wide:
            for c in range(n, 0, -1):
                w = (inner_w - gap * (c - 1)) / c
                if all(t.size(label, 26, "bold")[0] <= w - 32 for label in labels):
                    cols = c
                    break
        rows = -(-n // cols)
        w = (inner_w - gap * (cols - 1)) / cols
        block = rows * h + (rows - 1) * gap
        top = panel.y + panel.h - 16 - block
        head_y: int | None = round(panel.y + 20)
        q_y = round(panel.y + 20) + self._quiz_head_h()
        if lay.quiz_wide:  # right under the question (its whole width is there), not at the panel's foot
            question = self.lm.quiz.question.get(self.s.lang)
            size = 28
            while size > 20 and len(t.wrap(question, size, round(panel.w - 48), "bold")) > 2:
                size -= 1
            q_h = len(t.wrap(question, size, round(panel.w - 48), "bold")) * round(t.px(size) * 1.25)
            head_h = self._quiz_head_h()
            if 20 + head_h + q_h + 32 + block + 16 > panel.h:  # no room for the heading: the Quiz tile says it
                head_h = 0
            gap_q = max(32, min(64, round(panel.h - 36 - head_h - q_h - block) // 3))
            spare = max(0, round(panel.h) - 36 - head_h - q_h - gap_q - block)
            y = round(panel.y + 20) + spare // 2
            head_y, q_y = (y if head_h else None), y + head_h
            top = q_y + q_h + gap_q
        return head_y, q_y, [Rect(inner_x + (i % cols) * (w + gap), top + (i // cols) * (h + gap), w, h)
                             for i in range(n)]

    def _choice_h(self) -> int:
        return max(CHOICE_H, self.s.text.size("Ag", 26, "bold")[1] + 12)

    def _learn_fits(self, panel: Rect) -> bool:
        """Whether the quiz (question and stacked answers) fits the right column beside the story."""
        quiz, t = self.lm.quiz, self.s.text
        if quiz is None:
            return True
        lines = len(t.wrap(quiz.question.get(self.s.lang), 20, round(panel.w - 48), "bold"))
        n = len(quiz.choices)
        need = 20 + self._quiz_head_h() + lines * round(t.px(20) * 1.25) + 12 + n * self._choice_h() + (n - 1) * 8
        return need + 16 <= panel.h and all(t.size(c.get(self.s.lang), 26, "bold")[0] <= panel.w - 40 - 32
                                            for c in quiz.choices)

    def _quiz_head_h(self) -> int:
        return max(46, self.s.text.size("Ag", 26, "bold")[1] + 8)

    def _build_buttons(self) -> list[Button]:
        s = self.s
        lay = self.layout()
        out = [Button("close", self._close_rect(), "", "secondary")]
        if self.state() is PinState.AVAILABLE and self.stamp_t is None:
            states = self.mode_states()
            for ms, rect in zip(states, self._tile_rects(len(states)), strict=True):
                back = ms.mode is CheckinMode.LEARN and self.mode is CheckinMode.LEARN and lay.quiz_wide
                out.append(Button(f"mode:{ms.mode.value}", rect, s.t("card.story" if back else f"card.{ms.mode.value}"),
                                  "chip", selected=self.mode is ms.mode))
            if self.mode is CheckinMode.LEARN and self.lm.quiz is not None and lay.panel is not None:
                for i, (choice, rect) in enumerate(zip(self.lm.quiz.choices, self._choice_rects(), strict=True)):
                    out.append(Button(f"choice:{i}", rect, choice.get(s.lang), "secondary", selected=self.choice == i))
        return out

    def _close_rect(self) -> Rect:
        card = self.layout().card
        return Rect(card.x + card.w - 96, card.y + 28, 64, 64)

    def tap_targets(self) -> dict[str, tuple[float, float]]:
        """Named places to tap, for QA scenarios (game/qa/targets.py): close, check-in modes, answers."""
        out: dict[str, tuple[float, float]] = {}
        for button in self._build_buttons():
            name = button.id
            if name.startswith("choice:"):
                name = "answer:" + "ABCDEFGH"[int(name.split(":", 1)[1])]
            out[name] = button.rect.center
        out["back"] = out["close"]
        if self.cue is not None:
            out["did_you_know"] = self.cue.box.center
        return out

    # input ---------------------------------------------------------------------------------------
    def handle(self, action: Action) -> bool:
        k = action.kind
        if k is Kind.BACK:
            self.request(Pop())
            return True
        if k is Kind.POINTER_DOWN and action.pos is not None and self.layout().story.contains(*action.pos):
            self._drag, self._dragged = True, 0.0
            return True
        if k is Kind.POINTER_MOVE and self._drag:
            self.story.scroll_by(-action.delta[1])
            self._dragged += abs(action.delta[1])
            return True
        if k is Kind.POINTER_UP and action.pos is not None:
            dragged, self._drag, self._dragged = self._dragged > 12, False, 0.0
            if dragged:
                return True
            if not self.layout().card.contains(*action.pos):
                self.request(Pop())
                return True
            if self.cue is not None and self.cue.box.collidepoint(action.pos):
                self.show_quiz()
                return True
            button = hit_button(self._build_buttons(), action.pos)
            if button is not None:
                self._press(button.id)
            return True
        if k is Kind.SCROLL:
            self.story.scroll_by(-action.delta[1] * SCROLL_STEP)
            return True
        if k in (Kind.UP, Kind.DOWN) and action.pressed and self.story.room:
            self.story.scroll_by(SCROLL_STEP if k is Kind.DOWN else -SCROLL_STEP)
            return True
        # Modal: the map underneath gets nothing, but app-wide shortcuts (language, debug) still work.
        return k not in (Kind.TOGGLE_LANGUAGE, Kind.TOGGLE_DEBUG, Kind.SCREENSHOT)

    def _press(self, ident: str) -> None:
        if ident == "close":
            self.request(Pop())
        elif ident == f"mode:{CheckinMode.SCAN.value}" and self.scenes is not None:
            self.mode, self.choice, self.message = None, None, None
            self.request(Push(self.scenes(f"scan:{self.lm.id}")))  # this landmark's poster only
        elif ident == f"mode:{CheckinMode.LEARN.value}" and self.mode is CheckinMode.LEARN and \
                self.layout().quiz_wide:
            self.mode, self.choice = None, None  # the quiz hid the story: its tile, now "Story", shows it
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
        self._draw_story_view(surface)
        if self.stamp_t is not None:
            self._draw_stamp(surface)

    def _overlay_surface(self) -> pygame.Surface:
        """The dimmed screen with the card on it, painted again only when what it shows changes.

        Wrapping the story and fitting the texts cost ~6 ms a frame; one cached full-screen blit
        (the dim is per-pixel alpha over the live map, the card itself opaque) costs about 2.
        """
        s = self.s
        state = self.state()
        key = (s.lang, state, self.mode, self.choice, self.message, s.session.revision, self.stamp_t is None,
               s.text.generation)
        if self._overlay is None or self._overlay[0] != key:
            overlay = pygame.Surface(LOGICAL_SIZE, pygame.SRCALPHA)
            overlay.fill((20, 14, 10, 150))
            self.placed = []
            self._draw_card(overlay, state)
            self._overlay = (key, overlay)
        return self._overlay[1]

    def _place(self, role: str, text: str, rect: pygame.Rect, box: Rect | pygame.Rect) -> None:
        box = box if isinstance(box, pygame.Rect) else pygame.Rect(box.as_tuple())
        self.placed.append(PlacedText(role, text, rect, box))

    def _draw_card(self, surface: pygame.Surface, state: PinState) -> None:
        p = self.s.palette
        card = self.layout().card
        size = (round(card.w), round(card.h))
        if self._shadow is None or self._shadow_size != size:
            self._shadow, self._shadow_size = shadow_surface(size, 26, 110, 24), size
        draw_panel(surface, card, lighten(p.paper, 0.35), radius=26, border=darken(p.paper, 0.45), border_width=3,
                   shadow=self._shadow)
        inner = pygame.Rect(card.as_tuple()).inflate(-28, -28)
        pygame.draw.rect(surface, p.accent, inner, 2, border_radius=18)
        self._draw_header(surface, state)
        self._draw_panel(surface, state)
        self._draw_checkin_row(surface, state)
        close = pygame.Rect(self._close_rect().as_tuple())
        pygame.draw.circle(surface, p.paper, close.center, 32)
        pygame.draw.circle(surface, darken(p.paper, 0.35), close.center, 32, 2)
        draw_close_icon(surface, close.center, 13, p.ink, 5)

    def _draw_header(self, surface: pygame.Surface, state: PinState) -> None:
        s, p = self.s, self.s.palette
        lay = self.layout()
        card, x0, x1 = lay.card, lay.x0, lay.x1
        card_box = pygame.Rect(card.as_tuple())
        y0 = self._header_top(card)
        x_text, name_w, badge_text, sub_text = self._header_parts(card, x0)
        if self.icon is not None:
            surface.blit(self.icon(self.lm.icon, 150), (x0 - 6, y0 - 4))
        size = self._name_size()
        name_text = self.lm.name.get(s.lang)
        name = s.text.fit(name_text, size, name_w, p.ink, "serif", min(36, size))
        surface.blit(name, (x_text, y0))
        self._place("name", name_text, inked(name, (x_text, y0)), card_box)
        badge_fill, badge_fg = {  # every pair meets WCAG AA (tests/ui/test_contrast.py)
            PinState.CHECKED_IN: (p.fill_gold, p.ink),
            PinState.LOCKED: (p.fill_grey, CREAM),
            PinState.AVAILABLE: (p.fill_jade, CREAM),
        }[state]
        glyphs = s.text.fit(badge_text, 24, 240 if s.text.scale.factor <= 1 else 480, badge_fg, "bold")
        badge_w = glyphs.get_width() + 36
        if self._header_one_line(card, x0):  # the other name beside the name, on its baseline
            sub = s.text.render(sub_text, 30, p.muted, "sans")
            sub_x = x_text + name.get_width() + 32
            sub_y = y0 + name.get_height() * 3 // 4 - sub.get_height() * 3 // 4
        else:
            sub = s.text.fit(sub_text, 30, name_w - badge_w - 28, p.muted, "sans")
            sub_x = x_text + 4
            sub_y = y0 + min(max(94, name.get_height() - 2), lay.rule_y - 4 - sub.get_height() - y0)
        surface.blit(sub, (sub_x, sub_y))
        self._place("other name", sub_text, inked(sub, (sub_x, sub_y)), card_box)
        badge = pygame.Rect(0, 0, badge_w, max(42, glyphs.get_height() + 4))
        badge.midleft = (sub_x + sub.get_width() + 24, sub_y + sub.get_height() // 2)
        pygame.draw.rect(surface, badge_fill, badge, border_radius=min(21, badge.height // 2))
        at = glyphs.get_rect(center=badge.center).topleft
        surface.blit(glyphs, at)
        self._place("badge", badge_text, inked(glyphs, at), badge)
        pygame.draw.line(surface, darken(p.paper, 0.25), (x0, lay.rule_y), (x1, lay.rule_y), 2)

    # the story column (scrolls) -----------------------------------------------------------------------
    def _draw_story_view(self, surface: pygame.Surface) -> None:
        lay = self.layout()
        if lay.story.w <= 0:
            return
        content = self._story_surface()
        view = pygame.Rect(lay.story.as_tuple())
        cue = self._quiz_cue(view, content.get_height())
        # while the cue shows, the text keeps to the column above it: the pill never lies on a line
        text = view if cue is None else pygame.Rect(view.x, view.y, view.width, cue[1].y - CUE_GAP - view.y)
        self.story.set_content(Rect(*text), content.get_height())
        surface.blit(content, text.topleft, pygame.Rect(0, round(self.story.offset), text.width, text.height))
        for top, more in ((False, self.story.more_below), (True, self.story.more_above)):
            if more:  # a line the edge cuts fades into the paper (no half glyphs), which says there is more
                height = min(self.fade_height(), text.height // 2)
                fade = edge_fade(text.width, height, lighten(self.s.palette.paper, 0.35), top)
                surface.blit(fade, (text.x, text.y if top else text.bottom - height))
        self.cue = None if cue is None else self._draw_quiz_cue(surface, *cue)
        if self.story.room:  # and a scroll bar
            p = self.s.palette
            track = pygame.Rect(view.right + 12, view.y + 6, 6, view.height - 12)
            pygame.draw.rect(surface, darken(p.paper, 0.12), track, border_radius=3)
            thumb_y, thumb_h = self.story.thumb(track.y, track.height)
            pygame.draw.rect(surface, p.muted, (track.x, round(thumb_y), 6, round(thumb_h)), border_radius=3)

    def _quiz_heading_y(self) -> int | None:
        """Where "Did you know?" starts in the story column's content, when the column holds it."""
        return next((t.rect.y for t in self.story_placed if t.role == "quiz heading"), None)

    def _quiz_cue(self, view: pygame.Rect, content_h: int) -> tuple[pygame.Surface, pygame.Rect] | None:
        """While "Did you know?" lies below the text's visible part: its label and the pill at the
        column's foot that names it, in a strip of its own under the text."""
        head_y = self._quiz_heading_y()
        if head_y is None or content_h <= view.height:
            return None
        t = self.s.text
        label = t.fit(self.s.t("card.did_you_know"), 24, view.width - 120, self.s.palette.text_primary, "bold", 18)
        pill = pygame.Rect(0, 0, label.get_width() + max(14, label.get_height() // 2) + 52,
                           max(MIN_TOUCH, label.get_height() + 12))
        pill.midbottom = (view.centerx, view.bottom - 4)
        if head_y + 24 <= self.story.offset + (pill.y - CUE_GAP - view.y):
            return None
        return label, pill

    def _draw_quiz_cue(self, surface: pygame.Surface, label: pygame.Surface, pill: pygame.Rect) -> PlacedText:
        """The pill, an arrow down and "Did you know?"; tapping it scrolls there."""
        p = self.s.palette
        arrow = max(14, label.get_height() // 2)
        pygame.draw.rect(surface, lighten(p.paper, 0.5), pill, border_radius=pill.height // 2)
        pygame.draw.rect(surface, p.primary, pill, 2, border_radius=pill.height // 2)
        ax, ay = pill.x + 22 + arrow // 2, pill.centery
        pygame.draw.polygon(surface, p.primary, [(ax - arrow // 2, ay - arrow // 4), (ax + arrow // 2, ay - arrow // 4),
                                                 (ax, ay + arrow // 3)])
        at = label.get_rect(midleft=(pill.x + 30 + arrow, pill.centery)).topleft
        surface.blit(label, at)
        return PlacedText("quiz cue", self.s.t("card.did_you_know"), inked(label, at), pill)

    def show_quiz(self) -> None:
        """Scroll the story column to "Did you know?"."""
        head_y = self._quiz_heading_y()
        if head_y is not None:
            self.story.scroll_by(head_y - 8 - self.story.offset)

    def fade_height(self) -> int:
        """How tall the story column's edge fade is: about one line of the story."""
        return max(FADE_H, round(self.s.text.px(24) * 1.4))

    def _story_surface(self) -> pygame.Surface:
        s = self.s
        lay = self.layout()
        key = (s.lang, s.text.generation, lay, self.state(), self.stamp_t is None)
        if self._story is None or self._story[0] != key:
            self.story_placed = []
            self._story = (key, self._paint_story(lay))
        return self._story[1]

    def _paint_story(self, lay: CardLayout) -> pygame.Surface:
        """The story column on a surface of its own: the story, the other language's, and (when the quiz
        has no column of its own) "did you know". It fits the view at normal text; larger text scrolls."""
        s, p, t = self.s, self.s.palette, self.s.text
        width, view_h = round(lay.story.w), round(lay.story.h)
        surface = pygame.Surface((width + 1, max(view_h, 4000)), pygame.SRCALPHA)
        box = surface.get_rect()

        def place(role: str, text: str, rect: pygame.Rect) -> None:
            self.story_placed.append(PlacedText(role, text, rect, box, "story"))

        heading_text = s.t("card.story")
        heading = t.fit(heading_text, 26, width, p.text_primary, "bold")
        surface.blit(heading, (0, 0))
        place("story heading", heading_text, inked(heading, (0, 0)))
        head_h = max(46, heading.get_height() + 4)  # the story starts under its heading at any text scale
        story = self.lm.story.get(s.lang)
        with_quiz = lay.panel is None and self.lm.quiz is not None
        area_h = view_h - head_h
        size = 32
        # the largest size (32..22) whose wrapped story fits the column's height; past that it scrolls
        while size > 22 and len(t.wrap(story, size, width, "sans")) * round(t.px(size) * 1.5) > area_h:
            size -= 1
        used, ink = t.draw_paragraph_inked(surface, story, (0, head_h), width, size, p.ink, "sans", 1.5)
        place("story", story, ink)
        y = head_h + used
        # the story in the other language too, smaller, where there is room (cards are bilingual)
        other = self.lm.story.get("en" if s.lang == "zh" else "zh")
        room = view_h - (y + 18)
        if with_quiz or room >= 3 * round(t.px(18) * 1.35):
            y += 18
            pygame.draw.line(surface, darken(p.paper, 0.2), (0, y - 8), (120, y - 8), 2)
            lines = max(1, room // round(t.px(24) * 1.35))
            size = 24 if with_quiz else t.paragraph_size(other, 24, width, lines, "sans", 18)
            used, ink = t.draw_paragraph_inked(surface, other, (0, y + 6), width, size, p.muted, "sans", 1.35)
            place("other story", other, ink)
            y += 6 + used
        if with_quiz:
            y = self._paint_preview(surface, (0, y + 28), width, place)
        height = max(view_h, y + 8) if y > view_h else view_h
        return surface.subsurface((0, 0, surface.get_width(), min(height, surface.get_height()))).copy()

    def _paint_preview(self, surface: pygame.Surface, at: tuple[int, int], w: int,
                       place: Callable[[str, str, pygame.Rect], None]) -> int:
        """ "Did you know?": the question and its answers, not yet to choose (that is the Quiz tile's);
        returns the y under it."""
        s, p, t = self.s, self.s.palette, self.s.text
        quiz = self.lm.quiz
        assert quiz is not None
        x, y = at
        heading_text = s.t("card.did_you_know")
        heading = t.fit(heading_text, 26, w, p.text_primary, "bold")
        surface.blit(heading, (x, y))
        place("quiz heading", heading_text, inked(heading, (x, y)))
        y += max(46, heading.get_height() + 6)
        question = quiz.question.get(s.lang)
        used, ink = t.draw_paragraph_inked(surface, question, (x, y), w, 30, p.ink, "bold", 1.3)
        place("question", question, ink)
        y += used + 14
        for i, choice in enumerate(quiz.choices):
            y = self._preview_choice(surface, i, choice.get(s.lang), (x, y), w, place)
        if self.state() is PinState.AVAILABLE and CheckinMode.LEARN in self.lm.modes:
            hint = s.t("card.quiz_teaser", n=self.lm.modes.get(CheckinMode.LEARN, 0) + s.campaign.meta.quiz_steps)
            used, ink = t.draw_paragraph_inked(surface, hint, (x, y + 10), w, 24, p.muted, "sans", 1.3)
            place("teaser", hint, ink)
            y += 10 + used
        return y

    def _preview_choice(self, surface: pygame.Surface, i: int, text: str, at: tuple[int, int], w: int,
                        place: Callable[[str, str, pygame.Rect], None]) -> int:
        """One answer of the preview: a lettered disc and the answer beside it; returns the next line's y."""
        p, t = self.s.palette, self.s.text
        x, y = at
        letter = t.render("ABCDEFGH"[i], 24, CREAM, "bold")
        radius = max(16, letter.get_height() // 2 - 2)
        line = t.fit(text, 26, w - 2 * radius - 16, p.ink, "sans", 20)
        cy = y + max(18, radius, line.get_height() // 2)
        pygame.draw.circle(surface, p.fill_grey, (x + radius, cy), radius)
        surface.blit(letter, letter.get_rect(center=(x + radius, cy)))
        where = line.get_rect(midleft=(x + 2 * radius + 12, cy))
        surface.blit(line, where)
        place(f"choice {i}", text, inked(line, where.topleft))
        return y + self._preview_step()

    # the right column -----------------------------------------------------------------------------
    def _draw_panel(self, surface: pygame.Surface, state: PinState) -> None:
        """The right column: the quiz ("did you know"), or the stamped seal once checked in."""
        s, p, t = self.s, self.s.palette, self.s.text
        lay = self.layout()
        panel = lay.panel
        if panel is None:
            return
        box = pygame.Rect(panel.as_tuple())
        draw_panel(surface, panel, lighten(p.paper, 0.1), radius=20, border=darken(p.paper, 0.2))
        x, w = round(panel.x + 24), round(panel.w - 48)
        y = round(panel.y + 20)
        if state is PinState.CHECKED_IN and self.stamp_t is None:
            self._draw_seal_at(surface, self._seal_px() / SEAL_SIZE, 0.0, 255)
            if not lay.quiz_wide and lay.panel is not None and t.scale.factor < NARROW:
                msg = s.t("card.come_back")
                msg_y = round(panel.y + panel.h - 84)
                size = t.paragraph_size(msg, 24, w, 2, "sans", 18)
                _, ink = t.draw_paragraph_inked(surface, msg, (x, msg_y), w, size, p.muted, "sans", 1.3, 2)
                self._place("come back", msg, ink, box)
            return
        if self.stamp_t is not None:
            return  # the seal animation owns the panel
        quiz = self.lm.quiz
        if quiz is None:
            heading = t.fit(s.t("card.how"), 26, w, p.text_primary, "bold")
            surface.blit(heading, (x, y))
            self._place("how heading", s.t("card.how"), inked(heading, (x, y)), box)
            y += max(48, heading.get_height() + 6)
            for ms in self.mode_states():
                line = f"{s.t('card.' + ms.mode.value)}: {s.t(ms.note_key)}"
                size = t.paragraph_size(line, 24, w, 2, "sans", 18)
                used, ink = t.draw_paragraph_inked(surface, line, (x, y), w, size, p.ink, "sans", 1.3, 2)
                self._place(f"how {ms.mode.value}", line, ink, box)
                y += used + 12
            return
        heading_text = s.t("card.quiz") if self.mode is CheckinMode.LEARN else s.t("card.did_you_know")
        question = quiz.question.get(s.lang)
        learning = self.mode is CheckinMode.LEARN and state is PinState.AVAILABLE
        head_y, q_y, choices = self._quiz_plan() if learning else (y, y + self._quiz_head_h(), [])
        if head_y is not None:
            heading = t.fit(heading_text, 26, w, p.text_primary, "bold")
            surface.blit(heading, (x, head_y))
            self._place("quiz heading", heading_text, inked(heading, (x, head_y)), box)
        y = q_y
        if learning:
            room = round(choices[0].y) - 12 - y
            size = 28
            step = lambda sz: round(t.px(sz) * 1.25)  # noqa: E731
            while size > 20 and len(t.wrap(question, size, w, "bold")) * step(size) > room:
                size -= 1
            lines = max(1, room // step(size))
            _, ink = t.draw_paragraph_inked(surface, question, (x, y), w, size, p.ink, "bold", 1.25, lines)
            self._place("question", question, ink, box)
            colours = {"primary": p.primary, "paper": lighten(p.paper, 0.5), "ink": p.ink}
            for button in self._build_buttons():
                if button.id.startswith("choice:"):
                    wrong = self.choice is not None and button.id == f"choice:{self.choice}"
                    button.style = "chip" if wrong else "secondary"
                    drawn = button.draw(surface, t, colours, 26)
                    if drawn is not None:
                        self._place(button.id, button.label, drawn[0], pygame.Rect(button.rect.as_tuple()))
            return
        # a preview: answering happens in Quiz mode
        size = t.paragraph_size(question, 30, w, 4, "bold", 20)
        used, ink = t.draw_paragraph_inked(surface, question, (x, y), w, size, p.ink, "bold", 1.3, 4)
        self._place("question", question, ink, box)
        y += used + 14
        hint = s.t("card.quiz_teaser", n=self.lm.modes.get(CheckinMode.LEARN, 0) + s.campaign.meta.quiz_steps)
        show_hint = state is PinState.AVAILABLE and CheckinMode.LEARN in self.lm.modes
        hint_size = t.paragraph_size(hint, 24, w, 2, "sans", 18)
        hint_h = 2 * round(t.px(hint_size) * 1.3) if show_hint else 0
        bottom = round(panel.y + panel.h) - 16 - hint_h

        def place(role: str, text: str, rect: pygame.Rect) -> None:
            self._place(role, text, rect, box)

        for i, choice in enumerate(quiz.choices):
            if y + max(48, t.size("Ag", 26)[1] + 8) > bottom:
                break  # no room for all the answers: the Quiz tile shows them
            y = self._preview_choice(surface, i, choice.get(s.lang), (x, y), w, place)
        if show_hint:
            _, ink = t.draw_paragraph_inked(surface, hint, (x, bottom), w, hint_size, p.muted, "sans", 1.3, 2)
            self._place("teaser", hint, ink, box)

    def _draw_checkin_row(self, surface: pygame.Surface, state: PinState) -> None:
        s, p, t = self.s, self.s.palette, self.s.text
        lay = self.layout()
        x0, x1, card_box = lay.x0, lay.x1, pygame.Rect(lay.card.as_tuple())
        label_text = s.t("card.checkin")
        label = t.render(label_text, 26, p.muted, "bold")
        surface.blit(label, (x0, lay.label_y))
        self._place("checkin label", label_text, inked(label, (x0, lay.label_y)), card_box)
        msg_x = x0 + label.get_width() + 28
        message = self.message
        if message is None and state is PinState.CHECKED_IN and lay.panel is not None and t.scale.factor >= NARROW:
            message = (s.t("card.come_back"), True)  # the seal's column has no room for it
        if message is not None and self.stamp_t is None:
            text, good = message
            colour = p.text_jade if good else p.text_primary
            line = t.fit(text, 26, x1 - msg_x, colour, "bold", 18)
            surface.blit(line, (msg_x, lay.label_y))
            self._place("message", text, inked(line, (msg_x, lay.label_y)), card_box)
        if state is PinState.LOCKED:
            need = max(0, self.lm.unlock_after - distinct_checkins(s.session.progress))
            box = pygame.Rect(x0, lay.tile_y, x1 - x0, lay.tile_h)
            pygame.draw.rect(surface, lighten(p.paper, 0.05), box, border_radius=20)
            pygame.draw.rect(surface, darken(p.paper, 0.25), box, 2, border_radius=20)
            _draw_lock(surface, (x0 + 56, box.centery), p.muted)
            text = s.t("card.locked", n=need)
            msg = t.fit(text, 32, x1 - x0 - 140, p.muted, "bold", 20)
            where = msg.get_rect(midleft=(x0 + 100, box.centery))
            surface.blit(msg, where)
            self._place("locked", text, inked(msg, where.topleft), box)
            return
        done = state is PinState.CHECKED_IN or self.stamp_t is not None
        states = self.mode_states()
        for ms, rect in zip(states, self._tile_rects(len(states)), strict=True):
            self._draw_tile(surface, ms, rect, done)

    def _draw_tile(self, surface: pygame.Surface, ms: ModeState, rect: Rect, done: bool) -> None:
        s, p, t = self.s, self.s.palette, self.s.text
        lay = self.layout()
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
        if selected and ms.mode is CheckinMode.LEARN and lay.quiz_wide:
            self._draw_story_tile(surface, r)
            return
        pygame.draw.rect(surface, fill, r, border_radius=20)
        pygame.draw.rect(surface, border, r, 3 if ms.ready and not done else 2, border_radius=20)
        steps_text = s.t("card.plus_steps", n=ms.steps)
        steps = t.render(steps_text, 28, fg if selected else p.text_primary if not done else p.muted, "bold")
        at = steps.get_rect(topright=(r.right - 20, r.y + 16)).topleft
        surface.blit(steps, at)
        self._place(f"tile {ms.mode.value} steps", steps_text, inked(steps, at), r)
        title_text = s.t(f"card.{ms.mode.value}")
        title = t.fit(title_text, 30, r.width - steps.get_width() - 56, fg, "bold", 20)
        surface.blit(title, (r.x + 22, r.y + 12))
        self._place(f"tile {ms.mode.value}", title_text, inked(title, (r.x + 22, r.y + 12)), r)
        note = s.t("card.done_today") if done else s.t(ms.note_key)
        if not done and ms.ready:
            note = "● " + note
        note_y = r.y + max(64, 12 + title.get_height() + 8)
        _, ink = t.draw_paragraph_inked(surface, note, (r.x + 22, note_y), r.width - 44, lay.note_size, note_fg,
                                        "sans", 1.2, lay.note_lines)
        self._place(f"tile {ms.mode.value} note", note, ink, r)

    def _draw_story_tile(self, surface: pygame.Surface, r: pygame.Rect) -> None:
        """While the quiz covers the story, the Quiz tile turns into the way back to it: "◀ Story"."""
        s, p, t = self.s, self.s.palette, self.s.text
        pygame.draw.rect(surface, lighten(p.paper, 0.5), r, border_radius=20)
        pygame.draw.rect(surface, p.primary, r, 3, border_radius=20)
        text = s.t("card.story")
        label = t.fit(text, 30, r.width - 100, p.text_primary, "bold", 20)
        arrow = max(16, label.get_height() // 2)
        x = r.centerx - (arrow + 16 + label.get_width()) // 2
        pygame.draw.polygon(surface, p.primary, [(x + arrow * 3 // 4, r.centery - arrow // 2), (x, r.centery),
                                                 (x + arrow * 3 // 4, r.centery + arrow // 2)])
        at = label.get_rect(midleft=(x + arrow + 16, r.centery)).topleft
        surface.blit(label, at)
        self._place(f"tile {CheckinMode.LEARN.value}", text, inked(label, at), r)

    # the seal ----------------------------------------------------------------------------------------
    def _seal_base(self) -> pygame.Surface:
        if self._seal is None or self._seal_generation != self.s.text.generation:
            s, p = self.s, self.s.palette
            self._seal_generation = s.text.generation
            seal = pygame.Surface((SEAL_SIZE, SEAL_SIZE), pygame.SRCALPHA)
            # A seal is carved in Chinese whatever the reading language (an English word reads as a
            # button, not a stamp); the +steps line beside it says what happened in words.
            glyphs = s.text.render("打卡", s.text.size_for_px(round(SEAL_SIZE * 0.3)), (250, 238, 226), "serif")
            draw_seal(seal, seal.get_rect().inflate(-8, -8), p.primary, glyphs)
            self._seal = seal
        return self._seal

    def _stamp_texts(self) -> tuple[str, str]:
        """The "+N steps" over the seal and the month's total under it."""
        s = self.s
        return s.t("card.plus_steps", n=self.stamp_steps), s.t("card.month_total", n=s.session.summary().month_steps)

    def _stamp_widths(self) -> tuple[int, int]:
        plus, total = self._stamp_texts()
        return self.s.text.size(plus, 48, "bold")[0], self.s.text.size(total, 28, "bold")[0]

    def _seal_centre(self) -> tuple[int, int]:
        lay, t = self.layout(), self.s.text
        panel = lay.panel or lay.story
        if t.px(100) / 100 < NARROW:
            return round(panel.x + panel.w / 2), round(panel.y + panel.h / 2 + 10)
        # large text: "+N steps", the seal and the total stacked and centred in the seal's column
        plus_h, total_h = t.size("Ag", 48, "bold")[1], t.size("Ag", 28, "bold")[1]
        seal = self._seal_px()
        block = plus_h + seal + 12 + total_h
        top = panel.y + max(0.0, (panel.h - block) / 2)
        return round(panel.x + panel.w / 2), round(top + plus_h + seal / 2)

    def _seal_px(self) -> int:
        """The seal's size: smaller when large text leaves its column short (the +N and the total fit)."""
        lay, t = self.layout(), self.s.text
        panel = lay.panel or lay.story
        if t.px(100) / 100 < NARROW:
            return SEAL_SIZE
        room = panel.h - t.size("Ag", 48, "bold")[1] - t.size("Ag", 28, "bold")[1] - 20
        return round(max(SEAL_SIZE * 0.6, min(SEAL_SIZE, room)))

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
        base = self._seal_px() / SEAL_SIZE
        self._draw_seal_at(surface, base * (2.4 - 1.4 * ease), -12 * ease, round(120 + 135 * ease))
        cx, cy = self._seal_centre()
        if k >= 1.0:
            if t < STAMP_SECONDS * 0.45 + 0.25:  # ink splash ring on impact
                ring = (t - STAMP_SECONDS * 0.45) / 0.25
                pygame.draw.circle(surface, lighten(p.primary, 0.4), (cx, cy), round(150 + 60 * ring), 3)
            rise = min(1.0, (t - STAMP_SECONDS * 0.45) / 0.8)
            panel = self.layout().panel or self.layout().story
            plus_text, total = self._stamp_texts()
            plus = s.text.fit(plus_text, 48, round(panel.w - 40), p.text_primary, "bold")
            seal = self._seal_px()
            plus_y = max(round(panel.y) + plus.get_height() // 2, round(cy - seal / 2 - plus.get_height() * 0.4
                                                                         - 6 - 16 * rise))
            at = plus.get_rect(center=(cx, plus_y)).topleft
            surface.blit(plus, at)
            box = pygame.Rect(panel.as_tuple())
            self.stamp_placed = [PlacedText("stamp steps", plus_text, inked(plus, at), box)]
            line = s.text.fit(total, 28, round(panel.w - 40), p.text_jade, "bold")
            total_y = round(cy + seal / 2 + (24 if s.text.px(100) / 100 < NARROW else 12))
            at = line.get_rect(midtop=(cx, total_y)).topleft
            surface.blit(line, at)
            self.stamp_placed.append(PlacedText("stamp total", total, inked(line, at), box))
            lay = self.layout()
            label_y = lay.label_y
            done = s.text.render(s.t("card.stamped"), 30, p.text_jade, "bold")
            offset = s.text.size(s.t("card.checkin"), 26, "bold")[0] + 28
            surface.blit(done, (lay.x0 + offset, label_y - 4 + round(3 * math.sin(self.t * 4))))


def _draw_lock(surface: pygame.Surface, centre: tuple[int, int], colour: tuple[int, int, int]) -> None:
    cx, cy = centre
    pygame.draw.rect(surface, colour, (cx - 18, cy - 4, 36, 28), border_radius=5)
    pygame.draw.arc(surface, colour, (cx - 13, cy - 26, 26, 34), 0, math.pi, 5)
