"""The main loop: the only place that pumps SDL. Input -> scene stack -> fixed-step update -> draw."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pygame

from game.actions import Action, Kind
from game.clock import FixedStep, clamp_dt
from game.input import InputMapper
from game.scene import Scene, SceneStack
from game.ui.layout import LOGICAL_SIZE, Layout
from game.window import AppWindow

log = logging.getLogger(__name__)

TIMING_KEEP = 7200  # per-frame timings kept (two minutes at 60 fps): a kiosk runs for weeks


class Recent(list):
    """A list that keeps only its last ``keep`` items (trimmed in chunks, so appends stay O(1) amortised).
    Slicing and iteration work as on a list; benches read it after short runs."""

    def __init__(self, keep: int = TIMING_KEEP) -> None:
        super().__init__()
        self.keep = keep

    def append(self, item: object) -> None:
        super().append(item)
        if len(self) > 2 * self.keep:
            del self[: len(self) - self.keep]


@dataclass
class RunOptions:
    window: tuple[int, int] | None  # None = fullscreen
    headless: bool = False
    frames: int | None = None
    screenshot: Path | None = None
    screenshot_dir: Path | None = None
    fps: int = 60
    title: str = "Cloud Tour"
    script: list[tuple[int, Action]] = field(default_factory=list)  # (frame, action) for QA runs
    kiosk: bool = False  # no keyboard way out (Ctrl+Q), keyboard grabbed, screensaver off
    cursor: bool = True  # show the mouse cursor (off on kiosk touch screens)


class FrameDriver(Protocol):
    """A hook into every frame (QA: scripts, recording, replay, the frame clock); see game/qa/."""

    deterministic: bool  # fixed time step, whatever the display does

    def frame_dt(self, app: App, dt: float) -> float: ...  # the dt this frame runs with
    def frame_input(self, app: App, actions: list[Action]) -> list[Action]: ...  # the actions it gets
    def frame_drawn(self, app: App, screen: pygame.Surface) -> None: ...  # after the overlay, before flip
    def exit_code(self) -> int: ...


class App:
    """Runs scenes. ``build_root(screen)`` is called once the display exists and returns the first scenes."""

    def __init__(
        self,
        options: RunOptions,
        build_root: Callable[[], Iterable[Scene]],
        on_frame: Callable[[float], None] | None = None,
        on_global: Callable[[Action], bool] | None = None,
        overlay: Callable[[pygame.Surface, dict[str, float]], None] | None = None,
        on_first_frame: Callable[[], None] | None = None,
        input_filter: Callable[[list[Action]], list[Action]] | None = None,
        driver: FrameDriver | None = None,
    ) -> None:
        self.options = options
        self.build_root = build_root
        self.on_frame = on_frame  # per-frame hook for services (notices, sync polling)
        self.on_global = on_global  # unconsumed actions (language toggle, debug ...)
        self.overlay = overlay  # drawn above all scenes (notices, debug HUD)
        self.on_first_frame = on_first_frame
        self.input_filter = input_filter  # the kiosk shell: which of this frame's actions the scenes see
        self.driver = driver
        self.stack = SceneStack()
        self.frame = 0
        # The last TIMING_KEEP frames only (Recent): the lists must not grow for as long as a kiosk runs.
        self.frame_times: list[float] = Recent()  # wall seconds per frame, present included
        self.frame_cpu: list[float] = Recent()  # this thread's CPU seconds per frame (what other processes cannot inflate)
        self.work_times: list[float] = Recent()  # wall seconds per frame without the pacing sleep (the frame's own cost)
        self.present_times: list[float] = Recent()  # wall seconds of showing the frame (scaling into a window, flip)
        self.present_cpu: list[float] = Recent()  # and its CPU seconds
        self.recent_actions: deque[tuple[int, str]] = deque(maxlen=40)  # (frame, kind) for the crash log
        self.first_frame_at: float | None = None
        self.screen: pygame.Surface | None = None
        self.frame_had_input = False

    def _layout(self) -> Layout:
        size = LOGICAL_SIZE if self.options.headless else pygame.display.get_window_size()
        return Layout(tuple(size))  # type: ignore[arg-type]

    def save_screenshot(self, path: Path) -> Path:
        assert self.screen is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(self.screen, str(path))
        log.info("screenshot written", extra={"path": str(path)})
        return path

    def run(self) -> int:
        """Run until quit (or ``frames``). An uncaught error is logged with the scene stack and the last
        actions, and raised again (main.py then exits with status 70 and the supervisor restarts the kiosk)."""
        try:
            return self._run()
        except Exception:
            log.critical(
                "uncaught error in the frame loop",
                exc_info=True,
                extra={"scenes": [s.name for s in self.stack.scenes], "frame": self.frame,
                       "last_actions": [f"{f}:{k}" for f, k in self.recent_actions]},
            )
            raise

    def _run(self) -> int:
        started = time.perf_counter()
        window = AppWindow(self.options.window, self.options.title)
        self.screen = window.canvas
        if self.options.kiosk and not self.options.headless:
            pygame.event.set_keyboard_grab(True)  # Alt+Tab and the like stay with us where SDL can grab them
        pygame.mouse.set_visible(self.options.cursor)
        for scene in self.build_root():
            self.stack.push(scene)
        mapper = InputMapper(self._layout(), mouse_is_logical=window.mouse_is_logical, kiosk=self.options.kiosk)
        clock = pygame.time.Clock()
        fixed = FixedStep()
        script = sorted(self.options.script, key=lambda item: item[0])
        stats: dict[str, float] = {}
        # Headless and scripted runs use a fixed dt so the same seed and script give the same frames.
        deterministic = self.options.headless or bool(script) or (self.driver is not None and self.driver.deterministic)
        while not self.stack.quit_requested and len(self.stack):
            frame_start, cpu_start = time.perf_counter(), time.thread_time()
            raw_dt = clock.tick(0 if deterministic else self.options.fps) / 1000.0
            work_start = time.perf_counter()
            dt = fixed.step if deterministic else clamp_dt(raw_dt)
            actions: list[Action] = []
            for event in pygame.event.get():
                actions.extend(mapper.translate(event))
            while script and script[0][0] <= self.frame:
                actions.append(script.pop(0)[1])
            if self.driver is not None:
                dt = self.driver.frame_dt(self, dt)
                actions = self.driver.frame_input(self, actions)
            self.frame_had_input = bool(actions)
            self.recent_actions.extend((self.frame, a.kind.value) for a in actions if a.kind is not Kind.POINTER_MOVE)
            if self.input_filter is not None:
                actions = self.input_filter(actions)
            for action in actions:
                if action.kind is Kind.QUIT:
                    self.stack.quit_requested = True
                elif action.kind is Kind.WINDOW_RESIZED:
                    mapper.layout = self._layout()
                elif action.kind is Kind.SCREENSHOT and self.options.screenshot_dir:
                    self.save_screenshot(self.options.screenshot_dir / f"shot-{int(time.time())}-{self.frame}.png")
                elif not self.stack.dispatch(action) and self.on_global is not None:
                    self.on_global(action)
                self.stack.process_requests()
            for _ in range(fixed.advance(dt)):
                self.stack.update(fixed.step)
                self.stack.process_requests()
            if self.on_frame is not None:
                self.on_frame(dt)
            self.stack.draw(self.screen)
            if self.overlay is not None:
                stats["fps"] = clock.get_fps()
                self.overlay(self.screen, stats)
            if self.driver is not None:
                self.driver.frame_drawn(self, self.screen)
            present_start, present_cpu = time.perf_counter(), time.thread_time()
            window.present()
            now = time.perf_counter()
            self.present_cpu.append(time.thread_time() - present_cpu)
            elapsed = now - frame_start
            self.frame_times.append(elapsed)
            self.work_times.append(now - work_start)
            self.present_times.append(now - present_start)
            self.frame_cpu.append(time.thread_time() - cpu_start)
            stats["frame_ms"] = elapsed * 1000
            if self.first_frame_at is None:
                self.first_frame_at = time.perf_counter() - started
                log.info("first frame", extra={"seconds": round(self.first_frame_at, 3),
                                               "scenes": [sc.name for sc in self.stack.scenes]})
                if self.on_first_frame is not None:
                    self.on_first_frame()
            self.frame += 1
            if self.options.frames is not None and self.frame >= self.options.frames:
                break
        if self.options.screenshot is not None:
            self.save_screenshot(self.options.screenshot)
        while len(self.stack):
            self.stack.pop()
        return 0 if self.driver is None else self.driver.exit_code()
