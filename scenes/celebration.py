"""The tier-reached celebration: a watcher that notices a new monthly tier, and the overlay it opens.

``Celebrations.tick(stack)`` is the one call the main loop makes per frame. A tier reached by a check-in,
a task or a sync (the server's view) is celebrated once; a new visitor (the kiosk's next guest) or a
new month starts from what is already reached, without a celebration.
"""

from __future__ import annotations

import math
import random

import pygame

from game.actions import Action, Kind
from game.audio import Cue, audio_of
from game.rules.content import Tier
from game.scene import Pop, Push, Scene, SceneStack
from game.services import Services
from game.session import Session
from game.ui.layout import LOGICAL_SIZE, Rect
from game.ui.widgets import darken, draw_panel, lighten

DELAY = 1.2  # let the seal's stamp (1.1 s) land first
SHOW = 7.0  # then it closes by itself
TAP_AFTER = 0.6  # a tap closes it, but not the tap that was already on its way


class TierWatcher:
    """Which tier of the month the player has reached, polled cheaply (only when the session changed)."""

    def __init__(self, session: Session) -> None:
        self._reset(session)

    def _reached(self, session: Session) -> tuple[str, set[str]]:
        summary = session.summary()
        return summary.month, {t.id for t in session.campaign.tiers if summary.month_steps >= t.threshold}

    def _reset(self, session: Session) -> None:
        self._player, self._revision = session.player_id, session.revision
        self._month, self._ids = self._reached(session)

    def poll(self, session: Session) -> Tier | None:
        """The highest tier newly reached since the last poll, or None."""
        if session.player_id != self._player:
            self._reset(session)  # another visitor: nothing of theirs to celebrate yet
            return None
        if session.revision == self._revision:
            return None
        self._revision = session.revision
        month, ids = self._reached(session)
        new = ids - self._ids if month == self._month else set()
        self._month, self._ids = month, ids
        reached = [t for t in session.campaign.tiers if t.id in new]
        return max(reached, key=lambda t: t.threshold) if reached else None


class TierCelebration(Scene):
    """Over whatever is on screen: rays, a gilt medal, falling paper-cuts, the tier and its reward."""

    name = "celebration"
    transparent = True
    modal = True

    def __init__(self, services: Services, tier: Tier, delay: float = DELAY) -> None:
        super().__init__()
        self.s = services
        self.tier = tier
        self.delay = delay
        self.t = 0.0
        self.played = False
        rng = random.Random(tier.threshold)
        W = LOGICAL_SIZE[0]
        self.pieces = [  # (x, start y, fall speed, sway phase, size, colour index, spin)
            (rng.uniform(0, W), rng.uniform(-900, -20), rng.uniform(160, 300), rng.uniform(0, 6.3),
             rng.uniform(12, 24), rng.randrange(3), rng.uniform(-3, 3))
            for _ in range(70)
        ]

    @property
    def shown(self) -> float:
        return self.t - self.delay

    def handle(self, action: Action) -> bool:
        if self.shown >= TAP_AFTER and action.kind in (Kind.POINTER_UP, Kind.CONFIRM, Kind.BACK):
            self.request(Pop())
        return action.kind not in (Kind.TOGGLE_LANGUAGE, Kind.TOGGLE_DEBUG, Kind.SCREENSHOT)

    def update(self, dt: float) -> None:
        self.t += dt
        if self.shown >= 0 and not self.played:
            self.played = True
            audio_of(self.s).play(Cue.TIER)
        if self.shown >= SHOW:
            self.request(Pop())

    def draw(self, surface: pygame.Surface) -> None:
        if self.shown < 0:
            return
        k = min(1.0, self.shown / 0.35)
        ease = 1 - (1 - k) ** 3
        W, H = LOGICAL_SIZE
        p = self.s.palette
        dim = pygame.Surface((W, H), pygame.SRCALPHA)
        dim.fill((*darken(p.ink, 0.3), round(175 * ease)))
        surface.blit(dim, (0, 0))
        centre = (W // 2, 300)
        self._draw_rays(surface, centre, ease)
        self._draw_medal(surface, centre, round(120 * (0.6 + 0.4 * ease)))
        self._draw_panel(surface, ease)
        self._draw_pieces(surface)

    def _draw_rays(self, surface: pygame.Surface, centre: tuple[int, int], ease: float) -> None:
        p = self.s.palette
        rays = pygame.Surface(LOGICAL_SIZE, pygame.SRCALPHA)
        spin = self.shown * 0.25
        reach = 520 * ease
        for i in range(18):
            a = spin + i * math.tau / 18
            points = [centre] + [(centre[0] + reach * math.cos(a + d), centre[1] + reach * math.sin(a + d))
                                 for d in (-0.07, 0.07)]
            pygame.draw.polygon(rays, (*lighten(p.accent, 0.3), 70), points)
        surface.blit(rays, (0, 0))

    def _draw_medal(self, surface: pygame.Surface, centre: tuple[int, int], r: int) -> None:
        p, s = self.s.palette, self.s
        pygame.draw.circle(surface, darken(p.accent, 0.35), (centre[0], centre[1] + 6), r + 6)  # rim shadow
        pygame.draw.circle(surface, p.accent, centre, r)
        pygame.draw.circle(surface, lighten(p.accent, 0.35), centre, r - 10, 4)
        pygame.draw.circle(surface, p.fill_primary, centre, r - 26)
        for i in range(8):  # a cloud-collar scallop round the red centre
            a = i * math.tau / 8 + math.pi / 8
            pygame.draw.circle(surface, p.fill_primary, (round(centre[0] + (r - 30) * math.cos(a)),
                                                        round(centre[1] + (r - 30) * math.sin(a))), 16)
        rank = 1 + [t.id for t in s.campaign.tiers].index(self.tier.id)
        glyphs = s.text.render(str(rank), round(r * 0.9), lighten(p.accent, 0.6), "serif")
        surface.blit(glyphs, glyphs.get_rect(center=(centre[0], centre[1] + 4)))

    def _draw_panel(self, surface: pygame.Surface, ease: float) -> None:
        s, p = self.s, self.s.palette
        panel = Rect(360, 450 + 40 * (1 - ease), 1200, 500)
        draw_panel(surface, panel, lighten(p.paper, 0.4), radius=28, border=p.accent, border_width=4)
        w = round(panel.w - 120)
        cx = round(panel.x + panel.w / 2)
        y = round(panel.y + 36)
        title = s.text.fit(s.t("celebrate.title"), 44, w, p.text_primary, "bold", 30)
        surface.blit(title, title.get_rect(midtop=(cx, y)))
        y += title.get_height() + 6
        name = s.text.fit(self.tier.name.get(s.lang), 76, w, p.ink, "serif", 40)
        surface.blit(name, name.get_rect(midtop=(cx, y)))
        y += name.get_height() + 10
        reward = s.t("celebrate.reward", reward=self.tier.reward.get(s.lang))
        size = s.text.paragraph_size(reward, 34, w, 2, "sans", 24)
        for line in s.text.wrap(reward, size, w, "sans", 2):
            glyphs = s.text.render(line, size, p.ink, "sans")
            surface.blit(glyphs, glyphs.get_rect(midtop=(cx, y)))
            y += round(glyphs.get_height() * 1.1)
        summary = s.session.summary()
        nxt = summary.next_tier
        more = (s.t("celebrate.next", tier=nxt.name.get(s.lang), n=nxt.threshold) if nxt is not None
                else s.t("celebrate.top"))
        status = f"{s.t('celebrate.steps', n=summary.month_steps)} · {more}"
        line = s.text.fit(status, 28, w, p.muted, "sans")
        surface.blit(line, line.get_rect(midtop=(cx, y + 12)))
        if self.shown >= TAP_AFTER:
            hint = s.text.fit(s.t("celebrate.continue"), 28, w, p.text_primary, "bold")
            surface.blit(hint, hint.get_rect(midbottom=(cx, round(panel.y + panel.h - 26))))

    def _draw_pieces(self, surface: pygame.Surface) -> None:
        """Falling paper-cut diamonds in the brand's red and gold."""
        p = self.s.palette
        colours = (p.primary, p.accent, lighten(p.accent, 0.4))
        H = LOGICAL_SIZE[1]
        for x0, y0, speed, phase, size, ci, spin in self.pieces:
            y = y0 + speed * self.shown
            if y > H + 30:
                continue
            x = x0 + 40 * math.sin(phase + self.shown * 1.7)
            a = phase + spin * self.shown
            flat = abs(math.cos(a)) * 0.8 + 0.2  # turning as it falls
            pts = [(x, y - size), (x + size * 0.6 * flat, y), (x, y + size), (x - size * 0.6 * flat, y)]
            pygame.draw.polygon(surface, colours[ci], pts)


class Celebrations:
    """The main loop's hook: open the celebration when a tier is newly reached."""

    def __init__(self, services: Services) -> None:
        self.s = services
        self.watcher = TierWatcher(services.session)

    def tick(self, stack: SceneStack) -> Tier | None:
        tier = self.watcher.poll(self.s.session)
        if tier is not None:
            stack.apply(Push(TierCelebration(self.s, tier)))
        return tier
