"""The city scroll: a handscroll painting that unrolls right to left, pans, and holds landmark pins."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pygame

from game.actions import Action, Kind
from game.jobs import Job
from game.rules.content import Landmark
from game.rules.progress import PinState, pin_state
from game.scene import Push, Replace, Scene
from game.services import Services
from game.ui.layout import LOGICAL_SIZE, Rect
from game.ui.pan import Pan
from game.ui.scroll_art import prepare_layers
from game.ui.widgets import Button, darken, draw_progress, hit_button, lighten
from scenes.pins import PIN_SIZE, make_pin, make_tag

UNROLL_SECONDS = 1.6
HUD_H = 132
MINIMAP_W, MINIMAP_H = 720, 84
TAP_SLOP = 18.0  # px a finger may wander and still count as a tap


@dataclass
class Hud:
    surface: pygame.Surface
    key: tuple[object, ...]


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
    ) -> None:
        super().__init__()
        self.s = services
        self.art_job = art_job
        self.scenes = scenes  # factory: name -> Scene (card:<id>, rewards, album, attract)
        self.wait_for_art = wait_for_art
        self.art = None
        self.layers: list[tuple[pygame.Surface, float]] = []
        self.pan = Pan(max_x=0.0)
        self.unroll = 0.0 if unroll else UNROLL_SECONDS
        self.t = 0.0
        self.hud: Hud | None = None
        self.minimap: pygame.Surface | None = None
        self.pins: dict[PinState, pygame.Surface] = {}
        self.tags: dict[tuple[str, str], pygame.Surface] = {}
        self.buttons: list[Button] = []
        self._press: tuple[float, float] | None = None
        self._moved = 0.0
        self._minimap_drag = False
        self._layout_buttons()

    # lifecycle -------------------------------------------------------------------------------
    def enter(self) -> None:
        if self.wait_for_art:
            self._take_art(self.art_job.result(timeout=30))
        p = self.s.palette
        self.pins = {state: make_pin(state, p.primary, p.accent, p.ink) for state in PinState}

    def resume(self) -> None:
        self.hud = None  # progress may have changed under the card

    def _take_art(self, art: object) -> None:
        self.art = art
        self.layers = prepare_layers(art)  # type: ignore[arg-type]
        self.pan = Pan(max_x=float(art.width - LOGICAL_SIZE[0]))  # type: ignore[attr-defined]
        self.pan.x = self.pan.max_x  # a handscroll is read from its right end
        self.minimap = self._make_minimap()

    def _layout_buttons(self) -> None:
        x = 1888
        self.buttons = []
        for ident, style, w in (("lang", "secondary", 120), ("finish", "secondary", 150), ("album", "primary", 150),
                                ("rewards", "primary", 150)):
            x -= w
            self.buttons.append(Button(ident, Rect(x, 34, w, 64), style=style))
            x -= 16

    # input -------------------------------------------------------------------------------------
    def _minimap_rect(self) -> Rect:
        return Rect((LOGICAL_SIZE[0] - MINIMAP_W) / 2, LOGICAL_SIZE[1] - MINIMAP_H - 26, MINIMAP_W, MINIMAP_H)

    def _minimap_jump(self, pos: tuple[float, float]) -> None:
        if self.art is None:
            return
        mm = self._minimap_rect()
        frac = (pos[0] - mm.x) / mm.w
        self.pan.go_to(frac * self.art.width - LOGICAL_SIZE[0] / 2)

    def landmark_at(self, pos: tuple[float, float]) -> Landmark | None:
        if self.art is None:
            return None
        for lm in self.s.campaign.city.landmarks:
            ax, ay = self.art.anchors[lm.id]
            sx = ax - self.pan.x
            hit = Rect(sx - 60, ay - PIN_SIZE[1] - 20, 120, PIN_SIZE[1] + 80)
            if hit.contains(*pos):
                return lm
        return None

    def handle(self, action: Action) -> bool:
        if self.unroll < UNROLL_SECONDS:
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
            if action.pos[1] > HUD_H:
                self.pan.begin_drag()
            return True
        if k is Kind.POINTER_MOVE and action.pos is not None:
            if self._minimap_drag:
                self._minimap_jump(action.pos)
            elif self._press is not None and self.pan.dragging:
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
                self.hud, self.tags = None, {}
            elif button.id == "finish":
                self.s.session.end_guest()
                self.request(Replace(self.scenes("attract"), clear=True))
            else:
                self.request(Push(self.scenes(button.id)))
            return True
        if pos is not None and self._minimap_rect().contains(*pos):
            return True
        lm = self.landmark_at(pos) if pos is not None else None
        if lm is not None:
            self.request(Push(self.scenes(f"card:{lm.id}")))
        return True

    def _centre_landmark(self) -> Landmark | None:
        if self.art is None:
            return None
        centre = self.pan.x + LOGICAL_SIZE[0] / 2
        return min(self.s.campaign.city.landmarks, key=lambda lm: abs(self.art.anchors[lm.id][0] - centre))

    # update ------------------------------------------------------------------------------------
    def update(self, dt: float) -> None:
        self.t += dt
        if self.art is None:
            if self.art_job.ready:
                self._take_art(self.art_job.result())
            return
        if self.unroll < UNROLL_SECONDS:
            self.unroll = min(UNROLL_SECONDS, self.unroll + dt)
            return
        self.pan.step(dt)

    # drawing -----------------------------------------------------------------------------------
    def _make_minimap(self) -> pygame.Surface:
        main = max(self.layers, key=lambda item: item[0].get_width())[0]
        thumb = pygame.transform.smoothscale(main, (MINIMAP_W - 8, MINIMAP_H - 8))
        frame = pygame.Surface((MINIMAP_W, MINIMAP_H), pygame.SRCALPHA)
        pygame.draw.rect(frame, (*darken(self.s.palette.paper, 0.55), 230), frame.get_rect(), border_radius=10)
        frame.blit(thumb, (4, 4))
        return frame

    def _hud_surface(self) -> pygame.Surface:
        s, p = self.s, self.s.palette
        summary = s.session.summary()
        key = (s.lang, s.session.revision, summary.month, s.sync_status())
        if self.hud is not None and self.hud.key == key:
            return self.hud.surface
        w = LOGICAL_SIZE[0]
        surf = pygame.Surface((w, HUD_H), pygame.SRCALPHA)
        pygame.draw.rect(surf, (*p.paper, 228), (0, 0, w, HUD_H - 10))
        pygame.draw.line(surf, darken(p.paper, 0.35), (0, HUD_H - 10), (w, HUD_H - 10), 3)
        pygame.draw.line(surf, (*p.accent, 255), (0, HUD_H - 5), (w, HUD_H - 5), 2)
        title = s.text.render(s.campaign.city.name.get(s.lang), 46, p.ink, "serif")
        surf.blit(title, (40, 24))
        sub = s.text.render(s.campaign.meta.name.get(s.lang), 24, p.muted, "sans")
        surf.blit(sub, (42, 84))
        bx = 430
        label = s.text.render(f"{s.t('map.month_steps')}  {summary.month_steps}", 30, p.ink, "bold")
        surf.blit(label, (bx, 20))
        tiers = s.campaign.tiers
        top = tiers[-1].threshold
        draw_progress(surf, Rect(bx, 64, 560, 26), summary.month_steps / top, p.primary, darken(p.paper, 0.15),
                      [t.threshold / top for t in tiers[:-1]], p.paper)
        if summary.next_tier is not None:
            hint = s.t("map.next_tier", n=summary.steps_to_next, tier=summary.next_tier.name.get(s.lang))
        else:
            hint = s.t("map.top_tier")
        surf.blit(s.text.render(hint, 22, p.muted, "sans"), (bx, 96))
        sync = s.text.render(s.sync_status(), 22, p.muted, "sans")
        surf.blit(sync, (bx + 600, 24))
        for button in self.buttons:
            button.label = {"lang": s.t("app.language"), "finish": s.t("app.guest_end"),
                            "album": s.t("map.album"), "rewards": s.t("map.rewards")}[button.id]
            button.draw(surf, s.text, {"primary": p.primary, "paper": p.paper, "ink": p.ink}, 28)
        self.hud = Hud(surf, key)
        return surf

    def _tag(self, lm: Landmark) -> pygame.Surface:
        key = (lm.id, self.s.lang)
        if key not in self.tags:
            p = self.s.palette
            self.tags[key] = make_tag(self.s.text, lm.name.get(self.s.lang), p.paper, p.ink, darken(p.paper, 0.4))
        return self.tags[key]

    def draw(self, surface: pygame.Surface) -> None:
        p = self.s.palette
        if self.art is None:
            surface.fill(darken(p.paper, 0.7))
            msg = self.s.text.render("…", 60, p.paper, "serif")
            surface.blit(msg, msg.get_rect(center=(960, 540)))
            return
        W = LOGICAL_SIZE[0]
        for layer, factor in self.layers:
            lx = min(max(self.pan.x * factor, 0), max(layer.get_width() - W, 0))
            surface.blit(layer, (0, 0), area=pygame.Rect(round(lx), 0, W, layer.get_height()))  # far layer: sky band
        now = self.s.session.now()
        progress = self.s.session.progress
        for lm in self.s.campaign.city.landmarks:
            ax, ay = self.art.anchors[lm.id]
            sx = ax - self.pan.x
            if -120 < sx < W + 120:
                state = pin_state(self.s.campaign, progress, lm, now)
                bob = 6 * math.sin(self.t * 2.4 + ax) if state is PinState.AVAILABLE else 0
                pin = self.pins[state]
                surface.blit(pin, (round(sx - PIN_SIZE[0] / 2), round(ay - PIN_SIZE[1] - 58 + bob)))
                tag = self._tag(lm)
                surface.blit(tag, (round(sx - tag.get_width() / 2), round(ay - 52)))
        surface.blit(self._hud_surface(), (0, 0))
        self._draw_minimap(surface)
        if self.unroll < UNROLL_SECONDS:
            self._draw_unroll(surface)

    def _draw_minimap(self, surface: pygame.Surface) -> None:
        if self.minimap is None or self.art is None:
            return
        mm = self._minimap_rect()
        surface.blit(self.minimap, (mm.x, mm.y))
        scale = (mm.w - 8) / self.art.width
        box = pygame.Rect(round(mm.x + 4 + self.pan.x * scale), round(mm.y + 2), round(LOGICAL_SIZE[0] * scale), round(mm.h - 4))
        pygame.draw.rect(surface, self.s.palette.primary, box, 4, border_radius=4)
        for lm in self.s.campaign.city.landmarks:
            ax = self.art.anchors[lm.id][0]
            pygame.draw.circle(surface, self.s.palette.accent, (round(mm.x + 4 + ax * scale), round(mm.y + mm.h - 12)), 4)

    def _draw_unroll(self, surface: pygame.Surface) -> None:
        """The scroll opens from the right: the rolled part (a rod) travels to the left edge."""
        W, H = LOGICAL_SIZE
        k = self.unroll / UNROLL_SECONDS
        ease = 1 - (1 - k) ** 3
        edge = round(W - ease * W)  # everything left of the rod is still rolled up
        p = self.s.palette
        if edge > 0:
            table = darken(p.primary, 0.72)
            surface.fill(table, (0, 0, edge, H))
            for y in range(0, H, 36):  # brocade stripes on the cloth under the scroll
                pygame.draw.line(surface, darken(p.accent, 0.55), (0, y), (edge, y), 1)
        rod = pygame.Rect(edge - 26, 0, 52, H)
        rod.clamp_ip(pygame.Rect(-26, 0, W + 52, H))
        for i in range(rod.width):
            shade = 0.35 + 0.65 * math.sin(math.pi * i / rod.width)
            colour = tuple(round(c * shade) for c in (150, 92, 48))
            pygame.draw.line(surface, colour, (rod.x + i, 0), (rod.x + i, H))
        for cap_y in (0, H - 40):
            pygame.draw.rect(surface, lighten(p.accent, 0.1), (rod.x - 6, cap_y, rod.width + 12, 40), border_radius=8)
