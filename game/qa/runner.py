"""Plays a ``Scenario`` through the real input boundary: each step becomes Actions at frame numbers.

Taps are a press and, one frame later, a release at the target's position, as a finger makes them.
A step that waits for the screen (a tap whose target is not shown yet) waits up to
``TAP_TIMEOUT_FRAMES``; a tap on a landmark off screen first taps the minimap to bring it into view.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pygame

from game.actions import Action, Kind
from game.input import HELD
from game.qa.script import (
    Camera,
    Expect,
    IdleSeconds,
    Key,
    Scenario,
    Screenshot,
    SetClock,
    Step,
    Tap,
    WaitFrames,
)
from game.qa.targets import reveal_point, targets_of

if TYPE_CHECKING:
    from game.app import App
    from game.qa.clock import FrameClock
    from game.services import Services

log = logging.getLogger(__name__)
TAP_TIMEOUT_FRAMES = 180  # a target may take this long to appear (a transition, the map settling)
SETTLE_FRAMES = 1  # frames after a tap or key before the next step looks at the screen
IDLE_DT = 1.0  # an idle second is one frame of one second: kiosk timers see the time pass


@dataclass
class _Doing:
    """The step in progress and its little state machine."""

    index: int  # 0-based into scenario.steps
    started: int  # frame the step started on
    phase: str = "start"
    pos: tuple[float, float] | None = None
    left: float = 0.0  # frames (wait) or seconds (idle) still to go
    revealed: bool = False


class ScriptRunner:
    def __init__(self, scenario: Scenario, services: Callable[[], Services], shots_dir: Path, clock: FrameClock,
                 camera: Callable[[int, str], None]) -> None:
        self.scenario = scenario
        self.services = services
        self.shots_dir = shots_dir
        self.clock = clock
        self.camera = camera
        self.doing: _Doing | None = _Doing(0, 0) if scenario.steps else None
        self.failure: str | None = None
        self.screenshots: list[Path] = []
        self.report: list[dict[str, object]] = []  # per screenshot: its checks, written beside the PNGs
        self._shot_pending: str | None = None
        self._drawn_top: object = None  # the screen on top when the last frame was drawn

    @property
    def done(self) -> bool:
        return self.doing is None

    @property
    def step_number(self) -> int:
        return self.doing.index + 1 if self.doing is not None else len(self.scenario.steps)

    def fail(self, problem: str) -> None:
        self.failure = str(self.scenario.error(self.step_number, problem))
        self.doing = None

    def _next(self, frame: int) -> None:
        assert self.doing is not None
        i = self.doing.index + 1
        self.doing = _Doing(i, frame) if i < len(self.scenario.steps) else None

    def frame_dt(self, dt: float, camera_open: bool = False) -> float:
        """Idle time passes a second per frame, except in front of a camera: the scan screen takes one
        camera frame per update, so its idle seconds run at the normal step (slower, but exact)."""
        d = self.doing
        if d is not None and isinstance(self.scenario.steps[d.index], IdleSeconds) and d.phase == "idle":
            return min(dt if camera_open else IDLE_DT, d.left)
        return dt

    def frame_input(self, app: App) -> list[Action]:
        """Actions for this frame; runs every step that takes no time until one that does."""
        out: list[Action] = []
        for _ in range(10_000):  # bounded: every instant step advances
            d = self.doing
            if d is None or self._shot_pending is not None:
                return out
            step = self.scenario.steps[d.index]
            if self._advance(app, d, step, out):
                return out
        return out

    def _advance(self, app: App, d: _Doing, step: Step, out: list[Action]) -> bool:
        """Move ``step`` on; True when this frame is used up."""
        frame = app.frame
        match step:
            case Tap(target):
                return self._tap(app, d, target, out)
            case Key(_, kind):
                if d.phase == "start":
                    out.append(Action(kind))
                    d.phase, d.left = ("release" if kind in HELD else "settle"), SETTLE_FRAMES
                    return True
                if d.phase == "release":
                    out.append(Action(kind, pressed=False))
                    d.phase = "settle"
                    return True
                return self._settle(d, frame)
            case WaitFrames(n):
                if d.phase == "start":
                    d.phase, d.left = "wait", n
                if d.left <= 0:
                    self._next(frame)
                    return False
                d.left -= 1
                return True
            case IdleSeconds(seconds):
                if d.phase == "start":
                    d.phase, d.left = "idle", seconds
                    return self._advance(app, d, step, out)
                if d.left <= 1e-9:
                    self._next(frame)
                    return False
                return True
            case Camera(subject):
                self.camera(frame, subject)
            case SetClock(when):
                self.clock.set(frame, when)
            case Screenshot(name):
                self._shot_pending = name
                return True
            case Expect(checks):
                problem = self._check(app, checks)
                if problem is not None:
                    self.fail(problem)
                    return True
        self._next(frame)
        return False

    def _settle(self, d: _Doing, frame: int) -> bool:
        if d.left > 0:
            d.left -= 1
            return True
        self._next(frame)
        return False

    def _tap(self, app: App, d: _Doing, target: str, out: list[Action]) -> bool:
        if d.phase in ("release", "reveal-release"):
            out.append(Action(Kind.POINTER_UP, pos=d.pos))
            d.phase, d.left = ("settle" if d.phase == "release" else "reveal-settle"), SETTLE_FRAMES
            return True
        if d.phase == "settle":
            return self._settle(d, app.frame)
        if d.phase == "reveal-settle" and d.left > 0:
            d.left -= 1
            return True
        top = app.stack.top
        if top is not self._drawn_top:  # a tap aims at what is on screen: wait for the new screen's first frame
            d.phase = "find"
            return True
        offered = targets_of(top)
        if target in offered:
            d.pos = offered[target]
            out.append(Action(Kind.POINTER_DOWN, pos=d.pos))
            d.phase = "release"
            return True
        answers = sorted(name.split(":", 1)[1] for name in offered if name.startswith("answer:"))
        if target.startswith("answer:") and answers:
            self.fail(f"bad answer letter {target.split(':', 1)[1]!r}: this quiz has answers {', '.join(answers)}")
            return True
        reveal = reveal_point(top, target) if not d.revealed else None
        if reveal is not None:
            d.pos, d.revealed = reveal, True
            out.append(Action(Kind.POINTER_DOWN, pos=reveal))
            d.phase = "reveal-release"
            return True
        if app.frame - d.started >= TAP_TIMEOUT_FRAMES:
            name = top.name if top is not None else "no"
            self.fail(f"tap {target!r}: the {name} screen offers no such target after {TAP_TIMEOUT_FRAMES} frames "
                      f"(it offers: {', '.join(sorted(offered)) or 'nothing'})")
            return True
        d.phase = "find"
        return True

    def _check(self, app: App, checks: dict[str, object]) -> str | None:
        actual = self.observe(app)
        for key, want in checks.items():
            got = actual[key]
            same = sorted(got) == sorted(want) if key == "checked_in_today" else got == want  # type: ignore[arg-type]
            if not same:
                return f"expect {key}: expected {want!r}, got {got!r}"
        return None

    def observe(self, app: App) -> dict[str, object]:
        """The visible state ``expect`` can check."""
        s = self.services()
        summary = s.session.summary()
        top = app.stack.top
        return {
            "scene": top.name if top is not None else "",
            "stack": [scene.name for scene in app.stack.scenes],
            "month_steps": summary.month_steps,
            "total_steps": summary.total_steps,
            "checked_in_today": sorted(summary.checked_in_today),
            "album_count": len(s.session.progress.collectibles),
            "language": s.lang,
        }

    def write_report(self) -> Path:
        """``report.json`` beside the screenshots: the result so far and each screenshot's checks."""
        path = self.shots_dir / "report.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        result = "failed" if self.failure else "passed" if self.done else "running"
        path.write_text(json.dumps({"scenario": self.scenario.file, "title": self.scenario.title, "result": result,
                                    "failure": self.failure, "shots": self.report}, ensure_ascii=False, indent=1),
                        encoding="utf-8")
        return path

    def spent(self, dt: float) -> None:
        """The frame ran with ``dt``: an idle step counts it off."""
        d = self.doing
        if d is not None and isinstance(self.scenario.steps[d.index], IdleSeconds) and d.phase == "idle":
            d.left -= dt

    def frame_drawn(self, app: App, screen: pygame.Surface) -> None:
        self._drawn_top = app.stack.top
        if self._shot_pending is None:
            return
        path = self.shots_dir / f"{self._shot_pending}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(screen, str(path))
        from game.qa.checks import content_problems, missing_glyphs, pixels  # NumPy: only for screenshots

        log.info("scenario screenshot", extra={"path": str(path), "step": self.step_number})
        self.screenshots.append(path)
        self.report.append({
            "name": self._shot_pending, "file": path.name, "step": self.step_number, **self.observe(app),
            "content_problems": content_problems(pixels(screen)),
            "missing_glyphs": sorted(missing_glyphs(self.services().text)),
        })
        self.write_report()
        self._shot_pending = None
        self._next(app.frame)
