"""The share card of one collectible: written as a PNG under the data dir, shown, and shared.

Sharing performs the rules' ``Share`` action through ``Session.attempt`` (steps once a day).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pygame

from game.actions import Action, Kind
from game.rules.content import Rarity
from game.rules.progress import Share
from game.scan.limited import owned_items
from game.scene import Pop, Scene
from game.services import Services, hex_rgb
from game.ui.collectible_art import collectible_art
from game.ui.contrast import CREAM
from game.ui.layout import LOGICAL_SIZE, Rect
from game.ui.share_card import ShareTexts, compose_share_card, save_card, share_url
from game.ui.widgets import Button, darken, hit_button
from scenes.decor import vertical_gradient

log = logging.getLogger(__name__)
SHOWN_H = 900


class ShareScene(Scene):
    name = "share"

    def __init__(self, services: Services, item_id: str,
                 scroll_piece: Callable[[], pygame.Surface | None] | None = None) -> None:
        super().__init__()
        self.s = services
        self.item_id = item_id
        self.scroll_piece = scroll_piece or (lambda: None)
        self.card: pygame.Surface | None = None
        self.shown: pygame.Surface | None = None
        self.path: Path | None = None
        self.url = ""
        self.message: tuple[str, bool] | None = None
        self.back = Button("back", Rect(40, 34, 180, 68), style="secondary")
        self.share = Button("share", Rect(1100, 620, 320, 92), style="primary")

    def enter(self) -> None:
        s, p = self.s, self.s.palette
        item = s.campaign.collectible(self.item_id)
        if item is None:
            raise ValueError(f"unknown collectible {self.item_id!r}")
        session = s.session
        owned = owned_items(session.store, session.player_id,
                            {o.collectible_id: o.serial for o in session.progress.collectibles})
        serial = owned.get(item.id)
        summary = session.summary()
        self.url = share_url(s.campaign.id, session.player_id, session.store.claim_code(session.player_id))
        texts = ShareTexts(
            brand=s.campaign.brand.name.get(s.lang),
            campaign=s.campaign.meta.name.get(s.lang),
            item=item.name.get(s.lang),
            rarity=s.t(f"rarity.{item.rarity.value}"),
            serial=s.t("scan.serial", n=f"{serial:,}", total=f"{item.supply or 0:,}")
            if item.rarity is Rarity.LIMITED and serial is not None else None,
            steps=s.t("share.steps", n=summary.month_steps, k=len(summary.checked_in_ever)),
            scan_me=s.t("share.scan_me"),
        )
        art = collectible_art(item.id, hex_rgb(item.colour), 600)
        self.card = compose_share_card(art, texts, self.scroll_piece(), self.url, s.text, p.primary, p.accent,
                                       p.paper, p.ink)
        data_dir = Path(str(s.extras.get("data_dir", ".")))
        stamp = session.now().astimezone().strftime("%Y%m%d-%H%M%S")
        self.path = save_card(self.card, data_dir / "share" / f"{item.id}-{stamp}.png")
        log.info("share card written", extra={"path": str(self.path)})
        w = round(self.card.get_width() * SHOWN_H / self.card.get_height())
        self.shown = pygame.transform.smoothscale(self.card, (w, SHOWN_H))

    def exit(self) -> None:
        self.card = self.shown = None

    def tap_targets(self) -> dict[str, tuple[float, float]]:
        """Named places to tap, for QA scenarios (game/qa/targets.py)."""
        return {"back": self.back.rect.center, "share": self.share.rect.center}

    def handle(self, action: Action) -> bool:
        if action.kind is Kind.BACK or (action.kind is Kind.POINTER_UP and hit_button([self.back], action.pos)):
            self.request(Pop())
            return True
        if (action.kind is Kind.POINTER_UP and self.share.hit(action.pos)) or action.kind is Kind.CONFIRM:
            self.do_share()
            return True
        return action.kind not in (Kind.TOGGLE_LANGUAGE, Kind.TOGGLE_DEBUG)  # app-wide keys still work

    def do_share(self) -> None:
        outcome = self.s.session.attempt(Share("qr"))
        if outcome.applied:
            self.message = (self.s.t("share.shared", n=outcome.steps), True)
        else:
            self.message = (self.s.t(f"reason.{outcome.reason.value}") if outcome.reason else "", False)

    def _draw_saved(self, surface: pygame.Surface, x: int, y: int) -> None:
        """A jade chip with a drawn tick: "Card saved"."""
        s, p = self.s, self.s.palette
        label = s.text.fit(s.t("share.saved"), 30, 560, CREAM, "bold", 20)
        h = label.get_height() + 24
        chip = pygame.Rect(x, y, label.get_width() + h + 40, h)
        pygame.draw.rect(surface, p.fill_jade, chip, border_radius=h // 2)
        cx, cy, r = x + h // 2 + 8, y + h // 2, h // 2 - 8
        pygame.draw.circle(surface, CREAM, (cx, cy), r)
        pygame.draw.lines(surface, p.fill_jade, False, [(cx - r * 0.5, cy), (cx - r * 0.12, cy + r * 0.4),
                                                         (cx + r * 0.5, cy - r * 0.38)], max(3, r // 4))
        surface.blit(label, (cx + r + 14, y + (h - label.get_height()) // 2))

    def draw(self, surface: pygame.Surface) -> None:
        s, p = self.s, self.s.palette
        bg = s.images.remember(("share-bg", s.campaign.id), lambda: vertical_gradient(
            LOGICAL_SIZE, p.backdrop, darken(p.primary, 0.75)))
        surface.blit(bg, (0, 0))
        colours = {"primary": p.primary, "paper": p.paper, "ink": p.ink}
        self.back.label = s.t("app.back")
        self.back.draw(surface, s.text, colours, 30)
        if self.shown is not None:
            surface.blit(self.shown, (300, 90))
        x = 1100
        surface.blit(s.text.render(s.t("share.title"), 56, p.text_on_dark, "serif"), (x, 140))
        used = s.text.draw_fitted_paragraph(surface, s.t("share.explain"), (x, 240), 700, 30, p.text_on_dark,
                                            "sans", 1.35, 4, 20)
        if self.path is not None:  # where the file went is the operator's business, not the screen's
            self._draw_saved(surface, x, min(240 + used + 30, 520))
        self.share.label = s.t("scan.share")
        self.share.draw(surface, s.text, colours, 36)
        if self.message is not None:
            text, good = self.message
            colour = p.accent_on_dark if good else p.text_on_dark
            s.text.draw_fitted_paragraph(surface, text, (x, 760), 700, 32, colour, "bold", 1.3, 2, 18)
