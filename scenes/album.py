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
from game.ui.widgets import Button, darken, draw_panel, fit_to_label, hit_button, lighten
from scenes.decor import vertical_gradient

CARD_W, CARD_H, GAP = 400, 420, 36
PAD_X, TEXT_W = 28, 344  # the card's text column
ART_TOP, ART_MAX, ART_MIN = 14, 220, 140
DESC_LINES = 3
HEADER_BOTTOM = 164  # the title (and the empty-album hint under it) end above the cards
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
        # where the texts went, for layout checks: "title"/"count"/"hint" on screen, "<item id>:name|rarity|desc"
        # inside that item's card
        self.text_boxes: dict[str, pygame.Rect] = {}

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
        """One card, laid out by text height: name, rarity row and description stack under the art, and
        the art gives up room when large text needs it (the description keeps at least DESC_LINES lines)."""
        s, p = self.s, self.s.palette
        key = ("album-card", item.id, s.lang, found, status, s.text.generation)

        def make() -> pygame.Surface:
            card = pygame.Surface((CARD_W, CARD_H), pygame.SRCALPHA)
            fill = lighten(p.paper, 0.3) if found else p.paper
            border = p.accent if found else darken(p.paper, 0.4)
            draw_panel(card, Rect(0, 0, CARD_W, CARD_H), fill, radius=24, border=border, border_width=3)
            hidden = item.rarity is Rarity.HIDDEN and not found
            name = s.t("album.unknown") if hidden else item.name.get(s.lang)
            name_img = s.text.fit(name, 30, TEXT_W, p.ink if found else p.muted, "bold", 20)
            chip_fill, chip_fg = {Rarity.COMMON: (p.fill_jade, CREAM), Rarity.HIDDEN: (HIDDEN_FILL, CREAM),
                                  Rarity.LIMITED: (p.fill_gold, p.ink)}[item.rarity]
            chip = s.text.fit(s.t(f"rarity.{item.rarity.value}"), 22, TEXT_W // 2, chip_fg, "bold", 16)
            chip_rect = pygame.Rect(PAD_X, 0, chip.get_width() + 22, chip.get_height() + 6)
            desc_step, desc_h = round(s.text.px(20) * 1.3), s.text.size("Ag", 20, "sans")[1]
            text_h = name_img.get_height() + 2 + chip_rect.h + 8 + (DESC_LINES - 1) * desc_step + desc_h
            art_size = max(ART_MIN, min(ART_MAX, CARD_H - 2 * ART_TOP - 6 - text_h))
            art = s.images.remember(("art", item.id, art_size),
                                    lambda: collectible_art(item.id, hex_rgb(item.colour), art_size))
            if not found:
                art = s.images.remember(("art-shadow", item.id, art_size), lambda: silhouette(art))
            art_rect = card.blit(art, art.get_rect(midtop=(CARD_W // 2, ART_TOP)))
            if hidden:
                q = s.text.fit(s.t("album.unknown"), 64, art_size * 2 // 3, CREAM, "bold", 28)
                card.blit(q, q.get_rect(center=(art_rect.centerx, art_rect.y + art_size * 26 // 44)))
            y = ART_TOP + art_size + 6
            card.blit(name_img, (PAD_X, y))
            self.text_boxes[f"{item.id}:name"] = inked(name_img, (PAD_X, y))
            y += name_img.get_height() + 2
            chip_rect.y = y
            pygame.draw.rect(card, chip_fill, chip_rect, border_radius=chip_rect.h // 2)
            card.blit(chip, chip.get_rect(center=chip_rect.center))
            self.text_boxes[f"{item.id}:rarity"] = chip_rect.copy()
            if status is not None:
                line = s.text.fit(status[0], 24, TEXT_W - chip_rect.w - 14, status[1], "bold", 16)
                card.blit(line, line.get_rect(midleft=(chip_rect.right + 14, chip_rect.centery)))
            y += chip_rect.h + 8
            if found:
                desc = item.description.get(s.lang)
            elif hidden:
                desc = s.t("album.hidden_hint")
            else:
                desc = s.t("album.not_found")
            lines = 1 + max(0, (CARD_H - ART_TOP - y - desc_h) // desc_step)  # the last line ends inside
            used = s.text.draw_fitted_paragraph(card, desc, (PAD_X, y), TEXT_W, 20, p.muted, "sans", 1.3, lines, 16)
            self.text_boxes[f"{item.id}:desc"] = pygame.Rect(PAD_X, y, TEXT_W, used - desc_step + desc_h)
            return card

        return s.images.remember(key, make)

    def _draw_header(self, surface: pygame.Surface, found: int, total: int, hint: str | None) -> None:
        """Title, count beside it, and the hint under it, by text height: the title shrinks (large text)
        rather than run into the hint or the cards."""
        s, p = self.s, self.s.palette
        x0, x1, top = max(260, round(self.back.rect.x + self.back.rect.w) + 40), round(self.scan.rect.x) - 30, 24
        hint_img = s.text.fit(hint, 30, x1 - x0, p.text_on_dark, "sans", 20) if hint else None
        hint_h = hint_img.get_height() - 10 if hint_img is not None else 0  # a line's leading may overlap
        text = s.t("album.title")
        size = 60
        while size > 36 and top + s.text.size(text, size, "serif")[1] + hint_h > HEADER_BOTTOM:
            size -= 2
        title = s.text.fit(text, size, (x1 - x0) * 2 // 3, p.text_on_dark, "serif", 36)
        surface.blit(title, (x0, top))
        self.text_boxes["title"] = inked(title, (x0, top))
        count = s.text.fit(s.t("album.count", n=found, total=total), 32, x1 - x0 - title.get_width() - 30,
                           p.accent_on_dark, "bold", 20)
        # the count sits on the title's baseline (serif glyphs fill the line's lower two thirds)
        at = count.get_rect(bottomleft=(x0 + title.get_width() + 30, top + title.get_height() * 4 // 5)).topleft
        surface.blit(count, at)
        self.text_boxes["count"] = inked(count, at)
        if hint_img is not None:
            at = (x0 + 4, min(top + title.get_height() - 10, HEADER_BOTTOM - hint_img.get_height()))
            surface.blit(hint_img, at)
            self.text_boxes["hint"] = inked(hint_img, at)

    def draw(self, surface: pygame.Surface) -> None:
        s, p = self.s, self.s.palette
        assert self._bg is not None
        surface.blit(self._bg, (0, 0))
        colours = {"primary": p.primary, "paper": p.paper, "ink": p.ink}
        self.back.label = s.t("app.back")
        fit_to_label(self.back, s.text, 30)
        self.back.draw(surface, s.text, colours, 30)
        self.scan.label = s.t("map.scan")
        fit_to_label(self.scan, s.text, 30, "right")
        if self.scenes is not None:
            self.scan.draw(surface, s.text, colours, 30)
        owned = self.owned()
        items = s.campaign.collectibles
        found = sum(1 for c in items if c.id in owned)
        self._draw_header(surface, found, len(items), None if owned else s.t("album.empty"))
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


def inked(image: pygame.Surface, at: tuple[int, int]) -> pygame.Rect:
    """The box of the glyphs actually drawn (a text line's leading left out), where ``image`` went."""
    return image.get_bounding_rect().move(at)
