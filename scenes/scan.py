"""The AR hunt: the live camera, the logo found, a collectible rising out of it, collect, keep, share.

The camera and vision run in ``game.scan.worker.VisionWorker`` (its own thread, slots of size
one); this scene shows the latest processed frame together with the pose computed from THAT
frame, so the figure never drifts off the logo. It draws and decides nothing about vision: the
hunt's state is ``game.scan.hunt.Hunt`` and every outcome goes through ``Session.attempt``.
The camera is opened in ``enter`` and released in ``exit``; no frame is kept after that.
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pygame

from game.actions import Action, Kind
from game.debug_overlay import VisionDebug
from game.rules.content import CheckinMode, Collectible, Rarity
from game.rules.progress import CheckIn, Collect, Scan
from game.scan.hints import choose_hint
from game.scan.hunt import Hunt, Phase
from game.scan.limited import LimitedState, LimitedStatus, limited_status, owned_items
from game.scan.pose import CardPose, figure_geometry, pose_from_corners
from game.scan.worker import VisionResult, VisionWorker
from game.scene import Pop, Push, Scene
from game.services import Services, hex_rgb
from game.ui.ar_figure import FigureRenderer, View, draw_outline
from game.ui.camera_surface import CameraSurface
from game.ui.collectible_art import collectible_art
from game.ui.contrast import CREAM
from game.ui.fit import Block, Placements, block, button_row, draw_block, draw_button, label_size, union
from game.ui.layout import LOGICAL_SIZE, Rect
from game.ui.widgets import Button, darken, draw_panel, hit_button, lighten
from scenes.decor import draw_seal

log = logging.getLogger(__name__)

VIEW_RECT = (240, 0, 1440, 1080)  # the 4:3 camera, pillarboxed in the 16:9 canvas
ALBUM_ICON = (1800, 150)  # where a captured figure flies to (the album icon's centre at the normal text size)
SIDE_W = VIEW_RECT[0]  # each side panel, at the normal text size; larger text widens them over the view's edges
SIDE_MAX = 420
BAND_H = 120  # the aiming guide's band at the bottom, at the normal text size
FIGURE_HEIGHT = 1.2  # card widths: it towers over the logo it came out of
KIOSK_IDLE_S = 45.0  # a kiosk's scan returns to the map after this long without a touch
POSTER_CONFIRM = 2  # consecutive poster sightings before the check-in
LIMITED_POLL_S = 1.0
SEAL_S = 1.6


@dataclass
class Seal:
    landmark: str
    name: str
    steps: int
    t: float = 0.0


class ScanScene(Scene):
    name = "scan"

    def __init__(self, services: Services, open_worker: Callable[[], VisionWorker], scenes: Callable[[str], Scene],
                 *, lockstep: bool = False, roll: Callable[[], float] | None = None,
                 landmark: str | None = None) -> None:
        super().__init__()
        self.s = services
        self.open_worker = open_worker
        self.scenes = scenes
        self.lockstep = lockstep  # headless runs: each frame waits for the next processed camera frame
        self.roll = roll or services.rng.random
        # opened from a landmark's card: only that landmark's poster checks in (None: any poster)
        self.landmark = services.campaign.landmark(landmark) if landmark else None
        self.worker: VisionWorker | None = None
        self.synthetic = False
        self.result: VisionResult | None = None
        self._camera = CameraSurface()
        self._frame_surf: pygame.Surface | None = None
        self.pose: CardPose | None = None
        self.hunt = Hunt(services.campaign, self.roll)
        self.t = 0.0
        self.idle = 0.0
        self.lock = 0.0
        self.collected: Collectible | None = None
        self.limited: LimitedStatus | None = None
        self._limited_age = 0.0
        self.outcome_text: str | None = None
        self.fly_from: tuple[float, float] | None = None
        self.figure_box: pygame.Rect | None = None
        self.seal: Seal | None = None
        self.message: tuple[str, float] | None = None
        self._poster_streak: dict[str, int] = {}
        self._poster_tried: set[str] = set()
        self._renderers: dict[str, FigureRenderer] = {}
        self._found: tuple[tuple[str, int], int] | None = None
        self._chips: dict[tuple[object, ...], pygame.Surface] = {}
        self._panels: tuple[tuple[object, ...], tuple[pygame.Surface, pygame.Surface]] | None = None
        self._last_pose: CardPose | None = None
        self._back_size = 30
        self.placed = Placements()  # where the side panels' texts and buttons went (read by the layout tests)
        self.guide_placed = Placements()  # the guide band's and the chips' texts, this frame
        self.result_placed = Placements()  # the catch's (or "nothing here"'s) panel, this frame
        self.back = Button("back", Rect(30, 34, 180, 68), style="secondary")
        self.album_button = Button("album", Rect(1700, 40, 200, 250), style="ghost")
        self.again_button = Button("again", Rect(0, 0, 260, 76), style="secondary")
        self.share_button = Button("share", Rect(0, 0, 220, 76), style="primary")
        self.frames_shown = 0
        # (when the worker took a camera frame, when that frame and its overlay were drawn), for bench/scan.py
        self.shown: deque[tuple[float, float]] = deque(maxlen=4096)
        self._drawn_index: int | None = None

    # lifecycle -------------------------------------------------------------------------------
    def enter(self) -> None:
        self.worker = self.open_worker()
        self.synthetic = bool(getattr(self.worker, "synthetic", False))

    def exit(self) -> None:
        if self.worker is not None:
            self.worker.close()
        self.worker = None
        self.result = None  # no camera frame outlives the scene
        self._frame_surf = None
        self._camera.drop()
        self.pose = self._last_pose = None

    def pause(self) -> None:
        """Another screen on top (album, share): stop the camera until we are back."""
        self.exit()

    def resume(self) -> None:
        self.enter()
        self.idle = 0.0

    # input -----------------------------------------------------------------------------------
    def handle(self, action: Action) -> bool:
        if action.kind in (Kind.POINTER_DOWN, Kind.POINTER_UP, Kind.CONFIRM, Kind.BACK):
            self.idle = 0.0
        if action.kind is Kind.BACK or (action.kind is Kind.POINTER_UP and self.back.hit(action.pos)):
            self.request(Pop())
            return True
        if action.kind is Kind.POINTER_UP:
            hit = hit_button(self._active_buttons(), action.pos)
            if hit is not None:
                self._press(hit.id)
                return True
            if self.figure_box is not None and action.pos is not None and self.hunt.collectable \
                    and self.figure_box.inflate(40, 40).collidepoint(action.pos):
                self._collect()
                return True
        if action.kind is Kind.CONFIRM and self.hunt.collectable:
            self._collect()
            return True
        return action.kind not in (Kind.TOGGLE_LANGUAGE, Kind.TOGGLE_DEBUG)  # app-wide keys still work

    def _active_buttons(self) -> list[Button]:
        out = [self.album_button]
        if (self.hunt.phase is Phase.CAPTURED and self.hunt.capture >= 1.0) or self.hunt.phase is Phase.NOTHING:
            out.append(self.again_button)
            if self.collected is not None:
                out.append(self.share_button)
        return out

    def _press(self, ident: str) -> None:
        if ident == "album":
            self.request(Push(self.scenes("album:scan")))
        elif ident == "again":
            self.hunt.again()
            self.collected, self.limited, self.outcome_text = None, None, None
        elif ident == "share" and self.collected is not None:
            self.request(Push(self.scenes(f"share:{self.collected.id}")))

    # the hunt --------------------------------------------------------------------------------
    def _collect(self) -> None:
        item = self.hunt.collect()
        if item is None:
            return
        self.fly_from = tuple(self.figure_box.center) if self.figure_box is not None else (960.0, 540.0)
        # a common item is the device's to give; limited and hidden ones come from the server's roll
        special = item.rarity is not Rarity.COMMON
        outcome = self.s.session.attempt(Scan() if special else Collect(item.id))
        self.collected = item
        if not outcome.applied:
            self.outcome_text = self.s.t(f"reason.{outcome.reason.value}") if outcome.reason else None
        elif special:
            self._poll_limited(force=True)
        log.info("collected", extra={"item": item.id, "applied": outcome.applied})

    def _poll_limited(self, force: bool = False) -> None:
        item = self.collected
        if item is None or item.rarity is Rarity.COMMON:
            return
        if not force and self._limited_age < LIMITED_POLL_S:
            return
        self._limited_age = 0.0
        status = limited_status(self.s.session.store, self.s.session.player_id, self.s.campaign, item.id)
        if status != self.limited:
            self.limited = status

    def _check_posters(self, result: VisionResult) -> None:
        seen = {hit.target_id for hit in result.posters}
        if not result.posters and result.index % 3:  # the poster index runs on some frames only
            return
        for ident in list(self._poster_streak):
            if ident not in seen:
                self._poster_streak.pop(ident)
        for ident in seen:
            streak = self._poster_streak[ident] = self._poster_streak.get(ident, 0) + 1
            if self.landmark is not None and ident != self.landmark.id:
                if streak == POSTER_CONFIRM:  # another landmark's poster: named, not counted
                    self._other_poster(ident)
            elif streak >= POSTER_CONFIRM and ident not in self._poster_tried:
                self._poster_tried.add(ident)
                self._scan_checkin(ident)

    def _other_poster(self, ident: str) -> None:
        other = self.s.campaign.landmark(ident)
        if other is None or self.landmark is None:
            return
        lang = self.s.lang
        self.message = (self.s.t("scan.other_poster", other=other.name.get(lang), name=self.landmark.name.get(lang)), 4.0)

    def _scan_checkin(self, landmark_id: str) -> None:
        landmark = self.s.campaign.landmark(landmark_id)
        if landmark is None:
            return
        outcome = self.s.session.attempt(CheckIn(landmark_id, CheckinMode.SCAN, scan_verified=True))
        name = landmark.name.get(self.s.lang)
        if outcome.applied:
            self.seal = Seal(landmark_id, name, outcome.steps)
        else:
            reason = self.s.t(f"reason.{outcome.reason.value}") if outcome.reason else ""
            self.message = (f"{name}: {reason}", 4.0)

    def update(self, dt: float) -> None:
        self.t += dt
        self.idle += dt
        self._limited_age += dt
        if self.s.kiosk and self.idle > KIOSK_IDLE_S:
            self.request(Pop())
            return
        if self.worker is not None:
            fresh = self.worker.latest(2.0 if self.lockstep else 0.0)
            if fresh is not None:
                self._show(fresh)
        det = self.result.detection if self.result is not None else None
        found = self.pose is not None
        if found and "presence" in self.s.extras:  # a kiosk: the visitor holding the logo up is still there
            self.s.extras["presence"]()  # type: ignore[operator]
        speed = self.result.measures.speed if self.result is not None else 0.0
        self.lock = min(1.0, self.lock + dt / 0.3) if det is not None else 0.0
        session = self.s.session
        if self.hunt.update(dt, found, speed, session.progress, session.now()):
            self._collect()
        self._poll_limited()
        if self.seal is not None:
            self.seal.t += dt
            if self.seal.t > SEAL_S + 1.2:
                self.seal = None
        if self.message is not None:
            self.message = (self.message[0], self.message[1] - dt) if self.message[1] > dt else None
        del det

    def _show(self, result: VisionResult) -> None:
        self.result = result
        self._frame_surf = self._camera.show(result.pixels)  # once per camera frame, not on every blit at 60 Hz
        det = result.detection
        self.pose = None
        if det is not None:
            self.pose = pose_from_corners(det.corners, det.ref_size, result.frame_size)
        if self.pose is not None:
            self._last_pose = self.pose  # a lost card's figure fades out where it last stood
        self._check_posters(result)
        if "claim_qr" in self.s.extras:  # a kiosk: a hand-off QR shown here resumes that player
            self.s.extras["claim_qr"](result.gray if result.gray is not None else result.image)  # type: ignore[operator]

    # drawing ---------------------------------------------------------------------------------
    def view(self) -> View | None:
        if self.result is None:
            return None
        return View(self.result.frame_size, VIEW_RECT, self.worker.mirror if self.worker is not None else False)

    def tap_targets(self) -> dict[str, tuple[float, float]]:
        """Named places to tap, for QA scenarios (game/qa/targets.py): back, album, again, share, and
        ``collect`` (the figure) once it can be collected."""
        out = {"back": self.back.rect.center}
        out.update({b.id: b.rect.center for b in self._active_buttons()})
        if self.figure_box is not None and self.hunt.collectable:
            out["collect"] = (float(self.figure_box.centerx), float(self.figure_box.centery))
        return out

    def vision_debug(self) -> VisionDebug | None:
        """For the F3 overlay: the detector on the frame shown (game/debug_overlay.py)."""
        r = self.result
        if r is None:
            return None
        det = r.detection
        state = "searching" if det is None else {"track": "tracking", "hold": "holding"}.get(det.mode, "found")
        full = det is None or det.mode == "detect"
        source = f"{getattr(self.worker.source, 'name', '') if self.worker else ''}  hunt {self.hunt.phase.name.lower()}"
        return VisionDebug(state, None if det is None else det.score, r.vision_ms if full else None,
                           None if full else r.vision_ms,
                           None if det is None else [tuple(map(float, c)) for c in det.corners],
                           VIEW_RECT, r.frame_size, self.worker.mirror if self.worker is not None else False, source)

    def _renderer(self, item: Collectible) -> FigureRenderer:
        r = self._renderers.get(item.id)
        if r is None:
            art = collectible_art(item.id, hex_rgb(item.colour), 420)
            r = self._renderers[item.id] = FigureRenderer(art, self.s.palette.accent)
        return r

    def _figure_height(self, pose: CardPose, view: View) -> float:
        """Card widths, shrunk when a card held close would push the figure off the top of the view."""
        full = figure_geometry(FIGURE_HEIGHT, 0.8, 1.0)
        pts = view.to_screen(pose.project(np.vstack([full.quad, full.foot.reshape(1, 3)])))
        foot_y, top_y = pts[4, 1], pts[:2, 1].min()
        room = foot_y - VIEW_RECT[1] - 12  # keep the ears inside the view
        span = foot_y - top_y
        if span <= 0 or span <= room:
            return FIGURE_HEIGHT
        return max(0.75, FIGURE_HEIGHT * room / span)

    def figure_anchor(self) -> np.ndarray | None:
        """Where the figure stands, in screen pixels (the overlay's projected anchor)."""
        view = self.view()
        if self.pose is None or view is None:
            return None
        geo = figure_geometry(FIGURE_HEIGHT, 0.8, self.hunt.rise)
        return view.to_screen(self.pose.project(geo.foot.reshape(1, 3)))[0]

    def draw(self, surface: pygame.Surface) -> None:
        s, p = self.s, self.s.palette
        view = self.view()
        backdrop = darken(p.primary, 0.78)
        if self._frame_surf is not None and view is not None and self.result is not None:
            surface.blit(self._frame_surf, VIEW_RECT[:2])  # the side panels, opaque, paint the rest
            if self._drawn_index != self.result.index:
                self._drawn_index = self.result.index
                self.shown.append((self.result.taken_at, time.perf_counter()))
        else:
            surface.fill(backdrop)
            msg = s.text.render(s.t("scan.starting"), 40, p.text_on_dark, "bold")
            surface.blit(msg, msg.get_rect(center=(960, 540)))
        clip = pygame.Rect(VIEW_RECT)
        self.figure_box = None
        if view is not None and self.result is not None and self.result.detection is not None:
            corners = view.to_screen(self.result.detection.corners)
            draw_outline(surface, corners, p.accent, 1.0, self.lock)
        item = self.hunt.item
        pose = self.pose if self.pose is not None else (self._last_pose if self.hunt.visible > 0 else None)
        if view is not None and pose is not None and item is not None and self.hunt.phase in (
                Phase.EMERGING, Phase.READY):
            sway = 4.0 * math.sin(self.t * 1.7)
            geo = figure_geometry(self._figure_height(pose, view), 0.8, self.hunt.rise, sway)
            self.figure_box = self._renderer(item).draw(surface, pose, geo, view, self.hunt.visible, self.t, clip)
            if self.pose is not None:
                self.frames_shown += 1
                if self.frames_shown == 1:
                    log.info("figure shown on the card", extra={"item": item.id})
        self._draw_poster_outlines(surface, view)
        self._draw_side_panels(surface)
        self._draw_guide(surface)
        if self.hunt.phase is Phase.READY and item is not None:
            self._draw_ready(surface, item)
        if self.hunt.phase is Phase.CAPTURED and self.collected is not None:
            self._draw_capture(surface, self.collected)
        if self.hunt.phase is Phase.NOTHING:
            self._draw_result(surface, None)
        if self.seal is not None:
            self._draw_seal(surface, self.seal)

    def _draw_poster_outlines(self, surface: pygame.Surface, view: View | None) -> None:
        if view is None or self.result is None:
            return
        for hit in self.result.posters:
            pts = view.to_screen(hit.corners).tolist()
            pygame.draw.polygon(surface, self.s.palette.jade, pts, 5)

    def _chip(self, surface: pygame.Surface, text: str, centre: tuple[int, int], size: int = 30,
              fill: tuple[int, int, int, int] = (20, 14, 14, 200), role: str = "chip", bottom: bool = False) -> None:
        """Cream text on a dark chip (dark enough over any camera frame for 4.5:1), painted once per text. It
        stays between the side panels: a long text wraps to two lines before it shrinks (to a floor). With
        ``bottom``, ``centre`` is where its bottom edge's middle goes."""
        s = self.s
        room = LOGICAL_SIZE[0] - 2 * self.side - 40 - 48
        key = (text, size, fill, s.text.generation, room)
        chip = self._chips.get(key)
        if chip is None:
            if len(self._chips) > 32:
                self._chips.clear()
            b = block(s.text, text, size, min(room, 1300), "bold", min_size=18, max_lines=2, spacing=1.2)
            w = max(s.text.size(line, b.size, "bold")[0] for line in b.lines) + 48
            h = b.height + 22
            chip = self._chips[key] = pygame.Surface((w, h), pygame.SRCALPHA)
            draw_panel(chip, Rect(0, 0, w, h), fill, radius=min(h // 2, 40))
            draw_block(chip, s.text, b, CREAM, 24, 11, w - 48, "center")
        at = surface.blit(chip, chip.get_rect(midbottom=centre) if bottom else chip.get_rect(center=centre))
        self.guide_placed.add(role, text, at.inflate(-40, -18), at)

    def _chip_y(self) -> int:
        """The hint chip's bottom: just above the guide band."""
        return self._band_top() - 26

    def _band_top(self) -> int:
        s = self.s
        zh_h = s.text.size("字", 40, "bold")[1]
        en_h = s.text.size("Ag", 28, "sans")[1]
        return LOGICAL_SIZE[1] - max(BAND_H, zh_h + en_h + round(16 * s.text.scale.factor))

    @property
    def side(self) -> int:
        """Each side panel's width: SIDE_W at the normal text size, wider (over the camera view's edges, which
        the panels then cover) as the text grows, so the panels' words keep several to a line."""
        k = max(1.0, self.s.text.scale.factor)
        return min(SIDE_MAX, round(SIDE_W * (0.5 + 0.5 * k)))

    @property
    def album_icon_at(self) -> tuple[int, int]:
        return (LOGICAL_SIZE[0] - self.side + (ALBUM_ICON[0] - VIEW_RECT[0] - VIEW_RECT[2]) * self.side // SIDE_W,
                ALBUM_ICON[1])

    def _draw_side_panels(self, surface: pygame.Surface) -> None:
        s, p = self.s, self.s.palette
        # painted once per language, text size, notice and count (opaque: two plain blits a frame)
        key = (s.lang, s.text.generation, self.synthetic, self._found_count(), len(s.campaign.collectibles))
        if self._panels is None or self._panels[0] != key:
            self._panels = (key, self._paint_panels())
        left, right = self._panels[1]
        surface.blit(left, (0, 0))
        surface.blit(right, (LOGICAL_SIZE[0] - right.get_width(), 0))
        draw_button(surface, s.text, self.back, {"primary": p.primary, "paper": p.paper, "ink": p.ink}, self._back_size)

    def _layout_back(self) -> int:
        """Back holds its label in the left panel: as wide as the label needs (the panel's width at most,
        the label shrinking first), at least touch size. Returns the label size."""
        s = self.s
        k = s.text.scale.factor
        self.back.label = s.t("app.back")
        room = self.side - 32
        size = label_size(s.text, [self.back.label], 30, room - round(44 * k), 18)
        w, h = s.text.size(self.back.label, size, "bold")
        width = min(room, max(180, w + round(44 * k)))
        self.back.rect = Rect((self.side - width) // 2, 34, width, max(68, h + round(16 * k)))
        return size

    def _paint_panels(self) -> tuple[pygame.Surface, pygame.Surface]:
        """The left panel (title, demo-camera notice; Back is drawn over it) and the right one (album icon, count)."""
        s, p = self.s, self.s.palette
        w = self.side
        self.placed.clear()
        self._back_size = self._layout_back()
        backdrop = darken(p.primary, 0.78)
        left = pygame.Surface((w, 1080)).convert()
        left.fill(backdrop)
        panel = pygame.Rect(0, 0, w, 1080)
        title = s.text.fit(s.t("map.scan"), 44, w - 24, p.text_on_dark, "serif", 26)
        centre_y = max(170, round(self.back.rect.y + self.back.rect.h) + 16 + title.get_height() // 2)
        at = left.blit(title, title.get_rect(center=(w // 2, centre_y)))
        self.placed.add("title", s.t("map.scan"), title.get_bounding_rect().move(at.topleft), panel)
        y = max(230, at.bottom + 8)
        if self.landmark is not None:  # this landmark's scan: its name under the title
            y = self._paint_notice(left, self.landmark.name.get(s.lang), y - 20, y + round(110 * s.text.scale.factor),
                                   30, p.text_on_dark, role="landmark") + 24
        if self.synthetic:
            pygame.draw.circle(left, p.accent, (w // 2, y + 32), 10)
            self._paint_notice(left, s.t("scan.demo_camera"), y + 60, left.get_height() - 40, role="demo camera")
        right = pygame.Surface((w, 1080)).convert()
        right.fill(backdrop)
        x0 = LOGICAL_SIZE[0] - w
        screen_right = pygame.Rect(x0, 0, w, 1080)
        cx = self.album_icon_at[0] - x0
        icon = s.images.remember(("scan-album-icon", s.campaign.id), self._album_icon)
        right.blit(icon, icon.get_rect(center=(cx, ALBUM_ICON[1])))
        label = s.text.fit(s.t("map.album"), 28, w - 24, p.text_on_dark, "bold", 18)
        at = right.blit(label, label.get_rect(midtop=(cx, 236 - 19)))
        self.placed.add("album", s.t("map.album"), label.get_bounding_rect().move(at.x + x0, at.y), screen_right)
        count = s.text.fit(f"{self._found_count()} / {len(s.campaign.collectibles)}", 30, w - 24, p.accent_on_dark,
                           "bold", 18)
        at2 = right.blit(count, count.get_rect(midtop=(cx, at.bottom + 2)))
        self.placed.add("count", "", count.get_bounding_rect().move(at2.x + x0, at2.y), screen_right)
        self.album_button.rect = Rect(x0 + 10, 40, w - 20, max(250, at2.bottom - 40 + 10))
        return left, right

    def _paint_notice(self, panel: pygame.Surface, text: str, top: int, bottom: int, size: int = 26,
                      colour: tuple[int, int, int] | None = None, role: str = "notice") -> int:
        """Centred lines in the side panel: the size shrinks until the whole text fits, never cut.
        Returns where the text ends."""
        s, p = self.s, self.s.palette
        width = panel.get_width() - 36
        for _ in range(12):  # the lines that fit the panel's height at this size
            step = round(s.text.px(size) * 1.35)
            lines = s.text.wrap(text, size, width, "bold")
            if len(lines) * step <= bottom - top and all(s.text.size(x, size, "bold")[0] <= width for x in lines):
                break
            size -= 1
        lines = s.text.wrap(text, size, width, "bold", max(1, (bottom - top) // step))
        inked = []
        for i, line in enumerate(lines):
            img = s.text.render(line, size, colour or p.accent_on_dark, "bold")
            at = panel.blit(img, img.get_rect(midtop=(panel.get_width() // 2, top + i * step)))
            inked.append(img.get_bounding_rect().move(at.topleft))
        self.placed.add(role, text, union(inked), pygame.Rect(0, 0, panel.get_width(), panel.get_height()))
        return top + len(lines) * step

    def _found_count(self) -> int:
        """Items found (local progress plus server-granted consolations), recounted when progress changes."""
        s = self.s
        key = (s.session.player_id, s.session.revision)
        if self._found is None or self._found[0] != key:
            owned = owned_items(s.session.store, s.session.player_id,
                                {o.collectible_id: o.serial for o in s.session.progress.collectibles})
            self._found = (key, sum(1 for c in s.campaign.collectibles if c.id in owned))
        return self._found[1]

    def _album_icon(self) -> pygame.Surface:
        p = self.s.palette
        icon = pygame.Surface((150, 150), pygame.SRCALPHA)
        pygame.draw.circle(icon, darken(p.accent, 0.3), (75, 79), 68)
        pygame.draw.circle(icon, p.accent, (75, 75), 68)
        pygame.draw.circle(icon, lighten(p.primary, 0.05), (75, 75), 58)
        art = collectible_art("lantern-rabbit", p.primary, 104)
        icon.blit(art, art.get_rect(center=(75, 76)))
        return icon

    def _draw_guide(self, surface: pygame.Surface) -> None:
        s, p = self.s, self.s.palette
        self.guide_placed.clear()
        x, w = self.side, LOGICAL_SIZE[0] - 2 * self.side
        top = self._band_top()
        band = s.images.remember(("scan-guide-band", w, top), lambda: self._band(w, LOGICAL_SIZE[1] - top))
        surface.blit(band, (x, top))
        box = pygame.Rect(x, top, w, band.get_height())
        if self.hunt.phase in (Phase.SEARCHING, Phase.EMERGING):
            zh_text, en_text = self.guide_lines()
            zh = s.text.fit(zh_text, 40, w - 80, CREAM, "bold", 24)
            en = s.text.fit(en_text, 28, w - 80, p.text_on_dark, "sans", 20)
            gap = max(0, (band.get_height() - zh.get_height() - en.get_height()) // 3)
            at = surface.blit(zh, zh.get_rect(midtop=(960, top + gap)))
            self.guide_placed.add("guide:zh", zh_text, zh.get_bounding_rect().move(at.topleft), box)
            at = surface.blit(en, en.get_rect(midtop=(960, top + 2 * gap + zh.get_height())))
            self.guide_placed.add("guide:en", en_text, en.get_bounding_rect().move(at.topleft), box)
        elif self.hunt.phase is Phase.READY:
            line = s.text.fit(s.t("scan.collect_hint"), 38, w - 80, CREAM, "bold", 22)
            at = surface.blit(line, line.get_rect(center=(960, top + band.get_height() // 2)))
            self.guide_placed.add("guide:collect", s.t("scan.collect_hint"), line.get_bounding_rect().move(at.topleft),
                                  box)
        hint = None
        if self.hunt.phase in (Phase.SEARCHING, Phase.EMERGING):
            hint = choose_hint(self.result.measures if self.result else None, self.pose is not None,
                               self.hunt.searching_for)
        if hint == "scan.hint_example":
            self._draw_example(surface)
        elif hint is not None:
            self._chip(surface, s.t(hint), (960, self._chip_y()), 32, bottom=True)
        if self.message is not None:
            self._chip(surface, self.message[0], (960, 70), 30)
        if self.worker is not None and self.worker.status not in ("ok", "starting"):
            self._chip(surface, s.t("scan.camera_status", status=self.worker.status), (960, 140), 26)

    def guide_lines(self) -> tuple[str, str]:
        """The aiming guide in Chinese and in English: this landmark's poster (opened from its card), or
        the logo by its colour as the campaign pack names it, or by the bank's name."""
        s, brand = self.s, self.s.campaign.brand

        def line(lang: str) -> str:
            if self.landmark is not None:
                return s.i18n.t_in(lang, "scan.guide_poster", name=self.landmark.name.get(lang))
            if brand.logo_colour is not None:
                return s.i18n.t_in(lang, "scan.guide", colour=brand.logo_colour.get(lang))
            return s.i18n.t_in(lang, "scan.guide_plain", bank=brand.name.get(lang))

        return line("zh"), line("en")

    @staticmethod
    def _band(w: int, h: int) -> pygame.Surface:
        band = pygame.Surface((w, h), pygame.SRCALPHA)
        band.fill((16, 10, 10, 180))  # cream text on it keeps 4.5:1 even over a white camera frame
        return band

    def _draw_example(self, surface: pygame.Surface) -> None:
        """What to hold up: the logo on a card (or, for a landmark's scan, its poster), with a hand-held tilt."""
        s, p = self.s, self.s.palette
        lm = self.landmark
        picture = lm.poster if lm is not None and lm.poster else s.campaign.brand.logo
        caption = lm.name.get(s.lang) if lm is not None else s.campaign.brand.name.get(s.lang)

        def make() -> pygame.Surface:
            card = pygame.Surface((300, 360), pygame.SRCALPHA)
            draw_panel(card, Rect(0, 0, 300, 360), (250, 244, 232), radius=18, border=p.accent, border_width=4)
            raw = pygame.image.load(str(s.campaign_dir / picture))
            k = min(240 / raw.get_width(), 240 / raw.get_height())
            image = pygame.transform.smoothscale(raw, (round(raw.get_width() * k), round(raw.get_height() * k)))
            card.blit(image, image.get_rect(center=(150, 144)))
            name = s.text.fit(caption, 30, 260, p.text_primary, "bold")
            card.blit(name, name.get_rect(center=(150, 310)))
            return pygame.transform.rotozoom(card, 8, 0.9)

        card = s.images.remember(("scan-example", s.campaign.id, picture, s.lang, s.text.generation), make)
        bob = 8 * math.sin(self.t * 2.2)
        x = min(1500, LOGICAL_SIZE[0] - self.side - card.get_width() // 2 - 10)  # beside the right panel
        surface.blit(card, card.get_rect(center=(x, 560 + bob)))
        hint = s.t("scan.guide_poster", name=caption) if lm is not None else \
            s.t("scan.hint_example", bank=s.campaign.brand.name.get(s.lang))
        self._chip(surface, hint, (960, self._chip_y()), 32, bottom=True)

    def _draw_ready(self, surface: pygame.Surface, item: Collectible) -> None:
        s, p = self.s, self.s.palette
        hidden = item.rarity is not Rarity.COMMON
        title = f"{item.name.get(s.lang)} · {s.t(f'rarity.{item.rarity.value}')}"
        self._chip(surface, title, (960, 70), 36, (*darken(p.fill_primary, 0.2), 225) if hidden else (20, 14, 14, 200))
        frac = min(1.0, self.hunt.steady / 1.5)
        if frac > 0 and self.figure_box is not None:
            c = self.figure_box.midtop
            rect = pygame.Rect(0, 0, 84, 84)
            rect.center = (c[0], c[1] - 40)
            pygame.draw.circle(surface, (20, 14, 14), rect.center, 44)
            pygame.draw.arc(surface, p.accent, rect, math.pi / 2, math.pi / 2 + frac * math.tau, 10)

    def _draw_capture(self, surface: pygame.Surface, item: Collectible) -> None:
        f = self.hunt.capture
        if f < 1.0 and self.fly_from is not None:
            e = f * f * (3 - 2 * f)
            x0, y0 = self.fly_from
            x1, y1 = self.album_icon_at
            x = x0 + (x1 - x0) * e
            y = y0 + (y1 - y0) * e - math.sin(math.pi * e) * 220
            size = max(40, round(420 * (1 - 0.8 * e)))
            art = collectible_art(item.id, hex_rgb(item.colour), size) if size < 420 else \
                self._renderer(item).sprite_surface()
            surface.blit(art, art.get_rect(center=(round(x), round(y))))
            return
        self._draw_result(surface, item)

    def _status_line(self, item: Collectible) -> tuple[str, tuple[int, int, int]]:
        s, p = self.s, self.s.palette
        if self.outcome_text is not None:
            return self.outcome_text, p.muted
        if item.rarity is Rarity.COMMON or self.limited is None:
            return s.t("scan.in_album"), p.text_jade
        st = self.limited
        if st.state is LimitedState.GRANTED:
            if item.rarity is Rarity.LIMITED and st.serial is not None:
                return s.t("scan.serial", n=f"{st.serial:,}", total=f"{st.supply or 0:,}"), p.text_primary
            return s.t("scan.in_album"), p.text_jade
        if st.state is LimitedState.SOLD_OUT:
            other = s.campaign.collectible(st.consolation) if st.consolation else None
            if other is not None:
                return s.t("scan.sold_out_consolation", item=other.name.get(s.lang)), p.text_primary
            return s.t("scan.sold_out"), p.text_primary
        if st.state is LimitedState.OTHER:
            return s.t("scan.server_other"), p.muted
        return s.t("scan.pending" if item.rarity is Rarity.LIMITED else "scan.pending_hidden"), p.muted

    def _draw_result(self, surface: pygame.Surface, item: Collectible | None) -> None:
        """The catch (art, "collected", name, rarity, status) or "nothing here", with Again and Share under
        the texts: stacked by their heights in a panel that grows with the text, between the side panels and
        above the guide band; the texts shrink toward their floors only when that room runs out."""
        s, p = self.s, self.s.palette
        k = max(1.0, s.text.scale.factor)
        room_w = LOGICAL_SIZE[0] - 2 * self.side - 40
        room_h = self._band_top() - 40
        width = min(room_w, round(960 * k ** 0.5))
        art_size = max(220, round(360 - 140 * (k - 1))) if item is not None else 0
        tx_off = art_size + 10 if item is not None else 80
        col_w = width - tx_off - 40 if item is not None else width - 160
        self.again_button.label = s.t("scan.again")
        self.share_button.label = s.t("scan.share")
        buttons = [self.again_button, self.share_button] if item is not None else [self.again_button]
        for shrink in (1.0, 0.9, 0.8, 0.7, 0.6, 0.5):
            blocks: list[tuple[str, Block, tuple[int, int, int]]] = []
            if item is not None:
                line, colour = self._status_line(item)
                blocks = [("head", block(s.text, s.t("scan.collected"), round(34 * shrink), col_w, "bold",
                                         min_size=round(20 * shrink), max_lines=2), p.text_primary),
                          ("name", block(s.text, item.name.get(s.lang), round(50 * shrink), col_w, "serif",
                                         min_size=round(26 * shrink), max_lines=2, spacing=1.15), p.ink),
                          ("rarity", block(s.text, s.t(f"rarity.{item.rarity.value}"), round(28 * shrink), col_w,
                                           "bold", min_size=round(18 * shrink), max_lines=1), p.text_gold),
                          ("status", block(s.text, line, round(30 * shrink), col_w, "bold",
                                           min_size=round(20 * shrink), spacing=1.25), colour)]
            else:
                blocks = [("head", block(s.text, s.t("scan.nothing_title"), round(44 * shrink), col_w, "bold",
                                         min_size=round(26 * shrink), max_lines=2), p.text_primary),
                          ("body", block(s.text, s.t("scan.nothing"), round(30 * shrink), col_w, "sans",
                                         min_size=round(20 * shrink)), p.ink)]
            size = button_row(s.text, buttons, round(30 * shrink), 0, 0, min_w=220, min_h=76,
                              max_row_w=col_w if item is not None else width - 160, gap=30, min_size=18)
            gaps = [round(g * k * shrink) for g in ((12, 8, 10, 24) if item is not None else (20, 30))]
            text_h = sum(b.height for _, b, _ in blocks) + sum(gaps[:-1])
            height = max(470, 50 + text_h + gaps[-1] + round(self.again_button.rect.h) + 30)
            if height <= room_h:
                break
        y0 = max(20, min(300, room_h + 20 - height))  # where it sits at the normal size, or higher
        panel = Rect((LOGICAL_SIZE[0] - width) // 2, y0, width, height)
        draw_panel(surface, panel, (*lighten(p.paper, 0.3), 244), radius=28, border=p.accent, border_width=4)
        self.result_placed.clear()
        box = pygame.Rect(panel.as_tuple())
        x = round(panel.x) + tx_off
        y = round(panel.y) + 50
        if item is not None:
            art = s.images.remember(("scan-result", item.id, art_size),
                                    lambda: collectible_art(item.id, hex_rgb(item.colour), art_size))
            surface.blit(art, (round(panel.x) + 40 - (360 - art_size) // 8, round(panel.y) + 50))
        for (role, b, colour), gap in zip(blocks, gaps, strict=True):
            align = "center" if item is None and role == "head" else "left"
            lines = draw_block(surface, s.text, b, colour, x, y, col_w, align)
            self.result_placed.add(role, b.text, union(lines), box)
            y += b.height + gap
        by = max(y, round(panel.y + panel.h) - 30 - round(self.again_button.rect.h))
        if item is not None:
            self.again_button.rect = Rect(x, by, self.again_button.rect.w, self.again_button.rect.h)
            self.share_button.rect = Rect(x + self.again_button.rect.w + 30, by, self.share_button.rect.w,
                                          self.share_button.rect.h)
        else:
            self.again_button.rect = Rect(round(panel.x + (panel.w - self.again_button.rect.w) / 2), by,
                                          self.again_button.rect.w, self.again_button.rect.h)
        colours = {"primary": p.primary, "paper": p.paper, "ink": p.ink}
        for b in buttons:
            draw_button(surface, s.text, b, colours, size, self.result_placed)

    def _draw_seal(self, surface: pygame.Surface, seal: Seal) -> None:
        s, p = self.s, self.s.palette
        f = min(1.0, seal.t / 0.35)
        scale = 2.2 - 1.2 * (1 - (1 - f) ** 3)
        alpha = 255 if seal.t < SEAL_S + 0.6 else max(0, round(255 * (1 - (seal.t - SEAL_S - 0.6) / 0.6)))
        size = round(260 * scale)
        layer = pygame.Surface((size, size), pygame.SRCALPHA)
        glyphs = s.text.fit(seal.name, round(44 * scale), round(size * 0.7), CREAM, "serif", 14)
        draw_seal(layer, layer.get_rect(), p.fill_primary, glyphs)
        layer.set_alpha(alpha)
        surface.blit(layer, layer.get_rect(center=(960, 470)))
        if f >= 1.0:
            self._chip(surface, s.t("scan.checked_in", name=seal.name, n=seal.steps), (960, 660), 34,
                       (*darken(p.fill_primary, 0.2), min(alpha, 230)))
