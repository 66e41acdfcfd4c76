"""The album: every collectible of the campaign, found ones in colour, the rest as silhouettes.

Each card shows the item's art, its rarity, and for a limited item its serial number, or
"pending" until the server has answered, or that it sold out. Hidden items not yet found are
silhouettes marked "???". Tapping a found item opens its share card; Scan goes hunting.
"""

from __future__ import annotations

from collections.abc import Callable

import pygame

from game.actions import Action, Kind
from game.rules.content import Collectible, Rarity
from game.scan.limited import LimitedState, limited_status, owned_items
from game.scene import Pop, Push, Replace, Scene
from game.services import Services, hex_rgb
from game.ui.collectible_art import collectible_art, silhouette
from game.ui.contrast import CREAM, fill_for
from game.ui.layout import LOGICAL_SIZE, Rect
from game.ui.widgets import Button, darken, draw_panel, hit_button, lighten
from scenes.decor import vertical_gradient

CARD_W, CARD_H, GAP = 400, 420, 36
HIDDEN_FILL = fill_for(CREAM, (96, 76, 150))  # the violet chip of hidden items, under cream text


class AlbumScene(Scene):
    name = "album"

    def __init__(self, services: Services, scenes: Callable[[str], Scene] | None = None,
                 over_scan: bool = False) -> None:
        super().__init__()
        self.s = services
        self.scenes = scenes
        self.over_scan = over_scan  # opened from Scan's album icon: Scan is underneath
        self.back = Button("back", Rect(40, 34, 180, 68), style="secondary")
        self.scan = Button("scan", Rect(1660, 34, 220, 68), style="primary")
        self._bg: pygame.Surface | None = None
        self._cards: list[tuple[pygame.Rect, Collectible]] = []

    def enter(self) -> None:
        p = self.s.palette
        self._bg = self.s.images.remember(
            ("album-bg", self.s.campaign.id),
            lambda: vertical_gradient(LOGICAL_SIZE, p.backdrop, darken(p.primary, 0.75)),
        )

    def tap_targets(self) -> dict[str, tuple[float, float]]:
        """Named places to tap, for QA scenarios (game/qa/targets.py): back, scan, and ``item:<id>`` per
        card drawn (an owned one opens its share card)."""
        out = {"back": self.back.rect.center}
        if self.scenes is not None:
            out["scan"] = self.scan.rect.center
        out.update({f"item:{item.id}": (float(rect.centerx), float(rect.centery)) for rect, item in self._cards})
        return out

    def owned(self) -> dict[str, int | None]:
        """Found items and their serials: the local progress plus what only the server granted."""
        session = self.s.session
        local = {o.collectible_id: o.serial for o in session.progress.collectibles}
        return owned_items(session.store, session.player_id, local)

    def handle(self, action: Action) -> bool:
        if action.kind is Kind.BACK or (action.kind is Kind.POINTER_UP and hit_button([self.back], action.pos)):
            self.request(Pop())
            return True
        if action.kind is Kind.POINTER_UP and self.scenes is not None:
            if self.scan.hit(action.pos):
                # from Scan's own album icon, go back to it; from the map, open it over the map
                self.request(Pop() if self.over_scan else Replace(self.scenes("scan")))
                return True
            owned = self.owned()
            for rect, item in self._cards:
                if action.pos is not None and rect.collidepoint(action.pos) and item.id in owned:
                    self.request(Push(self.scenes(f"share:{item.id}")))
                    return True
        return action.kind not in (Kind.TOGGLE_LANGUAGE, Kind.TOGGLE_DEBUG)  # app-wide keys still work

    def _status(self, item: Collectible, owned: dict[str, int | None]) -> tuple[str, tuple[int, int, int]] | None:
        s, p = self.s, self.s.palette
        if item.rarity is not Rarity.LIMITED:
            return None
        status = limited_status(s.session.store, s.session.player_id, s.campaign, item.id)
        if status.state is LimitedState.SOLD_OUT and item.id not in owned:
            return s.t("album.sold_out"), p.muted
        serial = owned.get(item.id)
        if serial is None and status.state is LimitedState.GRANTED:
            serial = status.serial
        if serial is not None:
            return s.t("scan.serial", n=f"{serial:,}", total=f"{item.supply or 0:,}"), p.text_primary
        if item.id in owned or status.state is LimitedState.PENDING:
            return s.t("album.pending"), p.muted
        return s.t("album.supply", n=f"{item.supply or 0:,}"), p.muted

    def _card(self, item: Collectible, found: bool, status: tuple[str, tuple[int, int, int]] | None) -> pygame.Surface:
        s, p = self.s, self.s.palette
        key = ("album-card", item.id, s.lang, found, status)

        def make() -> pygame.Surface:
            card = pygame.Surface((CARD_W, CARD_H), pygame.SRCALPHA)
            fill = lighten(p.paper, 0.3) if found else p.paper
            border = p.accent if found else darken(p.paper, 0.4)
            draw_panel(card, Rect(0, 0, CARD_W, CARD_H), fill, radius=24, border=border, border_width=3)
            art = s.images.remember(("art", item.id, 220), lambda: collectible_art(item.id, hex_rgb(item.colour), 220))
            if not found:
                art = s.images.remember(("art-shadow", item.id, 220), lambda: silhouette(art))
            card.blit(art, art.get_rect(midtop=(CARD_W // 2, 14)))
            hidden = item.rarity is Rarity.HIDDEN and not found
            if hidden:
                q = s.text.render(s.t("album.unknown"), 64, CREAM, "bold")
                card.blit(q, q.get_rect(center=(CARD_W // 2, 130)))
            name = s.t("album.unknown") if hidden else item.name.get(s.lang)
            card.blit(s.text.fit(name, 30, 344, p.ink if found else p.muted, "bold", 20), (28, 244))
            tag = s.t(f"rarity.{item.rarity.value}")
            chip_fill, chip_fg = {Rarity.COMMON: (p.fill_jade, CREAM), Rarity.HIDDEN: (HIDDEN_FILL, CREAM),
                                  Rarity.LIMITED: (p.fill_gold, p.ink)}[item.rarity]
            chip = s.text.render(tag, 22, chip_fg, "bold")
            r = chip.get_rect(topleft=(39, 292)).inflate(22, 8)
            pygame.draw.rect(card, chip_fill, r, border_radius=r.h // 2)
            card.blit(chip, chip.get_rect(center=r.center))
            if status is not None:
                card.blit(s.text.fit(status[0], 24, 344 - r.w - 16, status[1], "bold", 16), (r.right + 14, 290))
            if found:
                desc = item.description.get(s.lang)
            elif hidden:
                desc = s.t("album.hidden_hint")
            else:
                desc = s.t("album.not_found")
            s.text.draw_fitted_paragraph(card, desc, (28, 330), 344, 20, p.muted, "sans", 1.3, 3, 16)
            return card

        return s.images.remember(key, make)

    def draw(self, surface: pygame.Surface) -> None:
        s, p = self.s, self.s.palette
        assert self._bg is not None
        surface.blit(self._bg, (0, 0))
        colours = {"primary": p.primary, "paper": p.paper, "ink": p.ink}
        self.back.label = s.t("app.back")
        self.back.draw(surface, s.text, colours, 30)
        if self.scenes is not None:
            self.scan.label = s.t("map.scan")
            self.scan.draw(surface, s.text, colours, 30)
        title = s.text.render(s.t("album.title"), 60, p.text_on_dark, "serif")
        surface.blit(title, (260, 30))
        owned = self.owned()
        items = s.campaign.collectibles
        found = sum(1 for c in items if c.id in owned)
        count = s.text.render(s.t("album.count", n=found, total=len(items)), 32, p.accent_on_dark, "bold")
        surface.blit(count, (264 + title.get_width() + 30, 52))
        if not owned:
            hint = s.text.render(s.t("album.empty"), 30, p.text_on_dark, "sans")
            surface.blit(hint, (264, 112))
        cols = min(4, max(1, len(items)))
        x0 = (LOGICAL_SIZE[0] - (cols * CARD_W + (cols - 1) * GAP)) // 2
        self._cards = []
        for i, item in enumerate(items):
            col, row = i % cols, i // cols
            in_row = min(cols, len(items) - row * cols)
            shift = (cols - in_row) * (CARD_W + GAP) // 2  # a short last row is centred under the full ones
            card = self._card(item, item.id in owned, self._status(item, owned))
            at = (x0 + shift + col * (CARD_W + GAP), 170 + row * 450)
            surface.blit(card, at)
            self._cards.append((pygame.Rect(at, (CARD_W, CARD_H)), item))
