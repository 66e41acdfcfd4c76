"""The city scroll: a handscroll painting that unrolls right to left, pans, and holds landmark pins."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import pygame

from game.actions import Action, Kind
from game.jobs import Job
from game.rules.content import Landmark
from game.rules.progress import PinState, pin_state
from game.scene import Push, Replace, Scene
from game.services import Services
from game.ui.layout import LOGICAL_SIZE, Rect
from game.ui.pan import Pan
from game.ui.widgets import Button, darken, draw_progress, hit_button, lighten
from scenes.pins import PIN_SIZE, make_pin, make_tag

if TYPE_CHECKING:  # scroll_art imports OpenCV: loaded with the painting, not at start-up
    from game.ui.scroll_art import LayerBlitter

log = logging.getLogger(__name__)

UNROLL_SECONDS = 1.6
ART_WAIT_S = 30.0  # a map asked to wait for the painting shows its waiting screen after this
HUD_H = 132
HUD_SOLID = HUD_H - 10  # the HUD is opaque above this row, so the painting is not drawn under it
MINIMAP_W, MINIMAP_H = 780, 104
MINIMAP_PAD = 14  # the mount (brocade border) around the thumbnail
SYNC_REFRESH = 1.0  # s between sync-status polls (the status may query the local outbox)
CHIP_H = 44
BUTTON_TEXT = 28  # one label size for every button of the top bar
TAP_SLOP = 18.0  # px a finger may wander and still count as a tap


@dataclass
class Hud:
    solid: pygame.Surface  # opaque top (a plain copy per frame)
    edge: pygame.Surface  # the rules along its bottom edge, over the painting (per-pixel alpha)
    key: tuple[object, ...]


@dataclass(frozen=True)
class Placed:
    """One text of the top bar: where it was drawn, the width it was given, its size, its button."""

    role: str
    text: str
    rect: pygame.Rect
    max_w: int
    size: int = 0
    box: pygame.Rect | None = None


class MapScene(Scene):
    name = "map"

    def __init__(
        self,
        services: Services,
        art_job: Job,
        scenes: Callable[[str], Scene],
        *,
        wait_for_art: bool = False,
        unroll: bool = True,
        focus: str | None = None,
    ) -> None:
        super().__init__()
        self.focus = focus  # a landmark id to open centred on, instead of the scroll's right end
        self.s = services
        self.art_job = art_job
        self.scenes = scenes  # factory: name -> Scene (card:<id>, rewards, album, attract)
        self.wait_for_art = wait_for_art
        self.art = None
        self.art_failed = False  # no scroll could be shown: the waiting screen says so
        self.blitter: LayerBlitter | None = None
        self.pan = Pan(max_x=0.0)
        self.unroll = 0.0 if unroll else UNROLL_SECONDS
        self.t = 0.0
        self.hud: Hud | None = None
        self._hud_tick: tuple[object, ...] | None = None
        self._pin_states: tuple[tuple[int, int], dict[str, PinState]] | None = None
        self._minimap_dots: tuple[int, pygame.Surface] | None = None
        self.minimap: pygame.Surface | None = None
        self._minimap_dim: pygame.Surface | None = None
        self._dot_states: tuple[int, list[tuple[int, tuple[int, int, int]]]] | None = None
        self._sync_text = ""
        self._sync_age = SYNC_REFRESH
        self._chips: dict[tuple[object, ...], pygame.Surface] = {}
        self._panned = False
        self.pins: dict[PinState, pygame.Surface] = {}
        self.tags: dict[tuple[str, str], pygame.Surface] = {}
        self.buttons: list[Button] = []
        self._press: tuple[float, float] | None = None
        self._moved = 0.0
        self._minimap_drag = False
        self.hud_texts: list[Placed] = []  # where the top bar's texts went (read by the layout tests)
        self._layout_buttons()

    # lifecycle -------------------------------------------------------------------------------
    def enter(self) -> None:
        if self.wait_for_art and self.art is None:
            try:
                self._take_finished_art(ART_WAIT_S)
            except TimeoutError:  # a loaded machine: wait on the waiting screen (update() takes it when ready)
                log.warning("the painting is not ready after %g s; the map waits on its waiting screen", ART_WAIT_S)
        p = self.s.palette
        self.pins = {state: make_pin(state, p.primary, p.accent, p.ink) for state in PinState}

    def resume(self) -> None:
        self.hud = None  # progress may have changed under the card

    def _take_finished_art(self, timeout: float | None = None) -> None:
        """Take the finished painting. A failed one (the job falls back to a plain scroll, so only when
        even that failed) or one that cannot be prepared leaves the map on its waiting screen, saying so,
        and Back still leaves: raised, it would fail again every frame and restart the kiosk in a loop."""
        try:
            self._take_art(self.art_job.result(timeout=timeout))
        except TimeoutError:
            raise
        except Exception:
            log.exception("the map has no scroll to show; it stays on its waiting screen")
            self.art, self.blitter, self.art_failed = None, None, True

    def _take_art(self, art: object) -> None:
        # imported here: scroll_art pulls in OpenCV, which the cold start to the first frame does not need
        from game.ui.scroll_art import LayerBlitter

        self.art = art
        # converting the layers takes ~0.3 s: done once per painting, not each time a visitor opens the map
        self.blitter = cast(LayerBlitter, self.s.images.remember(("scroll-blitter", id(art)),
                                                                  lambda: LayerBlitter(art)))  # type: ignore[arg-type]
        self.pan = Pan(max_x=float(art.width - LOGICAL_SIZE[0]))  # type: ignore[attr-defined]
        self.pan.x = self.pan.max_x  # a handscroll is read from its right end
        if self.focus in art.anchors:  # type: ignore[attr-defined]
            self.pan.x = float(art.anchors[self.focus][0]) - LOGICAL_SIZE[0] / 2  # type: ignore[attr-defined]
            self.pan.clamp()
        self.minimap, self._minimap_dim = self._make_minimap()

    def _layout_buttons(self) -> None:
        """Size the top bar for the current language and text scale: buttons fit their labels at one
        size, and the bar grows (to two rows when one is too narrow) rather than clip or shrink text."""
        s = self.s
        labels = {"lang": s.t("app.language"), "finish": s.t("app.guest_end"), "album": s.t("map.album"),
                  "rewards": s.t("map.rewards"), "scan": s.t("map.scan")}
        k = s.text.scale.factor
        pad, gap = round(22 * k), round(16 * min(k, 1.5))
        label_h = s.text.size("Ag", BUTTON_TEXT, "bold")[1]
        bh = max(64, label_h + round(16 * k))
        widths = {ident: max(base, s.text.size(labels[ident], BUTTON_TEXT, "bold")[0] + 2 * pad)
                  for ident, base in (("lang", 120), ("finish", 150), ("album", 150), ("rewards", 150), ("scan", 150))}
        row_w = sum(widths.values()) + gap * (len(widths) - 1)
        W = LOGICAL_SIZE[0]
        self._bar_w = max(560, round(560 * min(k, 1.25)))
        one_row = 40 + 360 + 70 + self._bar_w + 40 + row_w + 32 <= W
        # the title block takes what the steps block and (on one row) the buttons leave
        self._left_w = W - 40 - 70 - self._bar_w - 32 - ((40 + row_w) if one_row else 0)
        if not one_row:  # the name block takes what it needs, the steps block the rest
            need = max(s.text.size(s.campaign.city.name.get(s.lang), 46, "serif")[0],
                       s.text.size(s.campaign.meta.name.get(s.lang), 24)[0] * 11 // 20)
            self._bar_w += max(0, self._left_w - max(360, need))
            self._left_w -= max(0, self._left_w - max(360, need))
        top_h = self._top_block_h()
        if one_row:
            solid = max(HUD_SOLID, top_h, 34 + bh + 24)
            y = 34 + max(0, (solid - 24 - bh - 34) // 2)
        else:  # a second row, right-aligned under the first
            solid = top_h + bh + 20
            y = top_h
        self.hud_solid, self.hud_h = solid, solid + HUD_H - HUD_SOLID
        x = W - 32
        self.buttons = []
        for ident in ("lang", "finish", "album", "rewards", "scan"):
            x -= widths[ident]
            self.buttons.append(Button(ident, Rect(x, y, widths[ident], bh), label=labels[ident],
                                       style="secondary" if ident in ("lang", "finish") else "primary"))
            x -= gap
        self._layout_key = (s.lang, s.text.generation)

    def _top_block_h(self) -> int:
        """Height of the bar's first row: the title over the subtitle, the steps over the bar and hint."""
        s = self.s
        k = s.text.scale.factor
        name = s.campaign.meta.name.get(s.lang)
        sub_size = s.text.paragraph_size(name, 24, self._left_w, 2, "sans", 16)
        sub_lines = len(s.text.wrap(name, sub_size, self._left_w, "sans", 2))
        sub_h = s.text.size("Ag", sub_size)[1]
        left = s.text.size("Ag", 46, "serif")[1] - round(6 * k) + round(sub_h * 0.9) * (sub_lines - 1) + sub_h
        mid = max(s.text.size("Ag", 40, "serif")[1], s.text.size("Ag", 28, "bold")[1]) + round(22 * k) \
            + s.text.size("Ag", 22)[1]
        return max(left, mid) + 12 + round(10 * k)

    # input -------------------------------------------------------------------------------------
    def _minimap_rect(self) -> Rect:
        return Rect((LOGICAL_SIZE[0] - MINIMAP_W) / 2, LOGICAL_SIZE[1] - MINIMAP_H - 34, MINIMAP_W, MINIMAP_H)

    def _thumb_rect(self) -> pygame.Rect:
        """Where the scroll's thumbnail sits inside the minimap (logical px)."""
        mm = self._minimap_rect()
        return pygame.Rect(round(mm.x) + MINIMAP_PAD, round(mm.y) + MINIMAP_PAD, MINIMAP_W - 2 * MINIMAP_PAD,
                           MINIMAP_H - 2 * MINIMAP_PAD)

    def _minimap_jump(self, pos: tuple[float, float]) -> None:
        if self.art is None:
            return
        thumb = self._thumb_rect()
        frac = min(1.0, max(0.0, (pos[0] - thumb.x) / thumb.w))
        self.pan.go_to(frac * self.art.width - LOGICAL_SIZE[0] / 2)

    def landmark_at(self, pos: tuple[float, float]) -> Landmark | None:
        if self.art is None:
            return None
        for lm in self.s.campaign.city.landmarks:
            ax, ay = self.art.anchors[lm.id]
            sx = ax - self.pan.x
            top = self._pin_bottom(lm) - PIN_SIZE[1] - 10  # the pin, the icon under it and the name tag
            hit = Rect(sx - 70, top, 140, ay + 10 - top)
            if hit.contains(*pos):
                return lm
        return None

    def handle(self, action: Action) -> bool:
        if self.unroll < UNROLL_SECONDS and action.kind is not Kind.BACK:  # Back/Esc works while it unrolls
            if action.kind in (Kind.POINTER_UP, Kind.CONFIRM):
                self.unroll = UNROLL_SECONDS  # impatient visitors skip the animation
            return True
        k = action.kind
        if k is Kind.POINTER_DOWN and action.pos is not None:
            if self._minimap_rect().contains(*action.pos):
                self._minimap_drag = True
                self._minimap_jump(action.pos)
                return True
            self._press, self._moved = action.pos, 0.0
            if action.pos[1] > self.hud_h:
                self.pan.begin_drag()
            return True
        if k is Kind.POINTER_MOVE and action.pos is not None:
            if self._minimap_drag:
                self._minimap_jump(action.pos)
            elif self._press is not None and self.pan.dragging:
                self._panned = True
                self._moved += abs(action.delta[0]) + abs(action.delta[1])
                self.pan.drag(action.delta[0], 1 / 60)
            return self._press is not None
        if k is Kind.POINTER_UP:
            was_press, self._press = self._press, None
            if self._minimap_drag:
                self._minimap_drag = False
                return True
            if self.pan.dragging:
                self.pan.end_drag()
            if was_press is None or self._moved > TAP_SLOP:
                return True
            return self._tap(action.pos)
        if k in (Kind.LEFT, Kind.RIGHT):
            self._panned = True
            self.pan.key_dir = (-1 if k is Kind.LEFT else 1) if action.pressed else 0
            return True
        if k is Kind.SCROLL:
            self.pan.nudge(action.delta[1] if action.delta[1] else -action.delta[0])
            return True
        if k is Kind.BACK:
            self.request(Replace(self.scenes("attract"), clear=True))
            return True
        if k is Kind.CONFIRM:
            lm = self._centre_landmark()
            if lm is not None:
                self.request(Push(self.scenes(f"card:{lm.id}")))
            return True
        return False

    def _tap(self, pos: tuple[float, float] | None) -> bool:
        button = hit_button(self.buttons, pos)
        if button is not None:
            if button.id == "lang":
                self.s.i18n.toggle()
                self.hud, self.tags, self._chips = None, {}, {}
                self._layout_buttons()
                self._sync_age = SYNC_REFRESH
            elif button.id == "finish":
                self.request(Push(self.scenes("finish")))  # asks first; ending the visit is the confirmation's
            else:
                self.request(Push(self.scenes(button.id)))
            return True
        if pos is not None and self._minimap_rect().contains(*pos):
            return True
        lm = self.landmark_at(pos) if pos is not None else None
        if lm is not None:
            self.request(Push(self.scenes(f"card:{lm.id}")))
        return True

    def tap_targets(self) -> dict[str, tuple[float, float]]:
        """Named places to tap, for QA scenarios (game/qa/targets.py): the HUD buttons and, once the
        scroll has settled, the pins on screen."""
        if self.art is None or self.unroll < UNROLL_SECONDS:
            return {}
        names = {"lang": "language"}
        out = {names.get(b.id, b.id): b.rect.center for b in self.buttons}
        if self.pan.target is None and not self.pan.dragging and abs(self.pan.velocity) < 1.0:
            for lm in self.s.campaign.city.landmarks:
                ax, ay = self.art.anchors[lm.id]
                if 80 < ax - self.pan.x < LOGICAL_SIZE[0] - 80:
                    out[f"landmark:{lm.id}"] = (ax - self.pan.x, ay - 40)
        return out

    def reveal_target(self, name: str) -> tuple[float, float] | None:
        """Where to tap so that ``name`` comes on screen: a landmark's spot on the minimap."""
        ident = name.removeprefix("landmark:")
        if self.art is None or not name.startswith("landmark:") or ident not in self.art.anchors:
            return None
        thumb = self._thumb_rect()
        return (thumb.x + self.art.anchors[ident][0] / self.art.width * thumb.w, float(thumb.centery))

    def _centre_landmark(self) -> Landmark | None:
        if self.art is None:
            return None
        centre = self.pan.x + LOGICAL_SIZE[0] / 2
        return min(self.s.campaign.city.landmarks, key=lambda lm: abs(self.art.anchors[lm.id][0] - centre))

    # update ------------------------------------------------------------------------------------
    def update(self, dt: float) -> None:
        self.t += dt
        self._sync_age += dt
        if self._sync_age >= SYNC_REFRESH:
            self._sync_age = 0.0
            self._sync_text = self.s.sync_status()
        if self.art is None:
            if self.art_job.ready and not self.art_failed:
                self._take_finished_art()
            return
        if self.unroll < UNROLL_SECONDS:
            self.unroll = min(UNROLL_SECONDS, self.unroll + dt)
            return
        self.pan.step(dt)

    # drawing -----------------------------------------------------------------------------------
    def _make_minimap(self) -> tuple[pygame.Surface, pygame.Surface]:
        """A small mounted handscroll: all layers composited into one thumbnail, in a brocade mount."""
        assert self.art is not None
        key = ("minimap", self.s.campaign.id, self.art.width, MINIMAP_W, MINIMAP_H)
        thumb_size = (MINIMAP_W - 2 * MINIMAP_PAD, MINIMAP_H - 2 * MINIMAP_PAD)
        frame = self.s.images.remember(key, lambda: self._paint_minimap(thumb_size))
        dim = self.s.images.remember(("minimap-dim", thumb_size), lambda: _dim_surface(thumb_size))
        return frame, dim

    def _paint_minimap(self, thumb_size: tuple[int, int]) -> pygame.Surface:
        assert self.art is not None
        p = self.s.palette
        full_w, full_h = self.art.width, self.art.height
        # Composite at a reduced width first (cheap), then smooth-scale to the thumbnail.
        work_w, work_h = min(full_w, thumb_size[0] * 4), min(full_h, thumb_size[1] * 4)
        work = pygame.Surface((work_w, work_h))
        work.fill(p.paper)
        for layer, _factor in self.art.layers:
            scaled_h = max(1, round(layer.get_height() * work_h / full_h))
            src = layer.convert_alpha()  # colour-keyed pixels become transparent
            work.blit(pygame.transform.smoothscale(src, (work_w, scaled_h)), (0, 0))
        thumb = pygame.transform.smoothscale(work, thumb_size)
        frame = pygame.Surface((MINIMAP_W, MINIMAP_H), pygame.SRCALPHA)
        r = frame.get_rect()
        mount = darken(p.primary, 0.55)
        pygame.draw.rect(frame, (0, 0, 0, 70), r.move(0, 4), border_radius=12)
        pygame.draw.rect(frame, mount, r.inflate(0, -4), border_radius=12)
        for i in range(6, r.width - 6, 14):  # brocade: a row of small gilt lozenges along the mount
            for y in (5, r.height - 7):
                pygame.draw.circle(frame, darken(p.accent, 0.25), (i, y), 2)
        pygame.draw.rect(frame, p.accent, r.inflate(-2 * MINIMAP_PAD + 6, -2 * MINIMAP_PAD + 6), 2, border_radius=4)
        frame.blit(thumb, (MINIMAP_PAD, MINIMAP_PAD))
        for x in (0, r.width - 12):  # rollers (轴头) at both ends
            pygame.draw.rect(frame, darken(p.accent, 0.35), (x, 0, 12, r.height), border_radius=6)
            pygame.draw.rect(frame, lighten(p.accent, 0.25), (x + 3, 6, 4, r.height - 12), border_radius=2)
        return frame

    def _hud_surface(self) -> Hud:
        s, p = self.s, self.s.palette
        # the summary (a walk over this month's grants) is only recomputed when progress or the
        # language changes, or once a second in case the month rolled over
        tick = (s.lang, s.session.revision, int(self.t))
        if self.hud is not None and self._hud_tick == tick:
            return self.hud
        self._hud_tick = tick
        summary = s.session.summary()
        key = (s.lang, s.session.revision, summary.month, s.text.generation)
        if self.hud is not None and self.hud.key == key:
            return self.hud
        if self._layout_key != (s.lang, s.text.generation):
            self._layout_buttons()
        w, k, hud_h, solid_h = LOGICAL_SIZE[0], s.text.scale.factor, self.hud_h, self.hud_solid
        placed: list[Placed] = []
        surf = pygame.Surface((w, hud_h), pygame.SRCALPHA)
        pygame.draw.rect(surf, (*p.paper, 255), (0, 0, w, solid_h))
        pygame.draw.line(surf, darken(p.paper, 0.35), (0, hud_h - 10), (w, hud_h - 10), 3)
        pygame.draw.line(surf, (*p.accent, 255), (0, hud_h - 5), (w, hud_h - 5), 2)
        left_w, bar_w = self._left_w, self._bar_w
        top = 12
        # rows placed by the text's height, so scaled text (game/ui/display.py) still fits the bar
        title_text = s.campaign.city.name.get(s.lang)
        title = s.text.fit(title_text, 46, left_w, p.ink, "serif", 28)
        placed.append(Placed("title", title_text, surf.blit(title, (40, top)), left_w))
        # the subtitle wraps (two lines at most, then shrinks) rather than being cut short
        name = s.campaign.meta.name.get(s.lang)
        sub_size = s.text.paragraph_size(name, 24, left_w, 2, "sans", 16)
        sub_y = top + title.get_height() - round(6 * k)
        for line in s.text.wrap(name, sub_size, left_w, "sans", 2):
            sub = s.text.render(line, sub_size, p.muted, "sans")
            placed.append(Placed("subtitle", line, surf.blit(sub, (42, sub_y)), left_w))
            sub_y += round(sub.get_height() * 0.9)
        bx = 40 + left_w + 70
        label = s.text.render(s.t("map.month_steps"), 28, p.ink, "bold")
        steps = s.text.render(str(summary.month_steps), 40, p.text_primary, "serif")
        row_h = max(label.get_height(), steps.get_height())
        label_at = surf.blit(label, (bx, top + (row_h - label.get_height()) // 2))
        placed.append(Placed("steps label", s.t("map.month_steps"), label_at, bar_w))
        steps_at = surf.blit(steps, (label_at.right + 14, top + (row_h - steps.get_height()) // 2))
        placed.append(Placed("steps", str(summary.month_steps), steps_at, bar_w))
        tiers = s.campaign.tiers
        last = tiers[-1].threshold
        bar_y = top + row_h - round(4 * k)
        draw_progress(surf, Rect(bx, bar_y, bar_w, round(24 * k)), summary.month_steps / last, p.primary,
                      darken(p.paper, 0.15), [t.threshold / last for t in tiers[:-1]], p.paper)
        if summary.next_tier is not None:
            hint = s.t("map.next_tier", n=summary.steps_to_next, tier=summary.next_tier.name.get(s.lang))
        else:
            hint = s.t("map.top_tier")
        hint_line = s.text.fit(hint, 22, bar_w, p.muted, "sans")
        if s.text.size(hint, s.text.fit_size(hint, 22, bar_w, "sans"), "sans")[0] > bar_w:
            hint = s.text.wrap(hint, s.text.fit_size(hint, 22, bar_w, "sans"), bar_w, "sans", 1)[0]  # as drawn
        placed.append(Placed("hint", hint, surf.blit(hint_line, (bx, bar_y + round(24 * k) + round(2 * k))), bar_w))
        for button in self.buttons:
            drawn = button.draw(surf, s.text, {"primary": p.primary, "paper": p.paper, "ink": p.ink}, BUTTON_TEXT)
            if drawn is not None:
                placed.append(Placed(f"button:{button.id}", button.label, drawn[0], round(button.rect.w), drawn[1],
                                     pygame.Rect(button.rect.as_tuple())))
        self.hud_texts = placed
        solid = surf.subsurface((0, 0, w, solid_h)).convert()
        edge = surf.subsurface((0, solid_h, w, hud_h - solid_h)).convert_alpha()
        self.hud = Hud(solid, edge, key)
        return self.hud

    def _chip(self, text: str, dot: tuple[int, int, int] | None, max_w: int) -> pygame.Surface:
        """A small paper label (sync status, hints), cached by its text."""
        key = (text, dot, max_w)
        chip = self._chips.get(key)
        if chip is None:
            p = self.s.palette
            k = self.s.text.scale.factor
            dot_w = round(26 * k) if dot is not None else 0
            pad = round(18 * k)
            size = self.s.text.paragraph_size(text, 22, max_w - 2 * pad - dot_w, 2, "sans", 16)
            lines = [self.s.text.render(line, size, p.ink, "sans")
                     for line in self.s.text.wrap(text, size, max_w - 2 * pad - dot_w, "sans", 2)]
            line_h = max(line.get_height() for line in lines)
            h = max(CHIP_H, line_h * len(lines) + round(8 * k))
            chip = pygame.Surface((max(line.get_width() for line in lines) + 2 * pad + dot_w, h), pygame.SRCALPHA)
            r = chip.get_rect()
            radius = min(h, CHIP_H * k) // 2
            pygame.draw.rect(chip, (*lighten(p.paper, 0.3), 238), r, border_radius=round(radius))
            pygame.draw.rect(chip, darken(p.paper, 0.35), r, 2, border_radius=round(radius))
            if dot is not None:
                pygame.draw.circle(chip, dot, (pad + round(8 * k), h // 2), round(7 * k))
            y = (h - line_h * len(lines)) // 2
            for line in lines:
                chip.blit(line, (pad + dot_w, y))
                y += line_h
            if len(self._chips) > 32:
                self._chips.clear()
            self._chips[key] = chip
        return chip

    def _sync_dot(self, text: str) -> tuple[int, int, int]:
        p = self.s.palette
        if text == self.s.t("app.online"):
            return p.jade
        if text.startswith(self.s.t("app.syncing")):
            return p.accent
        return (150, 144, 136)

    def _tag(self, lm: Landmark) -> pygame.Surface:
        key = (lm.id, self.s.lang)
        if key not in self.tags:
            p = self.s.palette
            self.tags[key] = make_tag(self.s.text, lm.name.get(self.s.lang), p.paper, p.ink, darken(p.paper, 0.4))
        return self.tags[key]

    def draw(self, surface: pygame.Surface) -> None:
        if self.art is None:
            self._draw_waiting(surface)
            return
        W = LOGICAL_SIZE[0]
        assert self.blitter is not None
        self.blitter.draw(surface, self.pan.x, top=self.hud_solid)  # rows under the opaque HUD are never drawn
        states = self._states()
        for lm in self.s.campaign.city.landmarks:
            ax, ay = self.art.anchors[lm.id]
            sx = ax - self.pan.x
            if -120 < sx < W + 120:
                state = states[lm.id]
                bob = 6 * math.sin(self.t * 2.4 + ax) if state is PinState.AVAILABLE else 0
                pin = self.pins[state]
                surface.blit(pin, (round(sx - PIN_SIZE[0] / 2), round(self._pin_bottom(lm) - PIN_SIZE[1] + bob)))
                tag = self._tag(lm)
                surface.blit(tag, (round(sx - tag.get_width() / 2), round(ay - 52)))
                if lm.id == self.s.session.device_landmark:  # a kiosk's own landmark
                    here = self._chip(self.s.t("kiosk.you_are_here"), self.s.palette.jade, 320)
                    surface.blit(here, (round(sx - here.get_width() / 2), round(ay + 6)))
        hud = self._hud_surface()
        surface.blit(hud.solid, (0, 0))
        surface.blit(hud.edge, (0, self.hud_solid))
        self._draw_minimap(surface)
        mm = self._minimap_rect()
        side_w = round(mm.x) - 60
        # beside the minimap while two lines hold them; above it, half the screen wide, at a large scale
        wide = self.s.text.scale.factor > 1.5
        chip_w, bottom = (W // 2 - 60, round(mm.y) - 12) if wide else (side_w, round(mm.y + mm.h) - 2)
        if self._sync_text:
            chip = self._chip(self._sync_text, self._sync_dot(self._sync_text), chip_w)
            surface.blit(chip, (40, bottom - chip.get_height()))
        if not self._panned:
            hint = self._chip(self.s.t("map.drag_hint"), None, chip_w)
            surface.blit(hint, (W - 40 - hint.get_width(), bottom - hint.get_height()))
        if self.unroll < UNROLL_SECONDS:
            self._draw_unroll(surface)

    def _draw_minimap(self, surface: pygame.Surface) -> None:
        if self.minimap is None or self.art is None or self._minimap_dim is None:
            return
        mm = self._minimap_rect()
        surface.blit(self.minimap, (mm.x, mm.y))
        thumb = self._thumb_rect()
        scale = thumb.w / self.art.width
        vx = round(thumb.x + self.pan.x * scale)
        vw = round(LOGICAL_SIZE[0] * scale)
        # dim what is off screen, so the visible stretch reads as a lit window
        if vx > thumb.x:
            surface.blit(self._minimap_dim, (thumb.x, thumb.y), pygame.Rect(0, 0, vx - thumb.x, thumb.h))
        if vx + vw < thumb.right:
            surface.blit(self._minimap_dim, (vx + vw, thumb.y), pygame.Rect(vx + vw - thumb.x, 0, thumb.right - vx - vw, thumb.h))
        p = self.s.palette
        box = pygame.Rect(vx, thumb.y - 6, vw, thumb.h + 12)
        pygame.draw.rect(surface, (255, 250, 240), box.inflate(4, 4), 2, border_radius=6)
        pygame.draw.rect(surface, p.primary, box, 4, border_radius=5)
        surface.blit(self._dot_strip(thumb, scale), (thumb.x, thumb.bottom - 16))

    def _dot_strip(self, thumb: pygame.Rect, scale: float) -> pygame.Surface:
        """The minimap's landmark dots as one cached strip (32 circles a frame otherwise)."""
        revision = self.s.session.revision
        if self._minimap_dots is None or self._minimap_dots[0] != revision:
            strip = pygame.Surface((thumb.w, 16), pygame.SRCALPHA)
            for x, colour in self._dots(0, scale):
                pygame.draw.circle(strip, (255, 250, 240), (x, 7), 6)
                pygame.draw.circle(strip, colour, (x, 7), 4)
            self._minimap_dots = (revision, strip)
        return self._minimap_dots[1]

    def _pin_bottom(self, lm: Landmark) -> float:
        """Where a pin's foot stands: on the landmark's roof, so the pin does not hide the drawing."""
        assert self.art is not None
        ay = self.art.anchors[lm.id][1]
        top = self.art.tops.get(lm.id)
        return ay - 58 if top is None else min(ay - 58, top + 6)

    def _states(self) -> dict[str, PinState]:
        """Pin state per landmark: recomputed when progress changes, and once a second (a new day)."""
        key = (self.s.session.revision, int(self.t))
        if self._pin_states is None or self._pin_states[0] != key:
            now, progress = self.s.session.now(), self.s.session.progress
            here = self.s.session.device_landmark
            states = {lm.id: pin_state(self.s.campaign, progress, lm, now, here) for lm in self.s.campaign.city.landmarks}
            self._pin_states = (key, states)
        return self._pin_states[1]

    def _dots(self, x0: int, scale: float) -> list[tuple[int, tuple[int, int, int]]]:
        """Landmark markers on the minimap, coloured by pin state; recomputed only when progress changes."""
        revision = self.s.session.revision
        if self._dot_states is None or self._dot_states[0] != revision:
            assert self.art is not None
            p = self.s.palette
            colours = {PinState.AVAILABLE: p.primary, PinState.CHECKED_IN: p.accent, PinState.LOCKED: (130, 124, 116)}
            states = self._states()
            dots = [(round(x0 + self.art.anchors[lm.id][0] * scale), colours[states[lm.id]])
                    for lm in self.s.campaign.city.landmarks]
            self._dot_states = (revision, dots)
        return self._dot_states[1]

    def _draw_waiting(self, surface: pygame.Surface) -> None:
        """Until the painting is ready (a few seconds after start): the closed handscroll on its cloth."""
        p = self.s.palette
        key = ("map-waiting", self.s.campaign.id, self.s.lang)
        surface.blit(self.s.images.remember(key, self._paint_waiting), (0, 0))
        for i in range(0 if self.art_failed else 3):  # three ink dots breathing in turn: the scroll is being painted
            a = 0.5 + 0.5 * math.sin(self.t * 4.0 - i * 0.9)
            colour = tuple(round(c1 + (c2 - c1) * a) for c1, c2 in zip(darken(p.accent, 0.5), p.accent, strict=True))
            pygame.draw.circle(surface, colour, (960 + (i - 1) * 48, 700), round(7 + 5 * a))
        says = "map.unavailable" if self.art_failed else "map.unrolling"  # says what is happening
        label = self.s.text.fit(self.s.t(says), 36, 1200, p.paper, "bold")
        surface.blit(label, label.get_rect(midtop=(960, 740)))

    def _paint_waiting(self) -> pygame.Surface:
        """A rolled handscroll: brocade wrapper (包首), wooden roller ends, a title slip (签条) with the city."""
        W, H = LOGICAL_SIZE
        p = self.s.palette
        surf = pygame.Surface((W, H)).convert()
        self._draw_cloth(surf, W)
        roll = pygame.Rect(0, 0, 980, 150)
        roll.center = (W // 2, 520)
        pygame.draw.ellipse(surf, darken(p.primary, 0.85), roll.move(0, 84).inflate(40, -110))  # shadow
        wrapper = darken(p.jade, 0.45)
        for y in range(roll.height):  # cylinder shading, lit from above
            shade = 0.55 + 0.6 * math.sin(math.pi * (y + 0.5) / roll.height) ** 0.8 - 0.25 * y / roll.height
            colour = tuple(min(255, round(c * shade)) for c in wrapper)
            pygame.draw.line(surf, colour, (roll.x, roll.y + y), (roll.right, roll.y + y))
        for x in range(roll.x + 14, roll.right - 8, 26):  # gilt lattice of the brocade
            for y in range(roll.y + 18, roll.bottom - 10, 26):
                pygame.draw.circle(surf, darken(p.accent, 0.3), (x, y), 2)
        for end in (roll.x - 34, roll.right):  # roller knobs (轴头)
            knob = pygame.Rect(end, roll.y - 10, 34, roll.height + 20)
            pygame.draw.rect(surf, (112, 66, 40), knob, border_radius=12)
            pygame.draw.rect(surf, lighten(p.accent, 0.15), knob.inflate(-22, -16), border_radius=4)
        slip = pygame.Rect(roll.x + 90, roll.y + 26, 420, roll.height - 52)
        pygame.draw.rect(surf, lighten(p.paper, 0.2), slip)
        pygame.draw.rect(surf, darken(p.paper, 0.3), slip, 2)
        title = self.s.text.fit(self.s.campaign.city.name.get(self.s.lang), 56, slip.width - 40, p.ink, "serif", 28)
        surf.blit(title, title.get_rect(center=slip.center))
        tie = roll.right - 170  # the silk tie wrapped round the roll, with its jade clasp (别子)
        pygame.draw.line(surf, darken(p.primary, 0.2), (tie, roll.y - 2), (tie, roll.bottom + 2), 6)
        pygame.draw.rect(surf, p.jade, (tie - 12, roll.centery - 22, 24, 44), border_radius=6)
        pygame.draw.rect(surf, lighten(p.jade, 0.35), (tie - 6, roll.centery - 16, 6, 32), border_radius=3)
        return surf

    def _draw_cloth(self, surface: pygame.Surface, edge: int) -> None:
        """The table cloth under the scroll, left of ``edge``."""
        p = self.s.palette
        surface.fill(darken(p.primary, 0.72), (0, 0, edge, LOGICAL_SIZE[1]))
        for y in range(0, LOGICAL_SIZE[1], 36):  # brocade stripes on the cloth
            pygame.draw.line(surface, darken(p.accent, 0.55), (0, y), (edge, y), 1)

    def _draw_unroll(self, surface: pygame.Surface) -> None:
        """The scroll opens from the right: the rolled part (a rod) travels to the left edge."""
        W, H = LOGICAL_SIZE
        k = self.unroll / UNROLL_SECONDS
        ease = 1 - (1 - k) ** 3
        edge = round(W - ease * W)  # everything left of the rod is still rolled up
        p = self.s.palette
        if edge > 0:
            self._draw_cloth(surface, edge)
        rod = pygame.Rect(edge - 26, 0, 52, H)
        rod.clamp_ip(pygame.Rect(-26, 0, W + 52, H))
        for i in range(rod.width):
            shade = 0.35 + 0.65 * math.sin(math.pi * i / rod.width)
            colour = tuple(round(c * shade) for c in (150, 92, 48))
            pygame.draw.line(surface, colour, (rod.x + i, 0), (rod.x + i, H))
        for cap_y in (0, H - 40):
            pygame.draw.rect(surface, lighten(p.accent, 0.1), (rod.x - 6, cap_y, rod.width + 12, 40), border_radius=8)


def _dim_surface(size: tuple[int, int]) -> pygame.Surface:
    dim = pygame.Surface(size, pygame.SRCALPHA)
    dim.fill((30, 20, 14, 110))
    return dim
