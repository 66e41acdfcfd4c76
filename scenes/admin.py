"""The kiosk admin menu (behind the PIN): status, language, event landmark, end session, exit.

``info()`` returns the status lines (label key, value) and the log tail; it is read twice a second.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pygame

from game.actions import Action, Kind
from game.scene import Pop, Scene
from game.services import Services
from game.ui.layout import Rect
from game.ui.widgets import Button, draw_panel, hit_button, lighten

if TYPE_CHECKING:
    from game.kiosk.shell import KioskShell

PANEL = Rect(120, 70, 1680, 940)
REFRESH_S = 0.5
AdminInfo = Callable[[], tuple[list[tuple[str, str]], list[str]]]


class AdminScene(Scene):
    name = "admin"

    def __init__(self, services: Services, shell: KioskShell, info: AdminInfo,
                 camera: Callable[[], Any] | None = None) -> None:
        super().__init__()
        self.s = services
        self.shell = shell
        self.info = info
        self.open_camera = camera  # -> a started vision worker (game.scan), for the live detection view
        self.worker: Any = None
        self.view: pygame.Surface | None = None
        self.view_line = ""
        self.lines: list[tuple[str, str]] = []
        self.log_tail: list[str] = []
        self._age = REFRESH_S
        bx, bw = 1330, 420
        self.buttons = [
            Button("lang", Rect(bx, 140, bw, 84), style="secondary"),
            Button("end", Rect(bx, 250, bw, 84), style="primary"),
            Button("exit", Rect(bx, 360, bw, 84), style="secondary"),
            Button("close", Rect(bx, 470, bw, 84), style="secondary"),
        ]
        if camera is not None:
            self.buttons.append(Button("camera", Rect(bx, 800, bw, 84), style="secondary"))
        self.buttons.append(Button("debug", Rect(bx, 910, bw, 76), style="secondary"))  # the F3 overlay (docs/qa.md)
        self.landmarks = [lm.id for lm in services.campaign.city.landmarks]
        if shell.options.event:
            self.buttons += [Button("lm-prev", Rect(bx, 640, 120, 84), "<", "secondary"),
                             Button("lm-next", Rect(bx + bw - 120, 640, 120, 84), ">", "secondary")]

    def tap_targets(self) -> dict[str, tuple[float, float]]:
        """For QA scenarios (game/qa/targets.py): ``admin:<button>``."""
        return {f"admin:{b.id}": b.rect.center for b in self.buttons}

    def handle(self, action: Action) -> bool:
        if action.kind is Kind.BACK:
            self.request(Pop())
        elif action.kind is Kind.POINTER_UP:
            button = hit_button(self.buttons, action.pos)
            if button is not None:
                self.press(button.id)
        return True

    def press(self, ident: str) -> None:
        if ident == "lang":
            self.shell.set_language("en" if self.shell.lang == "zh" else "zh")
        elif ident == "end":
            self.shell.end_session("admin")
        elif ident == "exit":
            self.shell.quit()
        elif ident == "close":
            self.request(Pop())
        elif ident == "camera":
            self._toggle_camera()
        elif ident == "debug":
            self.s.debug = not self.s.debug
        elif ident in ("lm-prev", "lm-next"):
            current = self.s.session.device_landmark
            i = self.landmarks.index(current) if current in self.landmarks else -1
            step = 1 if ident == "lm-next" else -1
            self.shell.set_landmark(self.landmarks[(i + step) % len(self.landmarks)])
        self._age = REFRESH_S

    def _toggle_camera(self) -> None:
        if self.worker is not None:
            self.exit()
            return
        assert self.open_camera is not None
        try:
            self.worker = self.open_camera()
        except Exception as err:  # no camera: say so on the status line
            self.view_line = f"camera: {err}"

    def exit(self) -> None:
        if self.worker is not None:
            self.worker.close()
        self.worker, self.view = None, None

    def _take_frame(self) -> None:
        result = self.worker.latest(0.0)
        if result is None:
            return
        image = result.image
        surf = pygame.image.frombuffer(image.tobytes(), (image.shape[1], image.shape[0]), "RGB")
        self.view = pygame.transform.smoothscale(surf, (512, round(512 * image.shape[0] / image.shape[1])))
        det = result.detection
        found = f"{det.mode} · score {det.score:.2f}" if det is not None else "no logo"
        self.view_line = f"{found} · vision {result.vision_ms:.1f} ms · luma {result.measures.brightness:.0f}"

    def update(self, dt: float) -> None:
        if self.worker is not None:
            self._take_frame()
        self._age += dt
        if self._age >= REFRESH_S:
            self._age = 0.0
            self.lines, self.log_tail = self.info()

    def draw(self, surface: pygame.Surface) -> None:
        s, p = self.s, self.s.palette
        surface.fill((28, 26, 24))
        draw_panel(surface, PANEL, lighten(p.paper, 0.3), radius=24, border=p.ink, border_width=3)
        surface.blit(s.text.render(s.t("kiosk.admin_title"), 52, p.ink, "bold"), (180, 100))
        y = 190
        for key, value in self.lines:
            surface.blit(s.text.fit(s.t(key), 28, 260, p.muted, "bold"), (180, y))
            surface.blit(s.text.fit(value, 28, 860, p.ink, "sans", 18), (460, y))
            y += 48
        y += 16
        if self.worker is not None or self.view_line:  # the live detection view takes the log's place
            surface.blit(s.text.fit(self.view_line, 26, 1100, p.ink, "bold", 16), (180, y))
            if self.view is not None:
                surface.blit(self.view, (180, y + 44))
        else:
            surface.blit(s.text.render(s.t("kiosk.admin_log"), 26, p.muted, "bold"), (180, y))
            y += 40
            for line in self.log_tail[-8:]:
                surface.blit(s.text.fit(line, 20, 1100, p.ink, "sans", 14), (180, y))
                y += 30
        colours = {"primary": p.primary, "paper": p.paper, "ink": p.ink}
        labels = {"lang": f"{s.t('kiosk.admin_language')}: {s.t('app.language_name')}",
                  "end": s.t("kiosk.admin_end"), "exit": s.t("kiosk.admin_exit"), "close": s.t("kiosk.admin_close"),
                  "camera": s.t("kiosk.admin_camera_test"),
                  "debug": s.t("kiosk.admin_debug_on" if s.debug else "kiosk.admin_debug_off")}
        for button in self.buttons:
            button.label = labels.get(button.id, button.label)
            button.draw(surface, s.text, colours, 30)
        if self.shell.options.event:
            surface.blit(s.text.render(s.t("kiosk.admin_pick"), 28, p.muted, "bold"), (1330, 596))
            current = s.campaign.landmark(s.session.device_landmark or "")
            name = current.name.get(s.lang) if current is not None else s.t("kiosk.none")
            label = s.text.fit(name, 30, 160, p.ink, "bold", 16)
            surface.blit(label, label.get_rect(center=(1540, 682)))

