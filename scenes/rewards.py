"""Progress and rewards: steps this month, the tier ladder, and tasks grouped by theme."""

from __future__ import annotations

import pygame

from game.actions import Action, Kind
from game.rules.content import TaskTheme
from game.rules.progress import Summary
from game.scene import Pop, Scene
from game.services import Services
from game.ui.layout import LOGICAL_SIZE, Rect
from game.ui.widgets import Button, darken, draw_panel, draw_progress, hit_button, lighten
from scenes.decor import vertical_gradient


class RewardsScene(Scene):
    name = "rewards"

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.s = services
        self.back = Button("back", Rect(40, 34, 180, 68), style="secondary")
        self.scroll = 0.0
        self._bg: pygame.Surface | None = None
        self._page: tuple[tuple[object, ...], pygame.Surface] | None = None

    def enter(self) -> None:
        p = self.s.palette
        self._bg = self.s.images.remember(
            ("rewards-bg", self.s.campaign.id),
            lambda: vertical_gradient(LOGICAL_SIZE, lighten(p.paper, 0.35), darken(p.paper, 0.08)),
        )

    def tap_targets(self) -> dict[str, tuple[float, float]]:
        """Named places to tap, for QA scenarios (game/qa/targets.py)."""
        return {"back": self.back.rect.center}

    def handle(self, action: Action) -> bool:
        if action.kind is Kind.BACK or (action.kind is Kind.POINTER_UP and hit_button([self.back], action.pos)):
            self.request(Pop())
            return True
        return action.kind is not Kind.TOGGLE_LANGUAGE

    def draw(self, surface: pygame.Surface) -> None:
        s, p = self.s, self.s.palette
        summary = s.session.summary()
        key = (s.lang, s.session.revision, summary.month, summary.month_steps)
        if self._page is None or self._page[0] != key:
            self._page = (key, self._paint(summary))
        surface.blit(self._page[1], (0, 0))
        self.back.label = s.t("app.back")
        self.back.draw(surface, s.text, {"primary": p.primary, "paper": p.paper, "ink": p.ink}, 30)

    def _paint(self, summary: Summary) -> pygame.Surface:
        """The whole page, painted once per change (language, progress, month): drawing is a blit."""
        s, p = self.s, self.s.palette
        assert self._bg is not None
        surface = self._bg.copy()
        surface.blit(s.text.fit(s.t("rewards.title"), 60, 1000, p.ink, "serif"), (260, 30))
        surface.blit(s.text.fit(s.t("rewards.month", month=summary.month), 28, 1000, p.muted, "sans"), (264, 104))
        self._paint_steps(surface, summary)
        self._paint_tasks(surface, summary)
        return surface

    def _paint_steps(self, surface: pygame.Surface, summary: Summary) -> None:
        s, p = self.s, self.s.palette
        left = Rect(60, 170, 860, 870)
        draw_panel(surface, left, lighten(p.paper, 0.55), radius=22, border=darken(p.paper, 0.3))
        surface.blit(s.text.fit(s.t("rewards.steps_month"), 30, 420, p.muted, "bold"), (100, 200))
        big = s.text.render(f"{summary.month_steps}", 120, p.primary, "serif")
        surface.blit(big, (96, 236))
        unit = s.text.render(s.t("app.steps"), 36, p.primary, "bold")
        surface.blit(unit, (110 + big.get_width(), 320))
        stats_x = max(560, 140 + big.get_width() + unit.get_width())
        total = s.text.fit(f"{s.t('rewards.steps_total')}  {summary.total_steps}", 28, 880 - stats_x, p.muted, "sans")
        surface.blit(total, (stats_x, 250))
        visited = f"{s.t('rewards.checkins')}  {len(summary.checked_in_ever)}/{len(s.campaign.city.landmarks)}"
        surface.blit(s.text.fit(visited, 28, 880 - stats_x, p.muted, "sans"), (stats_x, 300))
        tiers = s.campaign.tiers
        top = tiers[-1].threshold
        draw_progress(surface, Rect(100, 400, 780, 30), summary.month_steps / top, p.primary, darken(p.paper, 0.12),
                      [t.threshold / top for t in tiers[:-1]], lighten(p.paper, 0.5))
        surface.blit(s.text.render(s.t("rewards.tiers"), 30, p.ink, "bold"), (100, 456))
        y = 506
        row_h = min(124, (1024 - y) // max(1, len(tiers)))
        for tier in tiers:
            reached = summary.month_steps >= tier.threshold
            row = Rect(100, y, 780, row_h - 12)
            fill = lighten(p.accent, 0.55) if reached else lighten(p.paper, 0.2)
            draw_panel(surface, row, fill, radius=16, border=p.accent if reached else darken(p.paper, 0.25))
            badge = s.t("rewards.reached") if reached else s.t("rewards.need", n=tier.threshold)
            bs = s.text.render(badge, 28, p.primary if reached else p.muted, "bold")
            surface.blit(bs, (row.x + row.w - bs.get_width() - 24, y + 12))
            name_w = round(row.w - bs.get_width() - 72)
            surface.blit(s.text.fit(tier.name.get(s.lang), 30, name_w, p.ink, "bold", 20), (124, y + 10))
            lines = max(1, (round(row.h) - 56) // 26)
            s.text.draw_fitted_paragraph(surface, tier.reward.get(s.lang), (124, y + 54), round(row.w - 48), 22, p.muted,
                                         "sans", 1.2, lines, 16)
            y += row_h

    def _paint_tasks(self, surface: pygame.Surface, summary: Summary) -> None:
        s, p = self.s, self.s.palette
        right = Rect(960, 170, 900, 870)
        draw_panel(surface, right, lighten(p.paper, 0.55), radius=22, border=darken(p.paper, 0.3))
        surface.blit(s.text.render(s.t("rewards.tasks"), 34, p.ink, "bold"), (1000, 196))
        statuses = [(theme, st) for theme in TaskTheme for st in summary.tasks_by_theme.get(theme, ())]
        y0 = 252
        row_h = min(90, (1024 - y0) // max(1, len(statuses)))
        # one chip width for the column: wide enough for the longest theme name (within limits)
        labels = {theme: s.t(f"theme.{theme.value}") for theme, _ in statuses}
        chip_w = min(230, max(150, *(s.text.size(t, 22, "bold")[0] + 32 for t in labels.values())))
        name_x = 1000 + chip_w + 20
        status_w = 236
        name_w = 1820 - status_w - 16 - name_x
        y = y0
        for i, (theme, status) in enumerate(statuses):
            if i:
                pygame.draw.line(surface, darken(p.paper, 0.12), (1000, y), (1820, y), 1)
            mid = y + row_h // 2
            chip_rect = pygame.Rect(1000, 0, chip_w, 36)
            chip_rect.centery = mid
            pygame.draw.rect(surface, p.jade if status.complete else p.primary, chip_rect, border_radius=18)
            chip = s.text.fit(labels[theme], 22, chip_w - 20, (255, 248, 235), "bold", 14)
            surface.blit(chip, chip.get_rect(center=chip_rect.center))
            name = status.task.name.get(s.lang)
            size = s.text.paragraph_size(name, 25, name_w, 2, "sans", 17)
            n_lines = len(s.text.wrap(name, size, name_w, "sans", 2))
            line_h = round(size * 1.2)
            s.text.draw_paragraph(surface, name, (name_x, mid - n_lines * line_h // 2 - 2), name_w, size, p.ink, "sans",
                                  1.2, max_lines=2)
            state = s.t("rewards.done") if status.complete else f"{status.done_this_month}/{status.task.monthly_limit}"
            ss = s.text.render(state, 26, p.jade if status.complete else p.ink, "bold")
            surface.blit(ss, ss.get_rect(topright=(1820, mid - 30)))
            meta = f"+{status.task.steps} {s.t('app.steps')} · {s.t('rewards.per_month', n=status.task.monthly_limit)}"
            ms = s.text.fit(meta, 20, status_w, p.muted, "sans", 16)
            surface.blit(ms, ms.get_rect(topright=(1820, mid + 4)))
            y += row_h
