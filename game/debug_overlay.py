"""The F3 debug overlay: frame timing, the scene stack, sync, the clock, QA state and the vision engine.

Drawn above every scene when ``services.debug`` is on (F3, ``--debug``, or the admin menu). A scene
that runs the camera shows the detector at work by offering ``vision_debug() -> VisionDebug``: the
overlay prints its state, score and timings and draws the tracked corners over the camera view.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import pygame

from game.scene import SceneStack
from game.ui.layout import LOGICAL_SIZE

if TYPE_CHECKING:
    from game.services import Services

GRAPH_FRAMES = 180
GRAPH_W, GRAPH_H = 540, 110
GREEN, AMBER, RED = (120, 255, 160), (255, 200, 90), (255, 110, 100)
PANEL_W = 760


@dataclass(frozen=True)
class VisionDebug:
    """What a camera scene reports about the detector this frame."""

    state: str  # e.g. "searching", "tracking", "lost"
    score: float | None  # the detection's confidence, 0..1
    detect_ms: float | None  # the last full detection
    track_ms: float | None  # the last tracking update
    corners: Sequence[tuple[float, float]] | None  # the logo's corners in camera pixels
    camera_rect: tuple[float, float, float, float]  # where the camera view is drawn (logical px)
    frame_size: tuple[int, int]  # the camera image's size in pixels
    mirrored: bool = False  # the view is drawn mirrored (a selfie preview)
    source: str = ""  # "synthetic", "camera0", a file name...


class QaStatus(Protocol):
    """What the overlay shows of the QA driver (game/qa/driver.py)."""

    def status_line(self) -> str: ...


class DebugOverlay:
    """Keeps the frame-time history (sampled every frame) and draws the overlay when debug is on."""

    def __init__(self, qa: QaStatus | None = None) -> None:
        self.qa = qa
        self.frame_ms: deque[float] = deque(maxlen=GRAPH_FRAMES)
        self._pending: tuple[int, int] | None = None  # (frame sampled, outbox size)
        self._vision_ms: dict[str, float] = {}  # the last full detection's and tracking update's times
        self._frames = 0

    def sample(self, stats: dict[str, float]) -> None:
        self._frames += 1
        if "frame_ms" in stats:
            self.frame_ms.append(stats["frame_ms"])

    def _outbox(self, services: Services) -> int | None:
        """The sync outbox size, read twice a second (it is a database query)."""
        count = getattr(services.session.store, "pending_count", None)
        if count is None:
            return None
        if self._pending is None or self._frames - self._pending[0] >= 30:
            self._pending = (self._frames, int(count()))
        return self._pending[1]

    def lines(self, services: Services, stack: SceneStack, stats: dict[str, float]) -> list[tuple[str, tuple]]:
        s = services
        ms = list(self.frame_ms)
        worst = max(ms) if ms else 0.0
        fps = stats.get("fps", 0.0)
        out: list[tuple[str, tuple]] = [
            (f"fps {fps:.0f}   frame {stats.get('frame_ms', 0):.1f} ms   worst {worst:.1f} ms of {len(ms)}",
             GREEN if worst < 20 else AMBER if worst < 40 else RED),
            ("stack: " + " > ".join(sc.name for sc in stack.scenes), GREEN),
        ]
        pending = self._outbox(s)
        out.append((f"sync: {s.sync_status()}" + (f"   outbox {pending}" if pending is not None else ""),
                    GREEN if not pending else AMBER))
        out.append((f"player {s.session.player_id}  rev {s.session.revision}   lang {s.lang}", GREEN))
        out.append((f"now {s.session.now().isoformat(timespec='seconds')}", GREEN))
        out.append((f"text cache {s.text.hits}/{s.text.misses}  images {len(s.images)}", GREEN))
        if self.qa is not None:
            out.append((self.qa.status_line(), GREEN))
        vision = vision_of(stack)
        if vision is None:
            out.append(("vision: no camera scene", (150, 150, 150)))
        else:
            score = "-" if vision.score is None else f"{vision.score:.2f}"
            for name, value in (("detect", vision.detect_ms), ("track", vision.track_ms)):
                if value is not None:
                    self._vision_ms[name] = value
            times = "  ".join(f"{name} {v:.1f} ms" for name, v in sorted(self._vision_ms.items()))
            colour = GREEN if vision.state == "tracking" else AMBER
            out.append((f"vision: {vision.state}  score {score}  {times}  {vision.source}".rstrip(), colour))
        return out

    def draw(self, surface: pygame.Surface, services: Services, stack: SceneStack, stats: dict[str, float]) -> None:
        vision = vision_of(stack)
        if vision is not None:
            draw_corners(surface, vision)
        lines = self.lines(services, stack, stats)
        row = 28
        panel = pygame.Surface((PANEL_W, row * len(lines) + GRAPH_H + 36), pygame.SRCALPHA)
        panel.fill((0, 0, 0, 175))
        for i, (line, colour) in enumerate(lines):
            panel.blit(services.text.fit(line, 20, PANEL_W - 24, colour, "sans"), (12, 10 + row * i))
        self._graph(panel, pygame.Rect(12, row * len(lines) + 20, GRAPH_W, GRAPH_H), services)
        surface.blit(panel, (12, LOGICAL_SIZE[1] - panel.get_height() - 12))

    def _graph(self, panel: pygame.Surface, box: pygame.Rect, services: Services) -> None:
        """Frame times as bars, newest on the right; lines at 16.7 ms (60 fps) and 33.3 ms (30 fps)."""
        pygame.draw.rect(panel, (255, 255, 255, 40), box, 1)
        top_ms = 50.0
        bar_w = box.width / GRAPH_FRAMES
        for i, ms in enumerate(self.frame_ms):
            h = min(box.height, box.height * ms / top_ms)
            colour = GREEN if ms < 17.5 else AMBER if ms < 34 else RED
            x = box.right - (len(self.frame_ms) - i) * bar_w
            pygame.draw.rect(panel, colour, pygame.Rect(round(x), round(box.bottom - h), max(1, round(bar_w)), round(h)))
        for ms, label in ((1000 / 60, "60 fps"), (1000 / 30, "30 fps")):
            y = round(box.bottom - box.height * ms / top_ms)
            pygame.draw.line(panel, (255, 255, 255, 110), (box.x, y), (box.right, y), 1)
            panel.blit(services.text.render(label, 16, (220, 220, 220), "sans"), (box.right + 8, y - 10))


def vision_of(stack: SceneStack) -> VisionDebug | None:
    """The vision report of the topmost scene that has a camera."""
    for scene in reversed(stack.scenes):
        report = getattr(scene, "vision_debug", None)
        if callable(report):
            return report()
    return None


def corners_on_screen(v: VisionDebug) -> list[tuple[float, float]]:
    """The tracked corners mapped from camera pixels into the camera view on screen."""
    if not v.corners:
        return []
    x, y, w, h = v.camera_rect
    fw, fh = v.frame_size
    out = []
    for cx, cy in v.corners:
        u = (fw - cx) if v.mirrored else cx
        out.append((x + u * w / fw, y + cy * h / fh))
    return out


def draw_corners(surface: pygame.Surface, v: VisionDebug) -> None:
    x, y, w, h = v.camera_rect
    pygame.draw.rect(surface, (120, 255, 160), pygame.Rect(round(x), round(y), round(w), round(h)), 2)
    points = corners_on_screen(v)
    if len(points) >= 3:
        colour = GREEN if v.state == "tracking" else AMBER
        pygame.draw.polygon(surface, colour, points, 4)
        for i, p in enumerate(points):
            pygame.draw.circle(surface, colour, (round(p[0]), round(p[1])), 9 if i == 0 else 6)
