"""The App's QA hook: the frame clock, the always-on recorder, ``--record``, ``--replay``, ``--script``, bug bundles.

Every run is recorded in memory (the input actions, each frame's dt, clock jumps, camera changes), so
that F12 or a crash can write a bug bundle whose recording replays the run up to that point.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
import sys
import tempfile
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pygame

from game.actions import Action, Kind
from game.config import Config, parse_args
from game.qa.bundle import write_bundle
from game.qa.clock import FrameClock
from game.qa.recording import Recording, RecordingError
from game.qa.runner import ScriptRunner
from game.qa.script import ScriptError, load_scenario

if TYPE_CHECKING:
    from game.app import App
    from game.jobs import Job
    from game.qa.camera import ScriptedCamera
    from game.qa.vision import CameraLog
    from game.rules.content import Campaign
    from game.scan.targets import TargetIndex
    from game.scan.worker import VisionWorker
    from game.services import Services
    from game.vision import FrameSource, MarkerTracker

log = logging.getLogger(__name__)
DEFAULT_SEED = 2027  # bootstrap's default; a recording always names its seed
# flags that say how to run this run, not what the run was: dropped from a recording's command line
RUN_FLAGS_WITH_VALUE = ("--record", "--replay", "--script", "--data-dir", "--screenshot", "--frames")
RUN_FLAGS = ("--headless",)
# The in-memory recording of a long run starts afresh (from the database and clock as they are then) when
# a kiosk returns to a new attract screen after this many frames, so a kiosk left on for days stays small.
RESTART_FRAMES = 36_000


class QaSetupError(Exception):
    """A QA flag that cannot be honoured; ``str()`` is one line (exit 2)."""


def recorded_argv(argv: list[str], seed: int) -> list[str]:
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        name = arg.split("=", 1)[0]
        if name in RUN_FLAGS_WITH_VALUE:
            skip = "=" not in arg
            continue
        if name in RUN_FLAGS or name == "--seed":
            skip = name == "--seed" and "=" not in arg
            continue
        out.append(arg)
    return [*out, "--seed", str(seed)]


def without_camera(argv: list[str]) -> list[str]:
    """The command line without ``--camera``: a video file named there may be gone by the replay."""
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg.split("=", 1)[0] == "--camera":
            skip = "=" not in arg
        else:
            out.append(arg)
    return out


def snapshot_db(path: Path) -> bytes | None:
    """The SQLite database's bytes (consistent even while another connection has it open); a file
    SQLite cannot read is kept as it is, so a replay meets the same damaged file."""
    if not path.is_file():
        return None
    try:
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            mem = sqlite3.connect(":memory:")
            src.backup(mem)
            data = mem.serialize()
            mem.close()
            return data
        finally:
            src.close()
    except sqlite3.Error:
        return path.read_bytes()


def restore_db(data: bytes, path: Path) -> None:
    try:
        mem = sqlite3.connect(":memory:")
        mem.deserialize(data)
        out = sqlite3.connect(path)
        mem.backup(out)
        out.close()
        mem.close()
    except sqlite3.Error:
        path.unlink(missing_ok=True)
        path.write_bytes(data)


class ArtGate:
    """The scroll painting, as the scenes see it: ready from a frame on, the same frame in a replay."""

    def __init__(self, job: Job, driver: QaDriver) -> None:
        self.job = job
        self.driver = driver
        self.name = job.name

    @property
    def ready(self) -> bool:
        return self.driver.art_open

    def start(self) -> None:
        self.job.start()

    def result(self, timeout: float | None = None) -> object:
        """Scripted, headless and replayed runs wait for the painting however long a loaded machine takes:
        the frame it became ready on is part of the run."""
        return self.job.result(timeout=None if self.driver.deterministic else timeout)

    def wait(self, timeout: float | None = None) -> bool:
        return self.job.wait(timeout)

    def __getattr__(self, name: str) -> object:  # anything else a Job has
        return getattr(self.job, name)


class QaDriver:
    """Implements game.app.FrameDriver for every run (see the module docstring)."""

    def __init__(self, config: Config, argv: list[str], replay: Recording | None = None) -> None:
        self.config = config
        self.replay = replay
        self.deterministic = config.headless or config.script is not None or replay is not None
        seed = config.seed if config.seed is not None else DEFAULT_SEED
        if replay is not None:
            self.clock = FrameClock(None, replay.clock_start)
            self.recorded_headless = replay.headless
        else:
            start = config.now or datetime.now(UTC)
            source = None if self.deterministic else _live_clock(config.now)
            self.clock = FrameClock(source, start)
            self.recorded_headless = config.headless
        self.recording = Recording(
            argv=replay.argv if replay is not None else recorded_argv(argv, seed), seed=seed,
            clock_start=self.clock.now(), headless=self.recorded_headless,
            progress_db=snapshot_db(config.data_dir / "progress.db"),
        )
        self.services: Callable[[], Services] | None = None
        self.runner: ScriptRunner | None = None
        self.camera_subject = "logo"  # what the scripted camera shows (the demo camera shows the logo)
        self.camera: ScriptedCamera | None = None
        self.art_job: Job | None = None
        self.art_open = False
        self._bundle_reason: str | None = None
        self._reported: str | None = None
        self._replay_dts = replay.frame_dts() if replay is not None else []
        self._grouped: dict[int, dict[int, list[object]]] = {}
        self._replay_actions = self._per_frame(replay.actions) if replay is not None else {}
        self.bundles: list[Path] = []
        self.base_frame = 0  # the game frame the recording's frame 0 is
        self.frame_now = 0  # the recording's frame being run
        self.camera_log: CameraLog | None = None  # --record with a live camera: its frames (game/qa/vision.py)
        self._openings = 0  # camera openings so far (a replay plays the recorded ones in turn)

    # set-up ----------------------------------------------------------------------------------------
    @classmethod
    def for_run(cls, config: Config, argv: list[str]) -> QaDriver:
        """The driver for this command line; for ``--replay``, with the recorded run's config."""
        if config.replay is None:
            if config.record is not None and config.record.is_dir():
                raise QaSetupError(f"--record: {config.record} is a folder; give a file path")
            return cls(config, argv)
        try:
            rec = Recording.load(config.replay)
        except RecordingError as err:
            raise QaSetupError(f"--replay {config.replay}: {err}") from None
        given = any(a.split("=", 1)[0] == "--data-dir" for a in argv)
        data_dir = config.data_dir if given else Path(tempfile.mkdtemp(prefix="cloud-tour-replay-"))
        if (data_dir / "progress.db").exists():
            raise QaSetupError(f"--replay: {data_dir} already holds progress; give an empty --data-dir")
        try:
            base = parse_args(without_camera(rec.argv))  # a replay shows the recorded frames or the scripted camera
        except SystemExit:
            raise QaSetupError(f"--replay {config.replay}: its command line no longer parses: {rec.argv}") from None
        replayed = dataclasses.replace(
            base, data_dir=data_dir, headless=config.headless, window=config.window, frames=config.frames,
            screenshot=config.screenshot, debug=config.debug or base.debug, server="offline",
            record=config.record, replay=config.replay, script=None,
        )
        data_dir.mkdir(parents=True, exist_ok=True)
        if rec.progress_db is not None:
            restore_db(rec.progress_db, data_dir / "progress.db")
        log.info("replaying", extra={"file": str(config.replay), "frames": rec.frames, "data_dir": str(data_dir)})
        return cls(replayed, argv, rec)

    def load_script(self, campaign: Campaign, services: Callable[[], Services]) -> None:
        """Check the scenario against the campaign before the first frame (ScriptError if broken)."""
        self.services = services
        if self.config.script is None:
            return
        scenario = load_scenario(self.config.script, campaign)
        if scenario.lang is not None:  # the scenario fixes its start language (and so does its recording)
            self.config = dataclasses.replace(self.config, lang=scenario.lang)
            self.recording.argv += ["--lang", scenario.lang]
        shots = self.config.data_dir / "screenshots"
        self.runner = ScriptRunner(scenario, services, shots, self.clock, self.set_camera)

    def gate(self, job: Job) -> ArtGate:
        self.art_job = job
        return ArtGate(job, self)

    @property
    def unroll(self) -> bool:
        """The map's unrolling animation: on in windowed runs, and in replays of them."""
        return not self.recorded_headless

    def set_camera(self, frame: int, subject: str) -> None:
        """``frame``: the recording's frame (a replay's) or the game frame (a script's)."""
        self.camera_subject = subject
        self.recording.camera.append((frame if self.replay is not None else frame - self.base_frame, subject))
        if self.camera is not None:
            self.camera.show(subject)

    @property
    def scripts_camera(self) -> bool:
        """Replays (the recorded frames, else the scripted camera), and scripted and headless runs unless a
        device or file was named, open the camera through ``camera_opener``."""
        return self.replay is not None or (self.deterministic and self.config.camera in ("auto", "synthetic", "none"))

    def camera_opener(self, campaign: Campaign, campaign_dir: Path) -> Callable[[], object]:
        """What the scan screen calls to open its camera in scripted runs and replays (game/scan/build.py):
        a replay's recorded camera openings in turn, else the scripted camera."""
        def opened() -> object:
            from game.qa.vision import ReplaySource
            from game.scan.camera import OpenedCamera

            self._openings += 1
            recorded = self.replay.camera_frames if self.replay is not None else []
            if self._openings <= len(recorded):
                opening = recorded[self._openings - 1]
                return OpenedCamera(ReplaySource(opening), synthetic=opening.synthetic)
            return OpenedCamera(self.open_camera(campaign, campaign_dir), synthetic=True)
        return opened

    def vision_worker(self, source: FrameSource, tracker: MarkerTracker, display_size: tuple[int, int],
                      posters: TargetIndex | None) -> VisionWorker:
        """The scan screen's vision worker (game/scan/build.py; see game/qa/vision.py): synchronous over the
        scripted camera, fed the recorded frames in a replay, logging the frames with ``--record``."""
        from game.qa import vision
        from game.qa.camera import ScriptedCamera

        if isinstance(source, vision.ReplaySource):
            assert self.replay is not None
            opening = self.replay.camera_frames[self._openings - 1]
            return vision.ReplayVisionWorker(source, tracker, display_size, posters, opening, self.replay.folder,
                                             lambda: self.frame_now)
        if isinstance(source, ScriptedCamera):
            return vision.SyncVisionWorker(source, tracker, display_size, posters)
        if self.config.record is not None and self.replay is None:
            if self.camera_log is None:
                self.camera_log = vision.CameraLog(camera_folder(self.config.record), lambda: self.frame_now)
            return vision.RecordingVisionWorker(source, tracker, display_size, posters, self.camera_log)
        return vision.VisionWorker(source, tracker, display_size, posters)

    def open_camera(self, campaign: Campaign, campaign_dir: Path, mirror: bool = False) -> ScriptedCamera:
        """A scripted camera for a screen that opens the camera now (each opening gets a fresh one)."""
        from game.qa.camera import ScriptedCamera  # OpenCV: not on the cold start's path

        images: dict[str, object] = {}

        def image(subject: str) -> object:
            if subject not in images:
                images[subject] = _subject_image(campaign, campaign_dir, subject)
            return images[subject]

        self.camera = ScriptedCamera(image, self.camera_subject, seed=self.recording.seed, mirror=mirror).start()  # type: ignore[arg-type]
        return self.camera

    def _per_frame(self, events: list) -> dict[int, list]:  # type: ignore[type-arg]
        """A recording's (frame, value) list grouped by frame, built once per list."""
        grouped = self._grouped.get(id(events))
        if grouped is None:
            grouped = {}
            for frame, value in events:
                grouped.setdefault(frame, []).append(value)
            self._grouped[id(events)] = grouped
        return grouped

    # FrameDriver -------------------------------------------------------------------------------------
    def frame_dt(self, app: App, dt: float) -> float:
        frame = self.frame_now = app.frame - self.base_frame
        if frame == 0 and self.replay is not None and self.replay.rng_state is not None and self.services:
            version, state, gauss = self.replay.rng_state
            self.services().rng.setstate((version, tuple(state), gauss))  # type: ignore[arg-type]
        if self.replay is not None:
            dt = self._replay_dts[frame] if frame < len(self._replay_dts) else dt
        elif self.runner is not None:
            dt = self.runner.frame_dt(dt, any(hasattr(sc, "vision_debug") for sc in app.stack.scenes))
            self.runner.spent(dt)
        self.clock.tick(app.frame, dt)
        if self.replay is not None:
            for when in self._per_frame(self.replay.clock).get(frame, ()):
                self.clock.set(app.frame, when)
            for subject in self._per_frame(self.replay.camera).get(frame, ()):
                self.set_camera(frame, subject)
            self.art_open = self.replay.art_ready is not None and frame >= self.replay.art_ready
        elif not self.art_open and self.art_job is not None and self.art_job.ready:
            self.art_open = True
        if self.art_open and self.recording.art_ready is None:
            self.recording.art_ready = frame
        if self.camera is not None:
            self.camera.advance(frame)
        self.recording.add_frame(dt)
        return dt

    def frame_input(self, app: App, actions: list[Action]) -> list[Action]:
        if self.replay is not None:
            live = [a for a in actions if a.kind in (Kind.QUIT, Kind.SCREENSHOT)]  # closing the window, F12
            actions = self._replay_actions.get(app.frame, []) + live
        elif self.runner is not None:
            actions = actions + self.runner.frame_input(app)
        if any(a.kind is Kind.SCREENSHOT for a in actions):
            self._bundle_reason = "report"
        self.recording.actions.extend((app.frame - self.base_frame, a) for a in actions
                                      if a.kind not in (Kind.SCREENSHOT, Kind.WINDOW_RESIZED, Kind.QUIT))
        return actions

    def frame_drawn(self, app: App, screen: pygame.Surface) -> None:
        if self.runner is not None:
            self.runner.frame_drawn(app, screen)
            if self.runner.done:
                app.stack.quit_requested = True
        if self._bundle_reason is not None:
            self.write_bundle(app, self._bundle_reason)
            self._bundle_reason = None
        if self.replay is not None and app.frame + 1 >= self.replay.frames:
            app.stack.quit_requested = True
        self._maybe_restart(app)

    def _maybe_restart(self, app: App) -> None:
        """Start the in-memory recording afresh on a kiosk's new attract screen (see RESTART_FRAMES)."""
        top = app.stack.top
        if (self.replay is not None or self.config.record is not None
                or self.recording.frames < RESTART_FRAMES or self.services is None or len(app.stack) != 1
                or top is None or top.name != "attract" or getattr(top, "t", None) != 0.0):
            return
        services = self.services()
        version, state, gauss = services.rng.getstate()
        self.base_frame = app.frame + 1
        self.clock.jumps.clear()
        self.recording = Recording(
            argv=[*self.recording.argv, "--scene", "attract", "--lang", services.lang], seed=self.recording.seed,
            clock_start=self.clock.now(), headless=self.recorded_headless,
            progress_db=snapshot_db(self.config.data_dir / "progress.db"), rng_state=[version, list(state), gauss],
        )
        if self.camera_subject != "logo":
            self.recording.camera.append((0, self.camera_subject))
        log.info("recording restarted on a new attract screen", extra={"frame": self.base_frame})

    def exit_code(self) -> int:
        self.recording.end = "quit"
        self._save_record()
        if self.runner is None:
            return 0
        if self.runner.failure is None and not self.runner.done:
            self.runner.fail(f"the run stopped (--frames {self.config.frames}) before this step finished")
        self.runner.write_report()
        if self.runner.failure is not None:
            self._report(self.runner.failure)
            return 1
        return 0

    def status_line(self) -> str:
        """For the debug overlay: what QA is doing with this run."""
        frame = self.recording.frames
        if self.replay is not None:
            return f"qa: replaying {frame}/{self.replay.frames}   camera {self.camera_subject}"
        if self.runner is not None:
            total = len(self.runner.scenario.steps)
            return f"qa: {Path(self.runner.scenario.file).name} step {self.runner.step_number}/{total}   frame {frame}"
        where = f" -> {self.config.record}" if self.config.record is not None else " (F12 writes a bug bundle)"
        return f"qa: recording frame {frame}{where}"

    # bug reports -------------------------------------------------------------------------------------
    def crashed(self, app: App | None, error: BaseException) -> Path | None:
        """Write the crash's bug bundle (called by main.py with the exception in flight)."""
        self.recording.end = "crash"
        self.recording.crash = "".join(traceback.format_exception(error))
        self._save_record()
        try:
            return self.write_bundle(app, "crash")
        except Exception:  # the bundle must never hide the crash itself
            log.exception("could not write the bug bundle")
            return None

    def write_bundle(self, app: App | None, reason: str) -> Path:
        if reason != "crash":
            self.recording.end = reason
        screen = app.screen if app is not None else None
        path = write_bundle(self.config.data_dir, reason, self._finish_recording(), screen, self.config.data_dir / "logs")
        self.bundles.append(path)
        log.warning("bug bundle written", extra={"path": str(path), "reason": reason})
        return path

    def _finish_recording(self) -> Recording:
        """The recording as it stands, with the clock's jumps (re-syncs and script steps) and versions; a
        live camera's frames once their files are complete (the end of the run, or a crash)."""
        self.recording.clock = [(j.frame - self.base_frame, j.at) for j in self.clock.jumps]
        self.recording.versions = self.recording.versions or _versions()
        log_done = self.camera_log is not None and self.camera_log.closed
        self.recording.camera_frames = list(self.camera_log.openings) if log_done else []  # type: ignore[union-attr]
        return self.recording

    def _save_record(self) -> None:
        if self.config.record is not None:
            if self.camera_log is not None:
                self.camera_log.close()
            self._finish_recording()
            if self.replay is not None:  # a replay recorded again: the same camera frames, where they are
                self.recording.camera_frames, self.recording.folder = self.replay.camera_frames, self.replay.folder
            else:
                self.recording.folder = self.config.record.parent
            self.recording.save(self.config.record)

    def _report(self, line: str) -> None:
        if self._reported != line:
            print(line, file=sys.stderr, flush=True)
            self._reported = line


def camera_folder(record: Path) -> Path:
    """Where ``--record FILE`` puts a live camera's frames: ``FILE`` without its suffix, plus ``.camera``."""
    return record.with_name(record.stem + ".camera")


def _subject_image(campaign: Campaign, campaign_dir: Path, subject: str) -> object:
    """The picture a camera subject holds up: the logo, or a landmark's poster (None if it has none)."""
    import cv2

    if subject == "logo":
        name: str | None = campaign.brand.logo
    else:
        landmark = campaign.landmark(subject.split(":", 1)[1])
        name = getattr(landmark, "poster", None) if landmark is not None else None
    return cv2.imread(str(campaign_dir / name), cv2.IMREAD_COLOR) if name else None


def _live_clock(now: datetime | None) -> Callable[[], datetime]:
    from game.bootstrap import make_clock

    return make_clock(now)


def _versions() -> dict[str, object]:
    try:
        from bench.machine import machine_info

        return machine_info()
    except ImportError:  # a packaged client without the bench folder
        import platform

        return {"python": platform.python_version(), "pygame_ce": pygame.version.ver}


__all__ = ["QaDriver", "QaSetupError", "ScriptError"]
