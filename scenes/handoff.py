"""End of a kiosk visit: the claim QR to carry progress to a phone (or to any kiosk's camera).

Stays until touched or for ``seconds``; then ``done`` runs (the kiosk shell's wipe). The code exists
once the sync has created the player on the server; until then the scene says it is preparing it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pygame

from game.actions import Action, Kind
from game.kiosk.handoff import qr_matrix
from game.scene import Scene
from game.services import Services
from game.ui.fit import Placements, block, button_row, draw_block, draw_button, union
from game.ui.layout import LOGICAL_SIZE, Rect
from game.ui.widgets import Button, darken, draw_panel, hit_button, lighten

QR_BOX = Rect(1120, 200, 600, 600)
COLUMN = (200, 820)  # the left column beside the code: x, width
RISE = 140  # how far the column may rise above the code's top when large text needs the height
POLL_S = 0.5


class HandoffScene(Scene):
    name = "handoff"

    def __init__(
        self,
        services: Services,
        url: Callable[[], str | None],
        done: Callable[[], None],
        *,
        seconds: float = 30.0,
        offline: bool = False,
    ) -> None:
        super().__init__()
        self.s = services
        self.url = url  # the claim URL once known (None while the sync creates the player)
        self.done = done
        self.seconds = seconds
        self.offline = offline
        self.t = 0.0
        self._poll = POLL_S
        self.claim: str | None = None
        self.qr: pygame.Surface | None = None
        self.steps = services.session.summary().month_steps
        self.button = Button("done", Rect(260, 840, 420, 96), style="primary")
        self._finished = False
        self.placed = Placements()  # where the texts and the button went (read by the layout tests)

    def enter(self) -> None:
        self._refresh()

    def _refresh(self) -> None:
        if self.claim is None:
            self.claim = self.url()
            if self.claim is not None:
                self.qr = qr_surface(self.claim, round(QR_BOX.w) - 40)

    def tap_targets(self) -> dict[str, tuple[float, float]]:
        """For QA scenarios (game/qa/targets.py): the hand-off's Done button."""
        return {"handoff:done": self.button.rect.center}

    def handle(self, action: Action) -> bool:
        if action.kind is Kind.POINTER_UP or (action.kind in (Kind.CONFIRM, Kind.BACK)):
            hit_button([self.button], action.pos)
            self._finish()
        return True

    def _finish(self) -> None:
        if not self._finished:
            self._finished = True
            self.done()

    def update(self, dt: float) -> None:
        self.t += dt
        self._poll -= dt
        if self._poll <= 0:
            self._poll = POLL_S
            self._refresh()
        if self.t >= self.seconds:
            self._finish()

    def draw(self, surface: pygame.Surface) -> None:
        """Title, steps, the explanation and Done stacked by their heights in the left column, beside the
        code; the texts shrink toward a floor only when the column's height runs out (large text)."""
        s, p = self.s, self.s.palette
        surface.fill(darken(p.primary, 0.55))
        pygame.draw.rect(surface, p.accent, pygame.Rect(24, 24, LOGICAL_SIZE[0] - 48, LOGICAL_SIZE[1] - 48), 4,
                         border_radius=10)
        k = max(1.0, s.text.scale.factor)
        cream = lighten(p.secondary, 0.4)
        body_key = "kiosk.handoff_offline" if self.offline and self.qr is None else "kiosk.handoff_scan"
        left = max(0, int(self.seconds - self.t + 0.999))
        self.button.label = f"{s.t('kiosk.handoff_done')} ({left})"
        x = COLUMN[0] - min(80, round(80 * (k - 1)))  # large text: the column takes the margin beside it
        w = COLUMN[0] + COLUMN[1] - x
        for shrink in (1.0, 0.9, 0.8, 0.7, 0.6, 0.5):
            title = block(s.text, s.t("kiosk.handoff_title"), round(72 * shrink), w, "serif", min_size=round(40 * shrink),
                          max_lines=2, spacing=1.15)
            steps = block(s.text, s.t("kiosk.handoff_steps", n=self.steps), round(48 * shrink), w, "bold",
                          min_size=round(28 * shrink), max_lines=2)
            body = block(s.text, s.t(body_key), round(38 * shrink), w, "sans", min_size=round(24 * shrink), spacing=1.35)
            size = button_row(s.text, [self.button], round(38 * shrink), 0, 0, min_w=420, min_h=96,
                              max_row_w=w, gap=0, min_size=24)
            gap = k * shrink  # the gaps shrink with the texts
            steps_y = max(320, 200 + title.height + round(28 * gap))
            body_y = max(420, steps_y + steps.height + round(40 * gap))
            button_y = max(840, body_y + body.height + round(40 * gap))
            if button_y + self.button.rect.h - RISE <= LOGICAL_SIZE[1] - 60:
                break
        # the column rises (up to RISE) before anything would leave the screen
        top = max(-RISE, min(0, LOGICAL_SIZE[1] - 60 - round(button_y + self.button.rect.h)))
        self.button.rect = Rect(COLUMN[0] + 60, top + button_y, self.button.rect.w, self.button.rect.h)
        self.placed.clear()
        screen = pygame.Rect(0, 0, *LOGICAL_SIZE)
        for role, b, at, colour in (("title", title, 200, cream), ("steps", steps, steps_y, p.accent),
                                    ("body", body, body_y, cream)):
            self.placed.add(role, b.text, union(draw_block(surface, s.text, b, colour, x, top + at, w)), screen)
        if not (self.offline and self.qr is None):  # offline, no code can be made: the left says so
            draw_panel(surface, QR_BOX, (255, 255, 255), radius=24, border=p.accent, border_width=4)
        if self.qr is not None:
            surface.blit(self.qr, self.qr.get_rect(center=(round(QR_BOX.center[0]), round(QR_BOX.center[1]))))
        elif not self.offline:
            inner = round(QR_BOX.w) - 100
            wait = block(s.text, s.t("kiosk.handoff_waiting"), 34, inner, "sans", min_size=22, max_lines=3)
            lines = draw_block(surface, s.text, wait, p.ink, round(QR_BOX.x) + 50,
                               round(QR_BOX.center[1] - wait.height / 2), inner, "center")
            self.placed.add("waiting", wait.text, union(lines), QR_BOX)
        draw_button(surface, s.text, self.button, {"primary": p.primary, "paper": p.paper, "ink": p.ink}, size,
                    self.placed)


def qr_surface(text: str, size: int) -> pygame.Surface:
    """A crisp QR code (whole pixels per module, quiet zone included) at most ``size`` px wide."""
    modules = qr_matrix(text)
    n = modules.shape[0]
    px = max(2, size // n)
    img = np.where(modules, 0, 255).astype(np.uint8)
    img = np.kron(img, np.ones((px, px), dtype=np.uint8))
    rgb = np.repeat(img.T[:, :, None], 3, axis=2)  # surfarray is (x, y)
    return pygame.surfarray.make_surface(rgb)
