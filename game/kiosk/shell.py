"""KioskShell: guards each visitor's session around the scene stack, whatever scenes exist.

- Every kiosk start begins with a fresh guest at the attract loop.
- Every path back to attract (Back, Esc, Finish after its confirmation, the idle countdown, the admin's
  "end session now") ends the visitor's session: the hand-off QR if they made progress, then the wipe.
- The wipe leaves nothing of the visitor in memory or on screen: every scene is replaced by a new
  attract scene, visitor drawings and rendered text are dropped, the language returns to the kiosk's,
  and the session moves to a new player. The visitor's actions stay queued in the outbox.
- Customers cannot quit: window close, Alt+F4, Ctrl+Q, the debug overlay and screenshots are swallowed.
- Five taps in the top-left corner within 3 s open the admin PIN pad.

The App calls ``filter`` with each frame's actions, ``tick`` after the scenes updated, and ``draw``
over the frame. Scenes are generic to it: it only looks at the top scene's ``name``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from game.actions import Action, Kind
from game.kiosk.idle import CornerTaps, IdleTimer
from game.kiosk.pin import PinGate
from game.scene import Push, Scene, SceneStack

if TYPE_CHECKING:
    import pygame

    from game.kiosk.resume import QrWatcher
    from game.services import Services

log = logging.getLogger(__name__)

# Scenes that belong to the kiosk, not to a visitor: being on them does not make a visitor "active".
SHELL_SCENES = frozenset({"attract", "handoff", "admin-pin", "admin"})
# Cached drawings that hold nothing of a visitor (brand art, the painting, icons): kept across the wipe.
NEUTRAL_IMAGES = frozenset({"file", "cutout", "attract-bg", "attract-card", "icon", "scroll-blitter", "minimap",
                            "minimap-dim", "map-waiting", "album-bg", "rewards-bg", "attract-rabbit",
                            "attract-scroll"})
SWALLOWED = frozenset({Kind.QUIT, Kind.TOGGLE_DEBUG, Kind.SCREENSHOT})
INPUT = frozenset({Kind.POINTER_DOWN, Kind.POINTER_MOVE, Kind.POINTER_UP, Kind.SCROLL, Kind.LEFT, Kind.RIGHT,
                   Kind.UP, Kind.DOWN, Kind.CONFIRM, Kind.BACK, Kind.MENU, Kind.TOGGLE_LANGUAGE, Kind.TEXT})


@dataclass(frozen=True)
class KioskOptions:
    lang: str = "zh"  # every visitor starts in this language
    idle_s: float = 60.0
    countdown_s: float = 10.0
    handoff_s: float = 30.0
    pin_hash: str | None = None
    event: bool = False


class KioskShell:
    def __init__(
        self,
        services: Services,
        scenes: Callable[[str], Scene],
        options: KioskOptions,
        *,
        handoff: Callable[[str, Callable[[], None]], Scene] | None = None,
        admin: Callable[[KioskShell], Scene] | None = None,
        pin_pad: Callable[[PinGate, Callable[[], Scene]], Scene] | None = None,
        gate: PinGate | None = None,
        watcher: QrWatcher | None = None,
    ) -> None:
        self.s = services
        self.scenes = scenes  # the scene factory: name -> Scene
        self.options = options
        self.make_handoff = handoff  # (player id, done) -> the hand-off scene
        self.make_admin = admin
        self.make_pin_pad = pin_pad
        self.gate = gate or PinGate(options.pin_hash)
        self.watcher = watcher  # claim QRs seen by the camera on the attract loop (a returning visitor)
        self.idle = IdleTimer(options.idle_s, options.countdown_s)
        self.corner = CornerTaps()
        self.stack: SceneStack | None = None
        self.guest_active = False  # the current visitor has left the attract loop (or made progress)
        self._start_revision = 0
        self._swallow_up: set[int] = set()  # pointers whose DOWN was taken by the shell
        self.on_wipe: list[Callable[[], None]] = []  # other services forget their visitor state here
        self.sessions_ended = 0
        self._handoff_left = options.handoff_s
        self.lang = options.lang  # the kiosk's language (every visitor starts in it); the admin may change it

    # ---- lifecycle --------------------------------------------------------------------------------

    def attach(self, stack: SceneStack) -> None:
        self.stack = stack

    def start(self) -> list[Scene]:
        """The first scenes of a kiosk run: always a fresh guest (never the last run's visitor)."""
        self.s.session.end_guest()
        self.s.i18n.set_lang(self.lang)
        self._start_revision = self.s.session.revision
        self.guest_active = False
        log.info("kiosk started with a fresh guest")
        return [self.scenes("attract")]

    # ---- input ------------------------------------------------------------------------------------

    def filter(self, actions: list[Action]) -> list[Action]:
        """The actions the scenes may see this frame."""
        out: list[Action] = []
        for action in actions:
            kind = action.kind
            if kind in SWALLOWED:
                if kind is Kind.QUIT:
                    log.info("quit request swallowed (kiosk)")
                continue
            if kind not in INPUT:
                out.append(action)
                continue
            cancelled = self.idle.poke()
            if kind is Kind.POINTER_UP and action.pointer in self._swallow_up:
                self._swallow_up.discard(action.pointer)
                continue
            if kind is Kind.POINTER_DOWN:
                if cancelled:  # this touch answered "Are you still there?": it presses nothing else
                    self._swallow_up.add(action.pointer)
                    continue
                if self.corner.in_corner(action.pos) and not self._on_admin():
                    self._swallow_up.add(action.pointer)
                    if self.corner.tap(action.pos):
                        self.open_pin_pad()
                    continue
                self.corner.tap(action.pos)  # a tap elsewhere breaks the sequence
            elif cancelled:
                continue
            out.append(action)
        return out

    def poke(self) -> None:
        """Presence without input (the scan scene saw the logo): keeps the session alive."""
        self.idle.poke()

    def _on_admin(self) -> bool:
        top = self.stack.top if self.stack is not None else None
        return top is not None and top.name in ("admin-pin", "admin")

    # ---- per frame --------------------------------------------------------------------------------

    def tick(self, dt: float) -> None:
        assert self.stack is not None
        self.corner.advance(dt)
        top = self.stack.top
        if top is None:
            return
        if top.name not in SHELL_SCENES or self.s.session.revision != self._start_revision:
            self.guest_active = self.guest_active or top.name not in SHELL_SCENES or self._has_progress()
        if self.watcher is not None:
            on_attract = top.name == "attract" and not self.guest_active
            fresh_on_scan = top.name == "scan" and not self._has_progress()  # a visitor who has not played yet
            self.watcher.set_active(on_attract or fresh_on_scan, own_camera=on_attract)
            if fresh_on_scan:
                self._take_resume()
        if top.name == "attract":
            self.idle.poke()
            if self.guest_active:
                self.end_session("back to attract")
            elif self.watcher is not None:
                self._take_resume()
            return
        if top.name == "handoff":
            self.idle.poke()  # the hand-off has its own time-out, counted here on the frame clock
            self._handoff_left -= dt
            if self._handoff_left <= 0:
                self.wipe()
            return
        if self.idle.tick(dt):
            self.end_session("idle")

    def _take_resume(self) -> None:
        assert self.watcher is not None and self.stack is not None
        resumed = self.watcher.result()
        if resumed is None:
            return
        if resumed.local_id is None:
            self.s.notices.post(self.s.t("kiosk.resume_failed"), 6)
            return
        on_scan = self.stack.top is not None and self.stack.top.name == "scan"
        self.s.session.switch_to(resumed.local_id)
        self.guest_active = True
        if not on_scan:  # the scan scene carries on as the returning player
            self.stack.replace(self.scenes("map"), clear=True)
        self.s.notices.post(self.s.t("kiosk.resumed"), 6)
        log.info("returning visitor resumed from a claim QR")

    def _has_progress(self) -> bool:
        p = self.s.session.progress
        return bool(p.grants or p.checkins or p.collectibles or p.tasks or p.shares)

    # ---- end of a visitor's session ----------------------------------------------------------------

    def end_session(self, reason: str) -> None:
        """Hand-off (if the visitor made progress), then the wipe. Safe to call from any scene."""
        assert self.stack is not None
        self.sessions_ended += 1
        self.idle.poke()
        player = self.s.session.player_id
        log.info("visitor session ended", extra={"reason": reason, "progress": self._has_progress()})
        if self._has_progress() and self.make_handoff is not None:
            self.guest_active = False
            self._handoff_left = self.options.handoff_s
            # Replacing the whole stack drops the visitor's scenes (camera frames, share card) right away.
            self.stack.replace(self.make_handoff(player, self.wipe), clear=True)
        else:
            self.wipe()

    def wipe(self) -> None:
        """Forget the visitor everywhere; the next visitor starts clean at the attract loop."""
        assert self.stack is not None
        s = self.s
        s.session.end_guest()
        s.i18n.set_lang(self.lang)
        dropped = s.images.retain(lambda key: bool(key) and key[0] in NEUTRAL_IMAGES)
        s.text.clear_cache()
        s.notices.items.clear()
        s.debug = False
        if self.watcher is not None:
            self.watcher.forget()
        for forget in self.on_wipe:
            forget()
        self.idle.poke()
        self.corner.times.clear()
        self._swallow_up.clear()
        self.guest_active = False
        self.stack.replace(self.scenes("attract"), clear=True)
        self._start_revision = s.session.revision
        log.info("visitor wiped", extra={"images_dropped": dropped})

    # ---- admin ------------------------------------------------------------------------------------

    def open_pin_pad(self) -> None:
        assert self.stack is not None
        log.warning("admin gesture: PIN pad opened")
        if self.make_pin_pad is not None:
            self.stack.apply(Push(self.make_pin_pad(self.gate, self.admin_scene)))

    def admin_scene(self) -> Scene:
        """The admin menu (the PIN pad replaces itself with it)."""
        assert self.make_admin is not None
        return self.make_admin(self)

    def set_landmark(self, landmark_id: str | None) -> None:
        """Event mode: which landmark this laptop "is", picked in the admin menu (no restart)."""
        self.s.session.device_landmark = landmark_id
        self.s.session.revision += 1  # pins and cards redraw for the new landmark
        log.warning("device landmark set from the admin menu", extra={"landmark": landmark_id})

    def set_language(self, lang: str) -> None:
        self.lang = lang
        self.s.i18n.set_lang(lang)
        log.warning("kiosk language set from the admin menu", extra={"lang": lang})

    def quit(self) -> None:
        """The admin's exit: the only way out of a kiosk."""
        assert self.stack is not None
        log.warning("kiosk exit from the admin menu")
        self.stack.quit_requested = True

    # ---- drawing ----------------------------------------------------------------------------------

    def draw(self, surface: pygame.Surface) -> None:
        if self.idle.countdown is not None:
            from game.kiosk.countdown import draw_countdown

            draw_countdown(surface, self.s, self.idle.countdown)
