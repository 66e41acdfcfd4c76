"""Progress and rewards: steps this month, the tier ladder, and tasks grouped by theme."""

from __future__ import annotations

import pygame

from game.actions import Action, Kind
from game.rules.content import TaskTheme
from game.rules.progress import Summary, TaskStatus
from game.scene import Pop, Scene
from game.services import Services
from game.ui.contrast import CREAM
from game.ui.layout import LOGICAL_SIZE, Rect
from game.ui.widgets import Button, darken, draw_panel, draw_progress, fit_to_label, hit_button, lighten
from scenes.decor import vertical_gradient

TASKS_VIEW = Rect(960, 244, 900, 786)  # the task list's window inside its panel (scrolls when longer)
SCROLL_STEP = 90


class RewardsScene(Scene):
    name = "rewards"

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.s = services
        self.back = Button("back", Rect(40, 34, 180, 68), style="secondary")
        self.scroll = 0.0  # px the task list is scrolled (large text makes it longer than its panel)
        self._drag: tuple[float, float] | None = None
        self._dragged = 0.0
        self._bg: pygame.Surface | None = None
        self._page: tuple[tuple[object, ...], pygame.Surface, pygame.Surface] | None = None

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
        k = action.kind
        if k is Kind.BACK:
            self.request(Pop())
            return True
        if k is Kind.POINTER_DOWN and action.pos is not None and TASKS_VIEW.contains(*action.pos):
            self._drag, self._dragged = action.pos, 0.0
            return True
        if k is Kind.POINTER_MOVE and self._drag is not None:
            self._scroll_by(-action.delta[1])
            self._dragged += abs(action.delta[1])
            return True
        if k is Kind.POINTER_UP:
            dragged, self._drag = self._dragged > 12, None
            if not dragged and hit_button([self.back], action.pos):
                self.request(Pop())
            return True
        if k is Kind.SCROLL:
            self._scroll_by(-action.delta[1] * SCROLL_STEP)
            return True
        if k in (Kind.UP, Kind.DOWN) and action.pressed:
            self._scroll_by(SCROLL_STEP if k is Kind.DOWN else -SCROLL_STEP)
            return True
        return k not in (Kind.TOGGLE_LANGUAGE, Kind.TOGGLE_DEBUG)  # app-wide keys still work

    def _scroll_by(self, dy: float) -> None:
        room = 0 if self._page is None else max(0, self._page[2].get_height() - round(TASKS_VIEW.h))
        self.scroll = min(float(room), max(0.0, self.scroll + dy))

    def draw(self, surface: pygame.Surface) -> None:
        s, p = self.s, self.s.palette
        summary = s.session.summary()
        key = (s.lang, s.session.revision, summary.month, summary.month_steps, s.text.generation)
        if self._page is None or self._page[0] != key:
            self._page = (key, self._paint(summary), self._paint_tasks(summary))
            self._scroll_by(0)
        surface.blit(self._page[1], (0, 0))
        tasks = self._page[2]
        view = pygame.Rect(TASKS_VIEW.as_tuple())
        surface.blit(tasks, view.topleft, pygame.Rect(0, round(self.scroll), view.width, view.height))
        if tasks.get_height() > view.height:  # a scroll bar says there is more
            track = pygame.Rect(view.right - 10, view.y + 6, 6, view.height - 12)
            pygame.draw.rect(surface, darken(p.paper, 0.12), track, border_radius=3)
            thumb_h = max(40, round(track.height * view.height / tasks.get_height()))
            travel = track.height - thumb_h
            thumb_y = track.y + round(travel * self.scroll / max(1, tasks.get_height() - view.height))
            pygame.draw.rect(surface, p.muted, (track.x, thumb_y, 6, thumb_h), border_radius=3)
        self.back.label = s.t("app.back")
        self.back.draw(surface, s.text, {"primary": p.primary, "paper": p.paper, "ink": p.ink}, 30)

    def _paint(self, summary: Summary) -> pygame.Surface:
        """The page but the task rows, painted once per change (language, progress, month, text size)."""
        s, p = self.s, self.s.palette
        assert self._bg is not None
        surface = self._bg.copy()
        self.back.label = s.t("app.back")
        fit_to_label(self.back, s.text, 30)  # the button grows with the text scale; the title starts after it
        x0 = max(260, round(self.back.rect.x + self.back.rect.w) + 40)
        month = s.text.fit(s.t("rewards.month", month=summary.month), 28, 660, p.muted, "sans")
        size = 60  # the title shrinks (large text) rather than run into the month line or the panels
        while size > 36 and 24 + s.text.size(s.t("rewards.title"), size, "serif")[1] - 10 + month.get_height() > 168:
            size -= 2
        title = s.text.fit(s.t("rewards.title"), size, 1000, p.ink, "serif")
        surface.blit(title, (x0, 24))
        surface.blit(month, (x0 + 4, min(24 + title.get_height() - 10, 168 - month.get_height())))
        self._paint_steps(surface, summary)
        right = Rect(960, 170, 900, 870)
        draw_panel(surface, right, lighten(p.paper, 0.55), radius=22, border=darken(p.paper, 0.3))
        heading = s.text.render(s.t("rewards.tasks"), 34, p.ink, "bold")
        surface.blit(heading, (1000, 236 - heading.get_height()))
        return surface

    def _paint_steps(self, surface: pygame.Surface, summary: Summary) -> None:
        s, p = self.s, self.s.palette
        left = Rect(60, 170, 860, 870)
        draw_panel(surface, left, lighten(p.paper, 0.55), radius=22, border=darken(p.paper, 0.3))
        label = s.text.fit(s.t("rewards.steps_month"), 30, 420, p.muted, "bold")
        surface.blit(label, (100, 196))
        y = 196 + label.get_height()
        # the big figure is already display-sized: past 1.25× it stays put, leaving room for the tiers
        big = s.text.render(f"{summary.month_steps}", round(120 * min(1.0, 1.25 / s.text.scale.factor)),
                            p.text_primary, "serif")
        surface.blit(big, (96, y - big.get_height() // 8))
        unit = s.text.render(s.t("app.steps"), 36, p.text_primary, "bold")
        surface.blit(unit, (110 + big.get_width(), y + big.get_height() * 5 // 8 - unit.get_height() // 2))
        stats_x = max(560, 140 + big.get_width() + unit.get_width())
        total = s.text.fit(f"{s.t('rewards.steps_total')}  {summary.total_steps}", 28, 880 - stats_x, p.muted, "sans")
        surface.blit(total, (stats_x, y))
        visited = f"{s.t('rewards.checkins')}  {len(summary.checked_in_ever)}/{len(s.campaign.city.landmarks)}"
        surface.blit(s.text.fit(visited, 28, 880 - stats_x, p.muted, "sans"), (stats_x, y + total.get_height() + 8))
        y += big.get_height() * 7 // 8 + 8
        tiers = s.campaign.tiers
        top = tiers[-1].threshold
        draw_progress(surface, Rect(100, y, 780, 30), summary.month_steps / top, p.primary, darken(p.paper, 0.12),
                      [t.threshold / top for t in tiers[:-1]], lighten(p.paper, 0.5))
        heading = s.text.render(s.t("rewards.tiers"), 30, p.ink, "bold")
        surface.blit(heading, (100, y + 46))
        y += 46 + heading.get_height() + 8
        row_h = min(124, (1024 - y) // max(1, len(tiers)))
        size = 28  # badge size: the line shrinks to its row when scaled text makes rows short
        while size > 14 and s.text.size("Ag", size, "bold")[1] > row_h - 20:
            size -= 1
        badges = [s.t("rewards.reached") if summary.month_steps >= t.threshold else s.t("rewards.need", n=t.threshold)
                  for t in tiers]
        name_size = min(s.text.fit_size(t.name.get(s.lang), min(30, size + 2), 780 - 72 - s.text.size(b, size, "bold")[0],
                                        "bold", min(20, size)) for t, b in zip(tiers, badges, strict=True))
        for tier, badge in zip(tiers, badges, strict=True):
            reached = summary.month_steps >= tier.threshold
            row = Rect(100, y, 780, row_h - 12)
            fill = p.gold_row if reached else lighten(p.paper, 0.2)
            draw_panel(surface, row, fill, radius=16, border=p.accent if reached else darken(p.paper, 0.25))
            bs = s.text.render(badge, size, p.text_primary if reached else p.muted, "bold")
            top_y = y + max(2, min(8, (round(row.h) - bs.get_height()) // 2))
            surface.blit(bs, (row.x + row.w - bs.get_width() - 24, top_y))
            name_w = round(row.w - bs.get_width() - 72)
            name = s.text.fit(tier.name.get(s.lang), name_size, name_w, p.ink, "bold", name_size)  # one size
            surface.blit(name, (124, top_y))
            reward_y = top_y + name.get_height()
            room = round(row.y + row.h) - 6 - reward_y
            line_h = round(s.text.px(16) * 1.2)
            if room >= line_h:  # the reward, when the row has room for a line of it
                lines = max(1, room // max(1, round(s.text.px(22) * 1.2)))
                s.text.draw_fitted_paragraph(surface, tier.reward.get(s.lang), (124, reward_y), round(row.w - 48),
                                             22, p.muted, "sans", 1.2, lines, 16)
            y += row_h

    def _paint_tasks(self, summary: Summary) -> pygame.Surface:
        """The task rows on a surface of their own (transparent), as tall as they need: the list scrolls
        inside TASKS_VIEW when large text makes it longer."""
        s, p = self.s, self.s.palette
        statuses = [(theme, st) for theme in TaskTheme for st in summary.tasks_by_theme.get(theme, ())]
        # one chip width for the column: wide enough for the longest theme name (within limits)
        labels = {theme: s.t(f"theme.{theme.value}") for theme, _ in statuses}
        chip_w = min(230, max(150, *(s.text.size(t, 22, "bold")[0] + 32 for t in labels.values())))
        x0, right = 40, round(TASKS_VIEW.w) - 40
        name_x = x0 + chip_w + 20
        metas = [self._meta(st) for _, st in statuses]
        status_w = min(340, max(236, *(s.text.size(m, 20, "sans")[0] + 4 for m in metas)))
        name_w = right - status_w - 16 - name_x
        fits = (round(TASKS_VIEW.h) - 8) // max(1, len(statuses))
        # the status and its steps stacked, or two lines of name: whichever is taller (large text scrolls)
        row_h = max(min(90, fits), s.text.px(26) + s.text.px(20) + 12, 2 * round(s.text.px(17) * 1.2) + 8)
        surface = pygame.Surface((round(TASKS_VIEW.w), max(1, row_h * len(statuses) + 8)), pygame.SRCALPHA)
        y = 4
        for i, (theme, status) in enumerate(statuses):
            if i:
                pygame.draw.line(surface, darken(p.paper, 0.12), (x0, y), (right, y), 1)
            mid = y + row_h // 2
            chip_rect = pygame.Rect(x0, 0, chip_w, max(36, s.text.size("A", 22, "bold")[1] + 4))
            chip_rect.centery = mid
            pygame.draw.rect(surface, p.fill_jade if status.complete else p.fill_primary, chip_rect,
                             border_radius=chip_rect.height // 2)
            chip = s.text.fit(labels[theme], 22, chip_w - 20, CREAM, "bold", 14)
            surface.blit(chip, chip.get_rect(center=chip_rect.center))
            name = status.task.name.get(s.lang)
            size = s.text.paragraph_size(name, 25, name_w, 2, "sans", 17)
            n_lines = len(s.text.wrap(name, size, name_w, "sans", 2))
            line_h = round(s.text.px(size) * 1.2)
            s.text.draw_paragraph(surface, name, (name_x, mid - n_lines * line_h // 2 - 2), name_w, size, p.ink, "sans",
                                  1.2, max_lines=2)
            state = s.t("rewards.done") if status.complete else f"{status.done_this_month}/{status.task.monthly_limit}"
            ss = s.text.render(state, 26, p.text_jade if status.complete else p.ink, "bold")
            surface.blit(ss, ss.get_rect(bottomright=(right, mid + 2)))
            ms = s.text.fit(self._meta(status), 20, status_w, p.muted, "sans", 16)
            surface.blit(ms, ms.get_rect(topright=(right, mid + 2)))
            y += row_h
        return surface

    def _meta(self, status: TaskStatus) -> str:
        s = self.s
        return f"+{status.task.steps} {s.t('app.steps')} · {s.t('rewards.per_month', n=status.task.monthly_limit)}"
