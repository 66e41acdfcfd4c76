"""Client configuration and its command line. Parsing is pure: argv in, Config out."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from platformdirs import user_data_dir

APP_NAME = "cloud-tour"
SCENES = ("attract", "map", "map:<landmark-id>", "card:<landmark-id>", "rewards", "album", "scan", "scan:<landmark-id>",
          "share:<collectible-id>")
SCENE_RE = re.compile(r"^(attract|map|rewards|album|scan|(map|card|share|scan):[a-z0-9][a-z0-9_-]*)$")


@dataclass(frozen=True)
class Config:
    campaign: str
    lang: str
    window: tuple[int, int] | None  # None = fullscreen
    camera: str
    server: str  # "embedded" | "offline" | URL
    data_dir: Path
    seed: int | None
    headless: bool
    frames: int | None
    screenshot: Path | None
    scene: str
    now: datetime | None  # QA time travel; None = the real clock
    device_landmark: str | None
    kiosk: bool
    debug: bool
    check_campaign: str | None
    enroll_code: str | None
    # kiosk operation (from --config FILE; see game/kiosk/settings.py for each key)
    event: bool = False
    config_path: Path | None = None
    idle_seconds: float = 60.0
    countdown_seconds: float = 10.0
    handoff_seconds: float = 30.0
    camera_mirror: bool = True
    camera_size: tuple[int, int] = (1280, 720)
    public_url: str | None = None  # base of the hand-off claim link (default: the server URL)
    pin_hash: str | None = None
    cursor: bool = True
    text_size: str = "normal"  # normal | large (game/ui/display.py)
    ui_scale: float = 1.0
    volume: float = 0.8
    mute: bool = False
    hang_seconds: float = 30.0  # kiosk frame-loop watchdog (game/kiosk/watchdog.py: HangWatchdog)
    record: Path | None = None  # QA: write the run's recording here (docs/qa.md)
    replay: Path | None = None  # QA: play a recording or bug bundle again
    script: Path | None = None  # QA: run a TOML scenario


class UsageError(argparse.ArgumentParser):
    """argparse that exits 2 with ONE line naming the bad flag (plus a hint), as kiosks log it."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _window(value: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{2,5})[xX×](\d{2,5})", value)
    if not m:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT like 1280x720, got {value!r}")
    w, h = int(m[1]), int(m[2])
    if not (320 <= w <= 16384 and 240 <= h <= 16384):
        raise argparse.ArgumentTypeError(f"window {w}x{h} out of range (320x240 .. 16384x16384)")
    return w, h


def _camera(value: str) -> str:
    if value in ("auto", "synthetic", "none") or value.isdigit() or Path(value).is_file():
        return value
    raise argparse.ArgumentTypeError(f"expected auto, synthetic, a device index or an existing file, got {value!r}")


def _server(value: str) -> str:
    if value in ("embedded", "offline") or re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
        return value.rstrip("/")
    raise argparse.ArgumentTypeError(f"expected embedded, offline or an http(s) URL, got {value!r}")


def _scene(value: str) -> str:
    if SCENE_RE.match(value):
        return value
    raise argparse.ArgumentTypeError(f"expected one of {', '.join(SCENES)}, got {value!r}")


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be ≥ 1, got {n}")
    return n


def _seed(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {value!r}") from None


def _now(value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an ISO time like 2027-01-31T23:59+08:00, got {value!r}") from None
    if when.tzinfo is None:
        raise argparse.ArgumentTypeError("the time needs a UTC offset, e.g. +08:00")
    return when


def _ranged(low: float, high: float) -> Callable[[str], float]:
    def parse(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"must be between {low:g} and {high:g}, got {value}")
        return number

    return parse


def _existing(value: str) -> Path:
    if not Path(value).exists():
        raise argparse.ArgumentTypeError(f"no such file: {value!r}")
    return Path(value)


def build_parser() -> argparse.ArgumentParser:
    p = UsageError(prog="main.py", description="Cloud Tour Treasure Hunt client (kiosk / desktop).")
    p.add_argument("--config", type=Path, default=None, metavar="FILE",
                   help="kiosk config (TOML, docs/deploy.md); flags given as well override it")
    p.add_argument("--campaign", default=None, help="campaign pack id under assets/campaigns")
    p.add_argument("--lang", choices=("zh", "en"), default=None, help="starting language (switch live with L)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--windowed", type=_window, metavar="WxH", help="run in a window, e.g. 1280x720")
    mode.add_argument("--fullscreen", action="store_true", help="run fullscreen (the kiosk default)")
    p.add_argument("--camera", type=_camera, default=None, help="auto | synthetic | INDEX | PATH (video/image)")
    p.add_argument("--server", type=_server, default=None, help="embedded | offline | URL")
    p.add_argument("--data-dir", type=Path, default=None, help="where progress, logs and screenshots live")
    p.add_argument("--seed", type=_seed, default=None, help="seed for reproducible runs")
    p.add_argument("--headless", action="store_true", help="no window: SDL dummy drivers (QA, CI)")
    p.add_argument("--frames", type=_positive, default=None, help="quit after N frames")
    p.add_argument("--screenshot", type=Path, default=None, help="write a PNG of the last frame")
    p.add_argument("--scene", type=_scene, default="attract", help="start scene: " + ", ".join(SCENES))
    p.add_argument("--now", type=_now, default=None, help="QA time travel: pretend it is this time")
    p.add_argument("--device-landmark", default=None, metavar="ID", help="the landmark this kiosk stands at")
    p.add_argument("--kiosk", action="store_true", default=None,
                   help="kiosk mode: fullscreen, no way out for customers, idle hand-off and wipe")
    p.add_argument("--event", action="store_true", default=None,
                   help="event laptop: every landmark by visit; pick which one this is in the admin menu")
    p.add_argument("--debug", action="store_true", help="debug overlay and verbose logs")
    p.add_argument("--check-campaign", default=None, metavar="ID|PATH",
                   help="validate a campaign pack (an id or a pack folder), list every problem, and exit")
    p.add_argument("--enroll-code", default=None, help="one-time enrolment code for a remote server")
    p.add_argument("--text-size", choices=("normal", "large"), default=None,
                   help="text size: large is 25 %% bigger, never under 28 px at 1080p")
    p.add_argument("--ui-scale", type=_ranged(0.75, 2.0), default=None, metavar="0.75..2.0",
                   help="scales the UI text (a projector: 1.25-1.5)")
    p.add_argument("--volume", type=_ranged(0.0, 1.0), default=None, metavar="0..1", help="sound cue volume")
    p.add_argument("--mute", action="store_true", default=None, help="no sound cues")
    qa = p.add_mutually_exclusive_group()  # QA tools (docs/qa.md)
    qa.add_argument("--replay", type=_existing, default=None, metavar="FILE|BUNDLE", help="replay a recording")
    qa.add_argument("--script", type=_existing, default=None, metavar="FILE", help="run a TOML scenario")
    p.add_argument("--record", type=Path, default=None, metavar="FILE", help="record this run for --replay")
    return p


def default_data_dir() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False))


def _pick(flag: object, from_file: object, default: object) -> object:
    """Flags override the file; the file overrides the built-in default."""
    return flag if flag is not None else (from_file if from_file is not None else default)


def parse_args(argv: list[str]) -> Config:
    from game.kiosk.settings import KioskConfigError, KioskFile, load_kiosk_file

    parser = build_parser()
    ns = parser.parse_args(argv)
    file = KioskFile(kiosk=False)
    if ns.config is not None:
        try:
            file = load_kiosk_file(ns.config)
        except KioskConfigError as err:
            parser.error(f"argument --config: {err}")
    event = bool(_pick(ns.event, file.event, False))
    # an event laptop is a kiosk too: its landmark is picked in the admin menu
    kiosk = bool(_pick(ns.kiosk, file.kiosk if ns.config is not None else None, False)) or event
    fullscreen = ns.fullscreen or (ns.windowed is None and kiosk and file.display.fullscreen)
    window = ns.windowed if ns.windowed else (None if fullscreen else (1280, 720))
    if ns.headless:
        window = ns.windowed or (1920, 1080)
    if ns.screenshot is not None and ns.screenshot.suffix.lower() != ".png":
        parser.error(f"argument --screenshot: expected a .png path, got {str(ns.screenshot)!r}")
    return Config(
        campaign=str(_pick(ns.campaign, file.campaign, "jade-rabbit-chongqing")),
        lang=str(_pick(ns.lang, file.language, "zh")),
        window=window,
        camera=str(_pick(ns.camera, file.camera.source if ns.config is not None else None, "auto")),
        server=str(_pick(ns.server, file.server.url if ns.config is not None else None, "embedded")),
        data_dir=Path(_pick(ns.data_dir, file.data_dir, default_data_dir())).expanduser(),  # type: ignore[arg-type]
        seed=ns.seed,
        headless=ns.headless,
        frames=ns.frames,
        screenshot=ns.screenshot,
        scene=ns.scene,
        now=ns.now,
        device_landmark=_pick(ns.device_landmark, file.landmark, None),  # type: ignore[arg-type]
        kiosk=kiosk,
        debug=ns.debug,
        check_campaign=ns.check_campaign,
        enroll_code=_pick(ns.enroll_code, file.server.enroll_code, None),  # type: ignore[arg-type]
        event=event,
        config_path=ns.config,
        idle_seconds=file.idle.seconds,
        countdown_seconds=file.idle.countdown,
        handoff_seconds=file.idle.handoff,
        camera_mirror=file.camera.mirror,
        camera_size=(file.camera.width, file.camera.height),
        public_url=file.server.public_url,
        pin_hash=file.admin.pin_hash,
        cursor=file.display.cursor if kiosk else True,
        text_size=str(_pick(ns.text_size, file.display.text_size, "normal")),
        ui_scale=float(_pick(ns.ui_scale, file.display.ui_scale, 1.0)),  # type: ignore[arg-type]
        volume=float(_pick(ns.volume, file.sound.volume, 0.8)),  # type: ignore[arg-type]
        mute=bool(_pick(ns.mute, file.sound.mute, False)),
        hang_seconds=file.watchdog.hang_seconds,
        record=ns.record,
        replay=ns.replay,
        script=ns.script,
    )


def check_ids(config: Config, landmark_ids: set[str]) -> str | None:
    """The flags that name a landmark, checked once the campaign is loaded: one usage line, or None."""
    kind, _, scene_id = config.scene.partition(":")
    scene_id = scene_id if kind in ("map", "card", "scan") and scene_id else None  # share:<id> names a collectible
    for flag, ident in (("--scene", scene_id), ("--device-landmark", config.device_landmark)):
        if ident is not None and ident not in landmark_ids:
            known = ", ".join(sorted(landmark_ids)[:6])
            return (f"main.py: error: argument {flag}: unknown landmark {ident!r} in campaign {config.campaign!r} "
                    f"(known: {known}, ...) (see --help)")
    return None


if __name__ == "__main__":  # pragma: no cover - handy for trying flags
    print(parse_args(sys.argv[1:]))
