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
from game.ui.layout import LOGICAL_SIZE, Rect
from game.ui.widgets import Button, darken, draw_panel, hit_button, lighten

QR_BOX = Rect(1120, 200, 600, 600)
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
        s, p = self.s, self.s.palette
        surface.fill(darken(p.primary, 0.55))
        pygame.draw.rect(surface, p.accent, pygame.Rect(24, 24, LOGICAL_SIZE[0] - 48, LOGICAL_SIZE[1] - 48), 4,
                         border_radius=10)
        cream = lighten(p.secondary, 0.4)
        title = s.text.fit(s.t("kiosk.handoff_title"), 72, 820, cream, "serif", 40)
        surface.blit(title, (200, 200))
        steps = s.text.fit(s.t("kiosk.handoff_steps", n=self.steps), 48, 820, p.accent, "bold", 28)
        surface.blit(steps, (200, 320))
        body_key = "kiosk.handoff_offline" if self.offline and self.qr is None else "kiosk.handoff_scan"
        s.text.draw_fitted_paragraph(surface, s.t(body_key), (200, 420), 820, 38, cream, "sans", 1.35, 5, 26)
        if not (self.offline and self.qr is None):  # offline, no code can be made: the left says so
            draw_panel(surface, QR_BOX, (255, 255, 255), radius=24, border=p.accent, border_width=4)
        if self.qr is not None:
            surface.blit(self.qr, self.qr.get_rect(center=(round(QR_BOX.center[0]), round(QR_BOX.center[1]))))
        elif not self.offline:
            s.text.draw_fitted_paragraph(surface, s.t("kiosk.handoff_waiting"), (round(QR_BOX.x) + 50,
                                         round(QR_BOX.y) + 270), round(QR_BOX.w) - 100, 34, p.ink, "sans", 1.3, 2, 22)
        left = max(0, int(self.seconds - self.t + 0.999))
        self.button.label = f"{s.t('kiosk.handoff_done')} ({left})"
        self.button.draw(surface, s.text, {"primary": p.primary, "paper": p.paper, "ink": p.ink}, 38)


def qr_surface(text: str, size: int) -> pygame.Surface:
    """A crisp QR code (whole pixels per module, quiet zone included) at most ``size`` px wide."""
    modules = qr_matrix(text)
    n = modules.shape[0]
    px = max(2, size // n)
    img = np.where(modules, 0, 255).astype(np.uint8)
    img = np.kron(img, np.ones((px, px), dtype=np.uint8))
    rgb = np.repeat(img.T[:, :, None], 3, axis=2)  # surfarray is (x, y)
    return pygame.surfarray.make_surface(rgb)
