"""The album: every collectible of the campaign, owned ones in colour, hidden ones as silhouettes."""

from __future__ import annotations

import math

import pygame

from game.actions import Action, Kind
from game.rules.content import Collectible, Rarity
from game.scene import Pop, Scene
from game.services import Services, hex_rgb
from game.ui.layout import LOGICAL_SIZE, Rect
from game.ui.widgets import Button, darken, draw_panel, hit_button, lighten
from scenes.decor import draw_cloud, vertical_gradient


def draw_medal(size: int, colour: tuple[int, int, int], gold: tuple[int, int, int], owned: bool) -> pygame.Surface:
    """A round collectible medal: a stylised jade rabbit over a moon and clouds."""
    surf = pygame.Surface((size, size), pygame.SRCALPHA)
    c = size // 2
    body = colour if owned else (190, 184, 176)
    ring = gold if owned else (160, 154, 146)
    pygame.draw.circle(surf, darken(body, 0.35), (c, c + 6), c - 6)
    pygame.draw.circle(surf, body, (c, c), c - 8)
    pygame.draw.circle(surf, ring, (c, c), c - 8, 6)
    pygame.draw.circle(surf, lighten(ring, 0.5), (c + size // 7, c - size // 8), size // 5)
    white = (250, 246, 238) if owned else (120, 114, 108)
    pygame.draw.ellipse(surf, white, (c - size * 0.22, c - size * 0.02, size * 0.36, size * 0.26))  # body
    pygame.draw.circle(surf, white, (round(c - size * 0.16), round(c - size * 0.04)), round(size * 0.1))  # head
    for dx, tilt in ((-0.22, -0.35), (-0.12, -0.2)):  # ears
        ear = pygame.Surface((size // 10, size // 4), pygame.SRCALPHA)
        pygame.draw.ellipse(ear, white, ear.get_rect())
        ear = pygame.transform.rotate(ear, math.degrees(tilt))
        surf.blit(ear, (round(c + dx * size - ear.get_width() / 2), round(c - size * 0.34)))
    draw_cloud(surf, (c + size * 0.05, c + size * 0.27), size * 0.07, (*ring, 255), 3)
    return surf


class AlbumScene(Scene):
    name = "album"

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.s = services
        self.back = Button("back", Rect(40, 34, 180, 68), style="secondary")
        self._bg: pygame.Surface | None = None

    def enter(self) -> None:
        p = self.s.palette
        self._bg = self.s.images.remember(
            ("album-bg", self.s.campaign.id),
            lambda: vertical_gradient(LOGICAL_SIZE, darken(p.primary, 0.45), darken(p.primary, 0.75)),
        )

    def tap_targets(self) -> dict[str, tuple[float, float]]:
        """Named places to tap, for QA scenarios (game/qa/targets.py)."""
        return {"back": self.back.rect.center}

    def handle(self, action: Action) -> bool:
        if action.kind is Kind.BACK or (action.kind is Kind.POINTER_UP and hit_button([self.back], action.pos)):
            self.request(Pop())
            return True
        return action.kind is not Kind.TOGGLE_LANGUAGE

    def _card(self, item: Collectible, owned_serial: tuple[bool, int | None]) -> pygame.Surface:
        s, p = self.s, self.s.palette
        owned, serial = owned_serial
        key = ("album-card", item.id, s.lang, owned, serial)

        def make() -> pygame.Surface:
            card = pygame.Surface((400, 420), pygame.SRCALPHA)
            draw_panel(card, Rect(0, 0, 400, 420), lighten(p.paper, 0.3), radius=24, border=p.accent, border_width=3)
            card.blit(draw_medal(200, hex_rgb(item.colour), p.accent, owned), (100, 20))
            hidden = item.rarity is Rarity.HIDDEN and not owned
            name = s.t("album.unknown") if hidden else item.name.get(s.lang)
            card.blit(s.text.fit(name, 30, 344, p.ink, "bold", 20), (28, 236))
            tag = s.t(f"rarity.{item.rarity.value}")
            if serial is not None:
                tag += " · " + s.t("album.serial", n=serial)
            card.blit(s.text.fit(tag, 24, 344, p.primary, "bold"), (28, 280))
            desc = "" if hidden else item.description.get(s.lang)
            # three lines, shrinking a little before anything is cut (English descriptions run long)
            s.text.draw_fitted_paragraph(card, desc, (28, 320), 344, 20, p.muted, "sans", 1.3, 3, 16)
            return card

        return s.images.remember(key, make)

    def draw(self, surface: pygame.Surface) -> None:
        s, p = self.s, self.s.palette
        assert self._bg is not None
        surface.blit(self._bg, (0, 0))
        self.back.label = s.t("app.back")
        self.back.draw(surface, s.text, {"primary": p.primary, "paper": p.paper, "ink": p.ink}, 30)
        surface.blit(s.text.render(s.t("album.title"), 60, lighten(p.secondary, 0.3), "serif"), (260, 30))
        owned = {o.collectible_id: o.serial for o in s.session.progress.collectibles}
        if not owned:
            hint = s.text.render(s.t("album.empty"), 30, lighten(p.secondary, 0.2), "sans")
            surface.blit(hint, (264, 110))
        items = s.campaign.collectibles
        cols = min(4, max(1, len(items)))
        x0 = (LOGICAL_SIZE[0] - (cols * 400 + (cols - 1) * 36)) // 2
        for i, item in enumerate(items):
            col, row = i % cols, i // cols
            in_row = min(cols, len(items) - row * cols)
            shift = (cols - in_row) * 436 // 2  # a short last row is centred under the full ones
            card = self._card(item, (item.id in owned, owned.get(item.id)))
            surface.blit(card, (x0 + shift + col * 436, 170 + row * 450))
