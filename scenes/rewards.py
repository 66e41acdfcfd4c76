"""Progress and rewards: steps this month, the tier ladder, and tasks grouped by theme."""

from __future__ import annotations

import pygame

from game.actions import Action, Kind
from game.rules.content import TaskTheme
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

    def enter(self) -> None:
        p = self.s.palette
        self._bg = self.s.images.remember(
            ("rewards-bg", self.s.campaign.id),
            lambda: vertical_gradient(LOGICAL_SIZE, lighten(p.paper, 0.35), darken(p.paper, 0.08)),
        )

    def handle(self, action: Action) -> bool:
        if action.kind is Kind.BACK or (action.kind is Kind.POINTER_UP and hit_button([self.back], action.pos)):
            self.request(Pop())
            return True
        return action.kind is not Kind.TOGGLE_LANGUAGE

    def draw(self, surface: pygame.Surface) -> None:
        s, p = self.s, self.s.palette
        assert self._bg is not None
        surface.blit(self._bg, (0, 0))
        summary = s.session.summary()
        colours = {"primary": p.primary, "paper": p.paper, "ink": p.ink}
        self.back.label = s.t("app.back")
        self.back.draw(surface, s.text, colours, 30)
        surface.blit(s.text.render(s.t("rewards.title"), 60, p.ink, "serif"), (260, 30))
        surface.blit(s.text.render(s.t("rewards.month", month=summary.month), 28, p.muted, "sans"), (264, 104))
        # left: the month's steps and the tier ladder
        left = Rect(60, 170, 860, 870)
        draw_panel(surface, left, lighten(p.paper, 0.55), radius=22, border=darken(p.paper, 0.3))
        surface.blit(s.text.render(s.t("rewards.steps_month"), 30, p.muted, "bold"), (100, 200))
        big = s.text.render(f"{summary.month_steps}", 120, p.primary, "serif")
        surface.blit(big, (96, 236))
        unit = s.text.render(s.t("app.steps"), 36, p.primary, "bold")
        surface.blit(unit, (110 + big.get_width(), 320))
        total = s.text.render(f"{s.t('rewards.steps_total')}  {summary.total_steps}", 28, p.muted, "sans")
        surface.blit(total, (560, 250))
        visited = s.text.render(f"{s.t('rewards.checkins')}  {len(summary.checked_in_ever)}/{len(s.campaign.city.landmarks)}",
                                28, p.muted, "sans")
        surface.blit(visited, (560, 300))
        top = s.campaign.tiers[-1].threshold
        draw_progress(surface, Rect(100, 400, 780, 30), summary.month_steps / top, p.primary, darken(p.paper, 0.12),
                      [t.threshold / top for t in s.campaign.tiers[:-1]], lighten(p.paper, 0.5))
        surface.blit(s.text.render(s.t("rewards.tiers"), 30, p.ink, "bold"), (100, 456))
        y = 510
        row_h = min(120, (1010 - y) // max(1, len(s.campaign.tiers)))
        for tier in s.campaign.tiers:
            reached = summary.month_steps >= tier.threshold
            row = Rect(100, y, 780, row_h - 14)
            fill = lighten(p.accent, 0.55) if reached else lighten(p.paper, 0.2)
            draw_panel(surface, row, fill, radius=16, border=p.accent if reached else darken(p.paper, 0.25))
            surface.blit(s.text.render(tier.name.get(s.lang), 32, p.ink, "bold"), (124, y + 12))
            s.text.draw_paragraph(surface, tier.reward.get(s.lang), (124, y + 54), 520, 24, p.muted, "sans", 1.3,
                                  max_lines=max(1, (row_h - 66) // 32))
            badge = s.t("rewards.reached") if reached else s.t("rewards.need", n=tier.threshold)
            bs = s.text.render(badge, 28, p.primary if reached else p.muted, "bold")
            surface.blit(bs, (row.x + row.w - bs.get_width() - 24, y + 14))
            y += row_h
        # right: tasks by theme
        right = Rect(960, 170, 900, 870)
        draw_panel(surface, right, lighten(p.paper, 0.55), radius=22, border=darken(p.paper, 0.3))
        surface.blit(s.text.render(s.t("rewards.tasks"), 34, p.ink, "bold"), (1000, 196))
        y = 256
        statuses = [(theme, st) for theme in TaskTheme for st in summary.tasks_by_theme.get(theme, ())]
        row_h = min(82, (1010 - y) // max(1, len(statuses)))
        for theme, status in statuses:
            chip = s.text.render(s.t(f"theme.{theme.value}"), 22, (255, 248, 235), "bold")
            chip_rect = pygame.Rect(1000, y + 8, 170, 36)
            pygame.draw.rect(surface, p.jade if status.complete else p.primary, chip_rect, border_radius=18)
            surface.blit(chip, chip.get_rect(center=chip_rect.center))
            name = status.task.name.get(s.lang)
            s.text.draw_paragraph(surface, name, (1190, y + 6), 450, 26, p.ink, "sans", 1.2, max_lines=1)
            meta = f"+{status.task.steps} {s.t('app.steps')} · {s.t('rewards.per_month', n=status.task.monthly_limit)}"
            surface.blit(s.text.render(meta, 20, p.muted, "sans"), (1190, y + 40))
            state = s.t("rewards.done") if status.complete else f"{status.done_this_month}/{status.task.monthly_limit}"
            ss = s.text.render(state, 26, p.jade if status.complete else p.muted, "bold")
            surface.blit(ss, (1820 - ss.get_width(), y + 14))
            y += row_h
