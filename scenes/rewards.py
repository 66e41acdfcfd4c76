"""Progress and rewards: steps this month, the tier ladder, and tasks grouped by theme.

The header grows with the text scale and the two panels start under it. Each panel's content is painted
on a surface of its own, as tall as it needs: when large text or ``--ui-scale`` makes it longer than the
panel, it scrolls (wheel, drag, arrow keys) rather than cut anything. Task rows put the task's name
beside its theme chip while there is room for a readable line, and under it when there is not.
"""

from __future__ import annotations

import pygame

from game.actions import Action, Kind
from game.rules.content import TaskTheme
from game.rules.progress import Summary, TaskStatus
from game.scene import Pop, Scene
from game.services import Services
from game.ui.contrast import CREAM
from game.ui.layout import LOGICAL_SIZE, Rect, Scroll
from game.ui.text import PlacedText, edge_fade, inked
from game.ui.widgets import Button, darken, draw_panel, draw_progress, fit_to_label, hit_button, lighten
from scenes.decor import vertical_gradient

TASKS_VIEW = Rect(960, 244, 900, 786)  # the task list's window at normal text (it moves down with a taller header)
PANEL_BOTTOM = 1040
SCROLL_STEP = 90
EDGE = 40  # the task rows' margin inside their panel
FADE_H = 36  # the least height over which a scrolled panel's text fades out at a cut edge (grows with the text)


class RewardsScene(Scene):
    name = "rewards"

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.s = services
        self.back = Button("back", Rect(40, 34, 180, 68), style="secondary")
        self.tasks = Scroll(TASKS_VIEW)  # the task list (large text makes it longer than its panel)
        self.steps = Scroll(Rect(60, 178, 860, 854))  # the steps and tiers panel, likewise
        self._drag: tuple[Scroll, float] | None = None
        self._dragged = 0.0
        self._bg: pygame.Surface | None = None
        self._page: tuple[tuple[object, ...], pygame.Surface, pygame.Surface, pygame.Surface] | None = None
        self.placed: list[PlacedText] = []  # every text painted, and its box (read by the layout tests)

    @property
    def scroll(self) -> float:
        """How far the task list is scrolled."""
        return self.tasks.offset

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
        if k is Kind.POINTER_DOWN and action.pos is not None:
            view = self._view_at(action.pos)
            if view is not None:
                self._drag, self._dragged = (view, action.pos[1]), 0.0
            return True
        if k is Kind.POINTER_MOVE and self._drag is not None:
            self._drag[0].scroll_by(-action.delta[1])
            self._dragged += abs(action.delta[1])
            return True
        if k is Kind.POINTER_UP:
            dragged, self._drag = self._dragged > 12, None
            self._dragged = 0.0
            if not dragged and hit_button([self.back], action.pos):
                self.request(Pop())
            return True
        if k is Kind.SCROLL:
            view = self._view_at(action.pos) if action.pos is not None else None
            (view or self.tasks).scroll_by(-action.delta[1] * SCROLL_STEP)
            return True
        if k in (Kind.UP, Kind.DOWN) and action.pressed:
            view = self.tasks if self.tasks.room or not self.steps.room else self.steps
            view.scroll_by(SCROLL_STEP if k is Kind.DOWN else -SCROLL_STEP)
            return True
        return k not in (Kind.TOGGLE_LANGUAGE, Kind.TOGGLE_DEBUG)  # app-wide keys still work

    def _view_at(self, pos: tuple[float, float]) -> Scroll | None:
        return next((v for v in (self.tasks, self.steps) if v.view.contains(*pos)), None)

    def _scroll_by(self, dy: float) -> None:
        self.tasks.scroll_by(dy)

    def draw(self, surface: pygame.Surface) -> None:
        s = self.s
        summary = s.session.summary()
        key = (s.lang, s.session.revision, summary.month, summary.month_steps, s.text.generation)
        if self._page is None or self._page[0] != key:
            self.placed = []
            page = self._paint(summary)
            self._page = (key, page, self._paint_tasks(summary), self._paint_steps(summary))
            self.tasks.set_content(self.tasks.view, self._page[2].get_height())
            self.steps.set_content(self.steps.view, self._page[3].get_height())
        surface.blit(self._page[1], (0, 0))
        for scroll, content in ((self.tasks, self._page[2]), (self.steps, self._page[3])):
            self._draw_scrolled(surface, scroll, content)
        self.back.label = s.t("app.back")
        p = s.palette
        self.back.draw(surface, s.text, {"primary": p.primary, "paper": p.paper, "ink": p.ink}, 30)

    def _draw_scrolled(self, surface: pygame.Surface, scroll: Scroll, content: pygame.Surface) -> None:
        p = self.s.palette
        view = pygame.Rect(scroll.view.as_tuple())
        surface.blit(content, view.topleft, pygame.Rect(0, round(scroll.offset), view.width, view.height))
        for top, more in ((False, scroll.more_below), (True, scroll.more_above)):
            if more:  # a line the edge cuts fades into the panel (no half glyphs), which says there is more
                fade = edge_fade(view.width - 8, self.fade_height(), lighten(self.s.palette.paper, 0.55), top)
                surface.blit(fade, (view.x + 4, view.y if top else view.bottom - fade.get_height()))
        if scroll.room:  # a scroll bar says there is more
            track = pygame.Rect(view.right - 10, view.y + 6, 6, view.height - 12)
            pygame.draw.rect(surface, darken(p.paper, 0.12), track, border_radius=3)
            thumb_y, thumb_h = scroll.thumb(track.y, track.height)
            pygame.draw.rect(surface, p.muted, (track.x, round(thumb_y), 6, round(thumb_h)), border_radius=3)

    def fade_height(self) -> int:
        """How tall a panel's edge fade is: about one line of its text."""
        return max(FADE_H, round(self.s.text.px(25) * 1.3))

    def _place(self, role: str, text: str, rect: pygame.Rect, box: pygame.Rect, space: str = "screen") -> None:
        self.placed.append(PlacedText(role, text, rect, box, space))

    def _paint(self, summary: Summary) -> pygame.Surface:
        """The page but the panels' contents, painted once per change (language, progress, month, text size)."""
        s, p = self.s, self.s.palette
        assert self._bg is not None
        surface = self._bg.copy()
        screen = surface.get_rect()
        self.back.label = s.t("app.back")
        fit_to_label(self.back, s.text, 30)  # the button grows with the text scale; the title starts after it
        back_box = pygame.Rect(self.back.rect.as_tuple())
        label = pygame.Rect((0, 0), s.text.size(self.back.label, 30, "bold"))
        label.center = back_box.center
        self._place("button:back", self.back.label, label, back_box)
        x0 = max(260, back_box.right + 40)
        room_w = LOGICAL_SIZE[0] - 40 - x0
        title_text, month_text = s.t("rewards.title"), s.t("rewards.month", month=summary.month)
        size = 60  # the title stops growing at 1.5× (large text) rather than push the panels far down
        while size > 36 and s.text.px(size) > 90:
            size -= 2
        title = s.text.fit(title_text, size, room_w, p.ink, "serif")
        month = s.text.fit(month_text, 28, room_w - 4, p.muted, "sans")
        month_at = (x0 + 4, 24 + title.get_height() - 10)
        side_x = x0 + title.get_width() + 32
        if month_at[1] + month.get_height() > 168 and side_x + month.get_width() <= LOGICAL_SIZE[0] - 40:
            # no room under the title: the month goes beside it, on its baseline
            month_at = (side_x, 24 + title.get_height() * 3 // 4 - month.get_height() * 3 // 4)
        surface.blit(title, (x0, 24))
        surface.blit(month, month_at)
        self._place("title", title_text, inked(title, (x0, 24)), screen)
        self._place("month", month_text, inked(month, month_at), screen)
        top = max(170, month_at[1] + month.get_height() + 4, 24 + title.get_height() + 4, back_box.bottom + 16)
        left, right = Rect(60, top, 860, PANEL_BOTTOM - top), Rect(960, top, 900, PANEL_BOTTOM - top)
        draw_panel(surface, left, lighten(p.paper, 0.55), radius=22, border=darken(p.paper, 0.3))
        draw_panel(surface, right, lighten(p.paper, 0.55), radius=22, border=darken(p.paper, 0.3))
        heading = s.text.fit(s.t("rewards.tasks"), 34, round(right.w) - 80, p.ink, "bold")
        head_y = max(top + 66 - heading.get_height(), top + 12)
        surface.blit(heading, (1000, head_y))
        self._place("tasks heading", s.t("rewards.tasks"), inked(heading, (1000, head_y)),
                    pygame.Rect(right.as_tuple()))
        tasks_y = max(round(TASKS_VIEW.y), head_y + heading.get_height() + 4)
        self.tasks.set_content(Rect(960, tasks_y, 900, PANEL_BOTTOM - 10 - tasks_y), self.tasks.content_h)
        self.steps.set_content(Rect(60, top + 8, 860, PANEL_BOTTOM - 8 - (top + 8)), self.steps.content_h)
        return surface

    def _paint_steps(self, summary: Summary) -> pygame.Surface:
        """The steps panel's content (transparent, as tall as it needs; it scrolls inside its panel).
        Drawn in its own coordinates: the panel's left edge is x 0, its view's top y 0."""
        s, p = self.s, self.s.palette
        view = self.steps.view
        surface = pygame.Surface((round(view.w), 2400), pygame.SRCALPHA)
        box = surface.get_rect()
        dx, dy = -round(view.x), -round(view.y)  # the layout is written in page coordinates

        def put(role: str, text: str, image: pygame.Surface, at: tuple[int, int]) -> pygame.Rect:
            at = (at[0] + dx, at[1] + dy)
            surface.blit(image, at)
            where = inked(image, at)
            self._place(role, text, where, box, "steps")
            return where

        label_text = s.t("rewards.steps_month")
        label = s.text.fit(label_text, 30, 780, p.muted, "bold")
        y0 = round(view.y) + 18
        put("steps label", label_text, label, (100, y0))
        y = y0 + label.get_height()
        # the big figure is already display-sized: past 1.25× it stays put, leaving room for the tiers
        big = s.text.render(f"{summary.month_steps}", round(120 * min(1.0, 1.25 / s.text.scale.factor)),
                            p.text_primary, "serif")
        put("steps", str(summary.month_steps), big, (96, y - big.get_height() // 8))
        unit = s.text.render(s.t("app.steps"), 36, p.text_primary, "bold")
        put("steps unit", s.t("app.steps"), unit,
            (110 + big.get_width(), y + big.get_height() * 5 // 8 - unit.get_height() // 2))
        stats_x = max(560, 140 + big.get_width() + unit.get_width())
        total_text = f"{s.t('rewards.steps_total')}  {summary.total_steps}"
        visited = f"{s.t('rewards.checkins')}  {len(summary.checked_in_ever)}/{len(s.campaign.city.landmarks)}"
        figure_bottom = y + big.get_height() * 7 // 8
        if max(s.text.size(t, 28)[0] for t in (total_text, visited)) > 880 - stats_x:  # the totals go under it
            stats_x, stats_y = 100, figure_bottom + 8
        else:
            stats_x, stats_y = stats_x, y
        total = s.text.fit(total_text, 28, 880 - stats_x, p.muted, "sans")
        put("total", total_text, total, (stats_x, stats_y))
        visits = s.text.fit(visited, 28, 880 - stats_x, p.muted, "sans")
        put("visited", visited, visits, (stats_x, stats_y + total.get_height() + 8))
        y = max(figure_bottom, stats_y + total.get_height() + 8 + visits.get_height() if stats_x == 100 else 0) + 8
        tiers = s.campaign.tiers
        top = tiers[-1].threshold
        draw_progress(surface, Rect(100 + dx, y + dy, 780, 30), summary.month_steps / top, p.primary,
                      darken(p.paper, 0.12), [t.threshold / top for t in tiers[:-1]], lighten(p.paper, 0.5))
        heading = s.text.fit(s.t("rewards.tiers"), 30, 780, p.ink, "bold")
        put("tiers heading", s.t("rewards.tiers"), heading, (100, y + 46))
        y += 46 + heading.get_height() + 8
        badges = [s.t("rewards.reached") if summary.month_steps >= t.threshold else s.t("rewards.need", n=t.threshold)
                  for t in tiers]
        badge_w = max(s.text.size(b, 28, "bold")[0] for b in badges)
        name_w = 780 - 72 - badge_w
        # one name size for the ladder; a name that still does not fit wraps onto a second line, and when
        # even that is too narrow (very large text) the badge takes a line of its own under the name
        name_size = min(s.text.fit_size(t.name.get(s.lang), 30, name_w, "bold", 24) for t in tiers)
        beside = all(len(s.text.wrap(t.name.get(s.lang), name_size, name_w, "bold")) <= 2 and
                     all(s.text.size(w, name_size, "bold")[0] <= name_w
                         for w in s.text.wrap(t.name.get(s.lang), name_size, name_w, "bold")) for t in tiers)
        if not beside:
            name_w = 780 - 48
            name_size = min(s.text.fit_size(t.name.get(s.lang), 30, name_w, "bold", 24) for t in tiers)
        reward_size = min(s.text.paragraph_size(t.reward.get(s.lang), 22, 780 - 48, 2, "sans", 16) for t in tiers)
        fits = (round(view.y + view.h) - 8 - y) // max(1, len(tiers))  # rows share the panel when they can
        badge_h = s.text.size("Ag", 28, "bold")[1]
        for tier, badge in zip(tiers, badges, strict=True):
            reached = summary.month_steps >= tier.threshold
            name_text, reward_text = tier.name.get(s.lang), tier.reward.get(s.lang)
            names = s.text.wrap(name_text, name_size, name_w, "bold")
            name_step = round(s.text.px(name_size) * 1.15)
            reward_lines = s.text.wrap(reward_text, reward_size, 780 - 48, "sans")
            reward_step = round(s.text.px(reward_size) * 1.2)
            head_h = name_step * len(names) + 4 if not beside else max(name_step * len(names), badge_h) + 4
            if not beside:
                head_h += badge_h + 4
            natural = 8 + head_h + reward_step * len(reward_lines) + 20 + 12
            row_h = max(natural, min(124, fits))
            row = Rect(100 + dx, y + dy, 780, row_h - 12)
            row_box = pygame.Rect(row.as_tuple())
            fill = p.gold_row if reached else lighten(p.paper, 0.2)
            draw_panel(surface, row, fill, radius=16, border=p.accent if reached else darken(p.paper, 0.25))
            bs = s.text.render(badge, 28, p.text_primary if reached else p.muted, "bold")
            if beside:
                at = (row_box.right - bs.get_width() - 24, row_box.y + 8)
            else:
                at = (124 + dx, row_box.y + 8 + name_step * len(names) + 4)
            surface.blit(bs, at)
            self._place("tier badge", badge, inked(bs, at), row_box, "steps")
            _, ink = s.text.draw_paragraph_inked(surface, name_text, (124 + dx, row_box.y + 8), name_w, name_size,
                                                 p.ink, "bold", 1.15)
            self._place("tier name", name_text, ink, row_box, "steps")
            reward_y = row_box.y + 8 + head_h
            _, ink = s.text.draw_paragraph_inked(surface, reward_text, (124 + dx, reward_y), 780 - 48, reward_size,
                                                 p.muted, "sans", 1.2)
            self._place("tier reward", reward_text, ink, row_box, "steps")
            y += row_h
        height = y + dy + 8
        return surface.subsurface((0, 0, surface.get_width(), max(1, min(height, surface.get_height())))).copy()

    def _paint_tasks(self, summary: Summary) -> pygame.Surface:
        """The task rows on a surface of their own (transparent), as tall as they need: the list scrolls
        inside its view when large text makes it longer."""
        s, p = self.s, self.s.palette
        statuses = [(theme, st) for theme in TaskTheme for st in summary.tasks_by_theme.get(theme, ())]
        # one chip width for the column: wide enough for the longest theme name (within limits)
        labels = {theme: s.t(f"theme.{theme.value}") for theme, _ in statuses}
        chip_w = min(230, max(150, *(s.text.size(t, 22, "bold")[0] + 32 for t in labels.values())))
        view_w = round(self.tasks.view.w)
        x0, right = EDGE, view_w - EDGE
        name_x = x0 + chip_w + 20
        metas = [self._meta(st) for _, st in statuses]
        status_w = min(340, max(236, *(s.text.size(m, 20, "sans")[0] + 4 for m in metas)))
        name_w = right - status_w - 16 - name_x
        stacked = name_w < 9 * s.text.px(25)  # too narrow for a readable name beside the chip: it goes under
        if stacked:
            return self._paint_tasks_stacked(statuses, labels)
        fits = (round(self.tasks.view.h) - 8) // max(1, len(statuses))
        # the status and its steps stacked, or two lines of name: whichever is taller (large text scrolls)
        sizes = [s.text.paragraph_size(st.task.name.get(s.lang), 25, name_w, 2, "sans", 17) for _, st in statuses]
        tallest = max((len(s.text.wrap(st.task.name.get(s.lang), size, name_w, "sans", 2)) * round(s.text.px(size) * 1.2)
                       for (_, st), size in zip(statuses, sizes, strict=True)), default=0)
        row_h = max(min(90, fits), s.text.px(26) + s.text.px(20) + 12, tallest + 4)
        surface = pygame.Surface((view_w, max(1, row_h * len(statuses) + 8)), pygame.SRCALPHA)
        box = surface.get_rect()
        y = 4
        for i, (theme, status) in enumerate(statuses):
            if i:
                pygame.draw.line(surface, darken(p.paper, 0.12), (x0, y), (right, y), 1)
            mid = y + row_h // 2
            chip_rect = pygame.Rect(x0, 0, chip_w, max(36, s.text.size("A", 22, "bold")[1] + 4))
            chip_rect.centery = mid
            self._chip(surface, labels[theme], chip_rect, status.complete)
            name = status.task.name.get(s.lang)
            size = s.text.paragraph_size(name, 25, name_w, 2, "sans", 17)
            n_lines = len(s.text.wrap(name, size, name_w, "sans", 2))
            line_h = round(s.text.px(size) * 1.2)
            _, ink = s.text.draw_paragraph_inked(surface, name, (name_x, mid - n_lines * line_h // 2 - 2), name_w,
                                                 size, p.ink, "sans", 1.2, max_lines=2)
            self._place("task name", name, ink, box, "tasks")
            state = s.t("rewards.done") if status.complete else f"{status.done_this_month}/{status.task.monthly_limit}"
            ss = s.text.render(state, 26, p.text_jade if status.complete else p.ink, "bold")
            at = ss.get_rect(bottomright=(right, mid + 2)).topleft
            surface.blit(ss, at)
            self._place("task status", state, inked(ss, at), box, "tasks")
            ms = s.text.fit(self._meta(status), 20, status_w, p.muted, "sans", 16)
            at = ms.get_rect(topright=(right, mid + 2)).topleft
            surface.blit(ms, at)
            self._place("task meta", self._meta(status), inked(ms, at), box, "tasks")
            y += row_h
        return surface

    def _paint_tasks_stacked(self, statuses: list, labels: dict) -> pygame.Surface:
        """Rows for large text: the chip, the steps it gives and the count on one line, the name under
        them across the row's whole width (up to three lines)."""
        s, p = self.s, self.s.palette
        view_w = round(self.tasks.view.w)
        x0, right = EDGE, view_w - EDGE
        chip_h = s.text.size("A", 22, "bold")[1] + 8
        gap = round(12 + 6 * s.text.scale.factor)
        rows = []
        for theme, status in statuses:
            name = status.task.name.get(s.lang)
            size = s.text.paragraph_size(name, 25, right - x0, 3, "sans", 20)
            n_lines = len(s.text.wrap(name, size, right - x0, "sans", 3))
            state = s.t("rewards.done") if status.complete else f"{status.done_this_month}/{status.task.monthly_limit}"
            chip_w = min(s.text.size(labels[theme], 22, "bold")[0] + 32,
                         right - x0 - s.text.size(state, 26, "bold")[0] - 24)
            room = right - s.text.size(state, 26, "bold")[0] - 20 - (x0 + chip_w + 20)
            beside = s.text.size(self._meta(status), 20, "sans")[0] <= room  # else it gets a line under the name
            height = gap + chip_h + 6 + n_lines * round(s.text.px(size) * 1.2) + gap
            if not beside:
                height += s.text.size("A", 20, "sans")[1]
            rows.append((theme, status, name, size, state, chip_w, beside, height))
        surface = pygame.Surface((view_w, max(1, sum(r[-1] for r in rows) + 8)), pygame.SRCALPHA)
        box = surface.get_rect()
        y = 4
        for i, (theme, status, name, size, state, chip_w, beside, row_h) in enumerate(rows):
            if i:
                pygame.draw.line(surface, darken(p.paper, 0.12), (x0, y), (right, y), 1)
            ss = s.text.render(state, 26, p.text_jade if status.complete else p.ink, "bold")
            chip_rect = pygame.Rect(x0, y + gap, chip_w, chip_h)
            self._chip(surface, labels[theme], chip_rect, status.complete)
            at = ss.get_rect(midright=(right, chip_rect.centery)).topleft
            surface.blit(ss, at)
            self._place("task status", state, inked(ss, at), box, "tasks")
            used, ink = s.text.draw_paragraph_inked(surface, name, (x0, chip_rect.bottom + 6), right - x0, size,
                                                    p.ink, "sans", 1.2, 3)
            self._place("task name", name, ink, box, "tasks")
            meta = self._meta(status)
            ms = s.text.fit(meta, 20, right - x0, p.muted, "sans", 16)
            if beside:
                at = ms.get_rect(midleft=(chip_rect.right + 20, chip_rect.centery)).topleft
            else:
                at = (x0, chip_rect.bottom + 6 + used)
            surface.blit(ms, at)
            self._place("task meta", meta, inked(ms, at), box, "tasks")
            y += row_h
        return surface

    def _chip(self, surface: pygame.Surface, label: str, rect: pygame.Rect, complete: bool) -> None:
        p = self.s.palette
        pygame.draw.rect(surface, p.fill_jade if complete else p.fill_primary, rect, border_radius=rect.height // 2)
        chip = self.s.text.fit(label, 22, rect.width - 20, CREAM, "bold", 14)
        at = chip.get_rect(center=rect.center).topleft
        surface.blit(chip, at)
        self._place("task chip", label, inked(chip, at), rect.copy(), "tasks")

    def _meta(self, status: TaskStatus) -> str:
        s = self.s
        return f"+{status.task.steps} {s.t('app.steps')} · {s.t('rewards.per_month', n=status.task.monthly_limit)}"
