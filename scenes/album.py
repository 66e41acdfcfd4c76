"""The album: every collectible of the campaign, found ones in colour, the rest as silhouettes.

Each card shows the item's art, its rarity, and for a limited item its serial number, or
"pending" until the server has answered, or that it sold out. Hidden items not yet found are
silhouettes marked "???". Tapping a found item opens its share card; Scan goes hunting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pygame

from game.actions import Action, Kind
from game.rules.content import Collectible, Rarity
from game.scan.limited import LimitedState, limited_status, owned_items
from game.scene import Pop, Push, Replace, Scene
from game.services import Services, hex_rgb
from game.ui.collectible_art import collectible_art, silhouette
from game.ui.contrast import CREAM, fill_for
from game.ui.fit import Block, block, draw_block, union
from game.ui.layout import LOGICAL_SIZE, Rect
from game.ui.text import inked
from game.ui.widgets import Button, darken, draw_panel, fit_to_label, hit_button, lighten
from scenes.decor import vertical_gradient

CARD_W, CARD_H, GAP = 400, 420, 36  # a card at the normal text size
ROW_GAP = 30
GRID_W = 1840  # the widest the grid gets (the screen less its margins)
GRID_TOP = 170  # the first row's top, at the normal text size (lower when the header grows)
PAD_X, PAD_Y = 28, 14  # the card's text column starts PAD_X in; texts end PAD_Y above the card's bottom
ART_TOP, ART_MAX, ART_MIN = 14, 220, 140
SCROLL_STEP = 120
HEADER_BOTTOM = 164  # the title (and the empty-album hint under it) end above the cards
HIDDEN_FILL = fill_for(CREAM, (96, 76, 150))  # the violet chip of hidden items, under cream text


@dataclass(frozen=True)
class Grid:
    cols: int
    card_w: int
    card_h: int
    beside: bool  # the art left of the texts (wide cards), else above them


@dataclass
class CardTexts:
    hidden: bool
    name: Block
    chip_text: str
    chip_size: int
    chip: pygame.Rect  # its size; placed under the name
    status: Block | None  # a limited item's serial, pending or sold-out line
    status_under: bool  # on its own line under the chip (it does not fit beside it)
    desc: Block
    height: int  # all of the above, stacked


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
        self._cards: list[tuple[pygame.Rect, Collectible]] = []  # on screen, where each card was drawn
        self._grid_cache: tuple[tuple[object, ...], Grid] | None = None
        self.grid_view = pygame.Rect(0, GRID_TOP, LOGICAL_SIZE[0], LOGICAL_SIZE[1] - GRID_TOP)  # the cards' window
        self.grid_h = 0  # the whole grid's height (taller than grid_view: it scrolls)
        self.scroll = 0.0
        self._drag: tuple[float, float] | None = None
        self._dragged = 0.0
        # where the texts went, for layout checks: "title"/"count"/"hint" on screen, "<item id>:name|rarity|desc"
        # inside that item's card
        self.text_boxes: dict[str, pygame.Rect] = {}
        self.desc_lines: dict[str, list[str]] = {}  # each card's description as drawn, line by line

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
        k = action.kind
        if k is Kind.BACK:
            self.request(Pop())
            return True
        if k is Kind.POINTER_DOWN and action.pos is not None and self.grid_view.collidepoint(action.pos):
            self._drag, self._dragged = action.pos, 0.0
            return True
        if k is Kind.POINTER_MOVE and self._drag is not None:
            self.scroll_by(-action.delta[1])
            self._dragged += abs(action.delta[1])
            return True
        if k is Kind.SCROLL:
            self.scroll_by(-action.delta[1] * SCROLL_STEP)
            return True
        if k in (Kind.UP, Kind.DOWN) and action.pressed:
            self.scroll_by(SCROLL_STEP if k is Kind.DOWN else -SCROLL_STEP)
            return True
        if k is Kind.POINTER_UP:
            dragged, self._drag = self._dragged > 12, None
            if dragged:
                return True
            if hit_button([self.back], action.pos):
                self.request(Pop())
                return True
            if self.scenes is not None:
                if self.scan.hit(action.pos):
                    # from Scan's own album icon, go back to it; from the map, open it over the map
                    self.request(Pop() if self.over_scan else Replace(self.scenes("scan")))
                    return True
                owned = self.owned()
                for rect, item in self._cards:
                    if action.pos is not None and rect.clip(self.grid_view).collidepoint(action.pos) \
                            and item.id in owned:
                        self.request(Push(self.scenes(f"share:{item.id}")))
                        return True
        return k not in (Kind.TOGGLE_LANGUAGE, Kind.TOGGLE_DEBUG)  # app-wide keys still work

    def scroll_by(self, dy: float) -> None:
        room = max(0, self.grid_h - self.grid_view.height)
        self.scroll = min(float(room), max(0.0, self.scroll + dy))

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

    def _grid(self) -> Grid:
        """Columns and card size for the text scale: 4 columns of CARD_W × CARD_H at the normal size; larger
        text gets fewer, wider cards (art beside the text once there are two columns or fewer), each as tall
        as the tallest card's texts need, and the grid scrolls when it outgrows the screen."""
        s = self.s
        k = max(1.0, s.text.scale.factor)
        want = round(CARD_W * k ** 0.75)
        cols = max(1, min(4, (GRID_W + GAP) // (want + GAP)))
        width = want if cols == 4 else (GRID_W - (cols - 1) * GAP) // cols
        beside = cols <= 2
        key = (s.lang, s.text.generation, width, beside)
        if self._grid_cache is None or self._grid_cache[0] != key:
            grid = Grid(cols, width, CARD_H, beside)
            if cols < 4:  # fewer, wider cards: as tall as the longest texts need (4 columns: CARD_H, as designed)
                need = max((self._card_height(item, grid) for item in s.campaign.collectibles), default=CARD_H)
                grid = Grid(cols, width, max(CARD_H, need), beside)
            self._grid_cache = (key, grid)
        return self._grid_cache[1]

    def _card_texts(self, item: Collectible, found: bool, width: int,
                    status: tuple[str, tuple[int, int, int]] | None, budget: int | None = None) -> CardTexts:
        """The card's name, rarity chip, status and description, wrapped to the text column ``width``."""
        s = self.s
        hidden = item.rarity is Rarity.HIDDEN and not found
        name = s.t("album.unknown") if hidden else item.name.get(s.lang)
        one_line = s.text.fit_size(name, 30, width, "bold", 20)  # shrinks a little on one line, else wraps
        name_b = block(s.text, name, 30, width, "bold", min_size=22, max_lines=1 if one_line >= 22 else 2,
                       spacing=1.15)
        chip_text = s.t(f"rarity.{item.rarity.value}")
        chip_size = s.text.fit_size(chip_text, 22, width // 2, "bold", 16)
        cw, ch = s.text.size(chip_text, chip_size, "bold")
        chip = pygame.Rect(0, 0, cw + round(22 * s.text.scale.factor), ch + 6)
        status_b, under = None, False
        if status is not None:  # beside the chip when it fits there, else on its own line under it
            room = width - chip.w - 14
            size = s.text.fit_size(status[0], 24, room, "bold", 20)
            under = s.text.size(status[0], size, "bold")[0] > room
            status_b = block(s.text, status[0], 24 if under else size, width if under else room, "bold",
                             min_size=16 if under else size, max_lines=2 if under else 1, spacing=1.15)
        if found:
            desc = item.description.get(s.lang)
        elif hidden:
            desc = s.t("album.hidden_hint")
        else:
            desc = s.t("album.not_found")
        above = name_b.height + 8 + chip.h + 10 + (status_b.height + 8 if under and status_b else 0)
        for size in range(20, 15, -1):  # the description shrinks toward 16 only to stay inside ``budget``
            desc_b = block(s.text, desc, size, width, "sans", min_size=16, spacing=1.3)
            if budget is None or above + desc_b.height <= budget:
                break
        height = above + desc_b.height
        return CardTexts(hidden, name_b, chip_text, chip_size, chip, status_b, under, desc_b, height)

    def _card_height(self, item: Collectible, grid: Grid) -> int:
        """The height ``item``'s card needs on ``grid`` (found or not, whichever texts are longer), with the
        smallest art."""
        status = ("No. 1,000 / 1,000", (0, 0, 0)) if item.rarity is Rarity.LIMITED else None
        tw = self._text_width(grid.card_w, grid.beside)
        texts = max((self._card_texts(item, found, tw, status) for found in (True, False)), key=lambda t: t.height)
        if grid.beside:
            return max(self._art_beside() + 2 * PAD_X, texts.height + 2 * PAD_Y)
        return ART_TOP + ART_MIN + 6 + texts.height + PAD_Y

    def _text_budget(self, grid: Grid) -> int:
        """The height a card's texts may take (the description shrinks toward its floor to stay within)."""
        if grid.beside:
            return grid.card_h - 2 * PAD_Y
        return grid.card_h - ART_TOP - ART_MIN - 6 - PAD_Y

    def _art_beside(self) -> int:
        return ART_MAX + 40

    def _text_width(self, width: int, beside: bool) -> int:
        return width - 3 * PAD_X - self._art_beside() if beside else width - 2 * PAD_X

    def _card(self, item: Collectible, found: bool, status: tuple[str, tuple[int, int, int]] | None,
              grid: Grid) -> pygame.Surface:
        """One card, laid out by text height: name, rarity row and description stack under the art (or beside
        it, on wide cards); the art gives up room, down to ART_MIN, when the texts need it."""
        s, p = self.s, self.s.palette
        key = ("album-card", item.id, s.lang, found, status, s.text.generation, grid.card_w, grid.card_h, grid.beside)
        width, height = grid.card_w, grid.card_h

        def make() -> pygame.Surface:
            card = pygame.Surface((width, height), pygame.SRCALPHA)
            fill = lighten(p.paper, 0.3) if found else p.paper
            border = p.accent if found else darken(p.paper, 0.4)
            draw_panel(card, Rect(0, 0, width, height), fill, radius=24, border=border, border_width=3)
            tw = self._text_width(width, grid.beside)
            t = self._card_texts(item, found, tw, status, self._text_budget(grid))
            if grid.beside:
                art_size = self._art_beside()
                art_at = (PAD_X + art_size // 2, height // 2 - art_size // 2)
                x, y = 2 * PAD_X + art_size, max(PAD_Y, (height - t.height) // 2)
            else:
                art_size = max(ART_MIN, min(ART_MAX, height - ART_TOP - 6 - t.height - PAD_Y))
                art_at = (width // 2, ART_TOP)
                x, y = PAD_X, ART_TOP + art_size + 6
            art = s.images.remember(("art", item.id, art_size),
                                    lambda: collectible_art(item.id, hex_rgb(item.colour), art_size))
            if not found:
                art = s.images.remember(("art-shadow", item.id, art_size), lambda: silhouette(art))
            art_rect = card.blit(art, art.get_rect(midtop=art_at))
            if t.hidden:
                q = s.text.fit(s.t("album.unknown"), 64, art_size * 2 // 3, CREAM, "bold", 28)
                card.blit(q, q.get_rect(center=(art_rect.centerx, art_rect.y + art_size * 26 // 44)))
            ink = p.ink if found else p.muted
            self.text_boxes[f"{item.id}:name"] = union(draw_block(card, s.text, t.name, ink, x, y, tw))
            y += t.name.height + 8
            chip_fill, chip_fg = {Rarity.COMMON: (p.fill_jade, CREAM), Rarity.HIDDEN: (HIDDEN_FILL, CREAM),
                                  Rarity.LIMITED: (p.fill_gold, p.ink)}[item.rarity]
            chip_rect = t.chip.move(x, y)
            pygame.draw.rect(card, chip_fill, chip_rect, border_radius=chip_rect.h // 2)
            chip = s.text.render(t.chip_text, t.chip_size, chip_fg, "bold")
            card.blit(chip, chip.get_rect(center=chip_rect.center))
            self.text_boxes[f"{item.id}:rarity"] = chip_rect.copy()
            y += chip_rect.h + 10
            if t.status is not None and status is not None:
                if t.status_under:
                    lines = draw_block(card, s.text, t.status, status[1], x, y, tw)
                    y += t.status.height + 8
                else:
                    line_h = s.text.size(t.status.text, t.status.size, "bold")[1]
                    lines = draw_block(card, s.text, t.status, status[1], chip_rect.right + 14,
                                       chip_rect.centery - line_h // 2, tw - chip_rect.w - 14)
                self.text_boxes[f"{item.id}:status"] = union(lines)
            self.text_boxes[f"{item.id}:desc"] = union(draw_block(card, s.text, t.desc, p.muted, x, y, tw))
            self.desc_lines[item.id] = list(t.desc.lines)
            return card

        return s.images.remember(key, make)

    def _draw_header(self, surface: pygame.Surface, found: int, total: int, hint: str | None) -> None:
        """Title, count beside it, and the hint under it, by text height: the title shrinks (large text)
        rather than run into the hint or the cards."""
        s, p = self.s, self.s.palette
        self.text_boxes.pop("hint", None)
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
        grid = self._grid()
        bottom = max([round(b.rect.y + b.rect.h) for b in (self.back, self.scan)] +
                     [box.bottom for name, box in self.text_boxes.items() if name in ("title", "count", "hint")])
        top = max(GRID_TOP, bottom + 16)
        self.grid_view = pygame.Rect(0, top, LOGICAL_SIZE[0], LOGICAL_SIZE[1] - top)
        cols = min(grid.cols, max(1, len(items)))
        rows = (len(items) + cols - 1) // cols
        self.grid_h = rows * grid.card_h + (rows - 1) * ROW_GAP + 20
        self.scroll_by(0)
        x0 = (LOGICAL_SIZE[0] - (cols * grid.card_w + (cols - 1) * GAP)) // 2
        self._cards = []
        surface.set_clip(self.grid_view)
        for i, item in enumerate(items):
            col, row = i % cols, i // cols
            in_row = min(cols, len(items) - row * cols)
            shift = (cols - in_row) * (grid.card_w + GAP) // 2  # a short last row is centred under the full ones
            at = (x0 + shift + col * (grid.card_w + GAP), top + row * (grid.card_h + ROW_GAP) - round(self.scroll))
            rect = pygame.Rect(at, (grid.card_w, grid.card_h))
            self._cards.append((rect, item))
            if rect.colliderect(self.grid_view):
                surface.blit(self._card(item, item.id in owned, self._status(item, owned), grid), at)
        surface.set_clip(None)
        if self.grid_h > self.grid_view.height:  # a scroll bar says there is more
            track = pygame.Rect(LOGICAL_SIZE[0] - 18, top + 6, 8, self.grid_view.height - 12)
            pygame.draw.rect(surface, darken(p.paper, 0.5), track, border_radius=4)
            thumb_h = max(48, round(track.height * self.grid_view.height / self.grid_h))
            travel = track.height - thumb_h
            thumb_y = track.y + round(travel * self.scroll / max(1, self.grid_h - self.grid_view.height))
            pygame.draw.rect(surface, p.accent, (track.x, thumb_y, 8, thumb_h), border_radius=4)

    @property
    def grid(self) -> Grid:
        return self._grid()
