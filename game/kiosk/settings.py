"""The kiosk config file (TOML), validated with pydantic. Parsing is pure: text in, model out.

A bad key or value raises ``KioskConfigError`` whose message is ONE line naming the key
(``idle.seconds: Input should be greater than 0``); the CLI prints it and exits with status 2.

    language = "zh"                 # starting language of every visitor (zh | en)
    landmark = "hongyadong"         # the landmark this kiosk stands at (its visit check-in)
    data_dir = "/var/lib/cloud-tour"
    event = false                   # event laptop: every landmark by visit, picked in the admin menu

    [idle]
    seconds = 60                    # no input for this long -> "Are you still there?"
    countdown = 10                  # ... for this long, then the visitor's session ends
    handoff = 30                    # the hand-off QR stays this long unless touched

    [camera]
    source = "0"                    # auto | synthetic | none | device index | video/image path
    mirror = true
    width = 1280
    height = 720

    [server]
    url = "https://cloudtour.example.bank"    # embedded | offline | http(s) URL
    enroll_code = "7KQ2MXR9AB"
    public_url = "https://cloudtour.example.bank"  # the base of the claim link in the hand-off QR

    [admin]
    pin_hash = "scrypt$16384$8$1$..."         # set with `python main.py kiosk-pin --config FILE`

    [display]
    fullscreen = true
    cursor = false                  # show the mouse cursor (off for touch screens)
    text_size = "normal"            # normal | large (25 % bigger, never under 28 px at 1080p)
    ui_scale = 1.0                  # 0.75..2.0: scales text and the bars and buttons that hold it

    [sound]
    volume = 0.8
    mute = false

    [watchdog]
    hang_seconds = 30               # no frame for this long: log where the loop is stuck, exit 75 to be restarted
                                    # (only without systemd's watchdog, which has its own WatchdogSec=)
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

IDENT = r"^[a-z0-9][a-z0-9_-]*$"


class KioskConfigError(ValueError):
    """One line naming the file and the key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IdleSection(_Section):
    seconds: Annotated[float, Field(gt=0, le=3600)] = 60.0
    countdown: Annotated[float, Field(gt=0, le=120)] = 10.0
    handoff: Annotated[float, Field(gt=0, le=600)] = 30.0


class CameraSection(_Section):
    source: str = "auto"
    mirror: bool = True
    width: Annotated[int, Field(ge=160, le=7680)] = 1280
    height: Annotated[int, Field(ge=120, le=4320)] = 720

    @field_validator("source", mode="before")
    @classmethod
    def _source(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and not (value in ("auto", "synthetic", "none") or value.isdigit()
                                           or Path(value).is_file()):
            raise ValueError(f"expected auto, synthetic, none, a device index or an existing file, got {value!r}")
        return value


class ServerSection(_Section):
    url: str = "embedded"
    enroll_code: str | None = None
    public_url: str | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value in ("embedded", "offline") or re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
            return value.rstrip("/")
        raise ValueError(f"expected embedded, offline or an http(s) URL, got {value!r}")

    @field_validator("public_url")
    @classmethod
    def _public(cls, value: str | None) -> str | None:
        if value is None or re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
            return None if value is None else value.rstrip("/")
        raise ValueError(f"expected an http(s) URL, got {value!r}")


class AdminSection(_Section):
    pin_hash: Annotated[str | None, Field(pattern=r"^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$")] = None


class DisplaySection(_Section):
    fullscreen: bool = True
    cursor: bool = False
    text_size: Literal["normal", "large"] = "normal"  # game/ui/display.py
    ui_scale: Annotated[float, Field(ge=0.75, le=2.0)] = 1.0


class SoundSection(_Section):
    volume: Annotated[float, Field(ge=0.0, le=1.0)] = 0.8
    mute: bool = False


class WatchdogSection(_Section):
    # Well above the slowest legitimate frame (under 2 s: a painting load on a slow disk), well below a
    # visitor giving up on a frozen screen.
    hang_seconds: Annotated[float, Field(ge=5, le=600)] = 30.0


class KioskFile(_Section):
    """The whole file. Every key is optional; absent keys take the defaults shown above."""

    kiosk: bool = True
    event: bool = False
    language: Literal["zh", "en"] = "zh"
    landmark: Annotated[str | None, Field(pattern=IDENT)] = None
    campaign: Annotated[str | None, Field(pattern=IDENT)] = None
    data_dir: Path | None = None
    idle: IdleSection = IdleSection()
    camera: CameraSection = CameraSection()
    server: ServerSection = ServerSection()
    admin: AdminSection = AdminSection()
    display: DisplaySection = DisplaySection()
    sound: SoundSection = SoundSection()
    watchdog: WatchdogSection = WatchdogSection()


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    key = ".".join(str(p) for p in first["loc"]) or "(file)"
    if first["type"] == "extra_forbidden":
        return f"{key}: unknown key"
    message = first["msg"].removeprefix("Value error, ")
    value = first.get("input")
    if first["type"] != "missing" and not isinstance(value, dict) and value is not None and repr(value) not in message:
        message += f" (got {value!r})"
    return f"{key}: {message}"


def parse_kiosk_file(text: str, source: str = "kiosk config") -> KioskFile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise KioskConfigError(f"{source}: TOML syntax: {err}") from None
    try:
        return KioskFile.model_validate(data)
    except ValidationError as err:
        raise KioskConfigError(f"{source}: {_first_error(err)}") from None


def load_kiosk_file(path: Path) -> KioskFile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise KioskConfigError(f"{path}: cannot read: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise KioskConfigError(f"{path}: not UTF-8 text") from None
    return parse_kiosk_file(text, str(path))
