"""The scenario format (docs/qa.md): a TOML file of ``[[step]]`` tables, parsed and checked before a run.

Parsing is pure (no pygame): text in, ``Scenario`` out, or a ``ScriptError`` whose message is one line
naming the file, the step number and the problem. Steps are checked against the campaign (landmark
ids, answer letters) so a broken scenario fails before its first frame.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from game.actions import Kind
from game.rules.content import Campaign, CheckinMode

STEP_KEYS = ("tap", "key", "wait_frames", "idle_seconds", "camera", "clock", "screenshot", "expect")
TOP_KEYS = ("title", "description", "lang", "step")
EXPECT_KEYS = ("scene", "stack", "month_steps", "total_steps", "checked_in_today", "album_count", "language")
LANGS = ("zh", "en")
# key names as SDL spells them (pygame.key.name) -> what the game's input boundary makes of that key
KEYS: dict[str, Kind] = {
    "escape": Kind.BACK, "backspace": Kind.BACK, "return": Kind.CONFIRM, "enter": Kind.CONFIRM,
    "space": Kind.CONFIRM, "left": Kind.LEFT, "right": Kind.RIGHT, "up": Kind.UP, "down": Kind.DOWN,
    "a": Kind.LEFT, "d": Kind.RIGHT, "w": Kind.UP, "s": Kind.DOWN, "tab": Kind.MENU,
    "l": Kind.TOGGLE_LANGUAGE, "f3": Kind.TOGGLE_DEBUG, "f12": Kind.SCREENSHOT,
}
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
SHOT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
LETTERS = "ABCDEFGH"


class ScriptError(Exception):
    """A scenario that cannot run; ``str()`` is the one line to print."""

    def __init__(self, file: str, step: int | None, problem: str) -> None:
        self.file, self.step, self.problem = file, step, problem
        where = f"{file}: step {step}" if step is not None else file
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Tap:
    target: str


@dataclass(frozen=True)
class Key:
    name: str
    kind: Kind


@dataclass(frozen=True)
class WaitFrames:
    frames: int


@dataclass(frozen=True)
class IdleSeconds:
    seconds: float


@dataclass(frozen=True)
class Camera:
    subject: str  # "logo" | "poster:<landmark-id>" | "none"


@dataclass(frozen=True)
class SetClock:
    when: datetime


@dataclass(frozen=True)
class Screenshot:
    name: str


@dataclass(frozen=True)
class Expect:
    checks: dict[str, object]


Step = Tap | Key | WaitFrames | IdleSeconds | Camera | SetClock | Screenshot | Expect


@dataclass(frozen=True)
class Scenario:
    file: str
    steps: tuple[Step, ...]
    title: str = ""
    lang: str | None = None  # the start language, when the scenario fixes one
    description: str = field(default="", compare=False)

    def error(self, step: int | None, problem: str) -> ScriptError:
        return ScriptError(self.file, step, problem)


def load_scenario(path: Path, campaign: Campaign) -> Scenario:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ScriptError(str(path), None, f"cannot read: {err.strerror or err}") from None
    return parse_scenario(text, str(path), campaign)


def parse_scenario(text: str, file: str, campaign: Campaign) -> Scenario:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScriptError(file, None, f"not valid TOML: {err}") from None
    unknown = sorted(set(data) - set(TOP_KEYS))
    if unknown:
        raise ScriptError(file, None, f"unknown top-level key {unknown[0]!r} (known: {', '.join(TOP_KEYS)})")
    lang = data.get("lang")
    if lang is not None and lang not in LANGS:
        raise ScriptError(file, None, f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    raw_steps = data.get("step", [])
    if not isinstance(raw_steps, list) or not raw_steps:
        raise ScriptError(file, None, "no steps: add [[step]] tables")
    checker = _StepChecker(file, campaign)
    steps = tuple(checker.step(i, raw) for i, raw in enumerate(raw_steps, start=1))
    return Scenario(file, steps, str(data.get("title", "")), lang, str(data.get("description", "")))


class _StepChecker:
    def __init__(self, file: str, campaign: Campaign) -> None:
        self.file = file
        self.campaign = campaign
        self.landmarks = {lm.id for lm in campaign.city.landmarks}
        # the most choices any quiz offers: a letter past it can never be answered
        self.letters = LETTERS[: max((len(lm.quiz.choices) for lm in campaign.city.landmarks if lm.quiz), default=0)]

    def fail(self, n: int, problem: str) -> ScriptError:
        return ScriptError(self.file, n, problem)

    def step(self, n: int, raw: object) -> Step:
        if not isinstance(raw, dict):
            raise self.fail(n, "a step must be a table")
        keys = [k for k in raw if k in STEP_KEYS]
        unknown = [k for k in raw if k not in STEP_KEYS]
        if unknown:
            raise self.fail(n, f"unknown step {unknown[0]!r} (known: {', '.join(STEP_KEYS)})")
        if len(keys) != 1:
            raise self.fail(n, f"one action per step, got {len(keys)}: {', '.join(keys) or 'none'}")
        key = keys[0]
        value = raw[key]
        return getattr(self, key)(n, value)

    def _string(self, n: int, key: str, value: object) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(n, f"{key} needs a non-empty string, got {value!r}")
        return value

    def _landmark(self, n: int, ident: str) -> None:
        if ident not in self.landmarks:
            raise self.fail(n, f"unknown landmark {ident!r} in campaign {self.campaign.id!r}")

    def tap(self, n: int, value: object) -> Step:
        target = self._string(n, "tap", value)
        name, _, arg = target.partition(":")
        if not NAME_RE.match(name) or (_ and not arg):
            raise self.fail(n, f"tap target {target!r} is not a name like \"start\" or \"landmark:<id>\"")
        if name == "landmark":
            self._landmark(n, arg)
        elif name == "mode" and arg not in {m.value for m in CheckinMode}:
            raise self.fail(n, f"unknown check-in mode {arg!r} (modes: {', '.join(m.value for m in CheckinMode)})")
        elif name == "answer" and (len(arg) != 1 or arg.upper() not in self.letters):
            raise self.fail(n, f"bad answer letter {arg!r}: quizzes here have answers {', '.join(self.letters)}")
        return Tap(f"answer:{arg.upper()}" if name == "answer" else target)

    def key(self, n: int, value: object) -> Step:
        name = self._string(n, "key", value).lower()
        if name not in KEYS:
            raise self.fail(n, f"unknown key {value!r} (keys: {', '.join(KEYS)})")
        return Key(name, KEYS[name])

    def wait_frames(self, n: int, value: object) -> Step:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.fail(n, f"wait_frames needs a whole number ≥ 0, got {value!r}")
        return WaitFrames(value)

    def idle_seconds(self, n: int, value: object) -> Step:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 86_400:
            raise self.fail(n, f"idle_seconds needs a number of seconds in (0, 86400], got {value!r}")
        return IdleSeconds(float(value))

    def camera(self, n: int, value: object) -> Step:
        subject = self._string(n, "camera", value)
        if subject.startswith("poster:"):
            self._landmark(n, subject.split(":", 1)[1])
        elif subject not in ("logo", "none"):
            raise self.fail(n, f"camera shows \"logo\", \"poster:<landmark-id>\" or \"none\", got {subject!r}")
        return Camera(subject)

    def clock(self, n: int, value: object) -> Step:
        if isinstance(value, datetime):  # TOML's own date-time literal
            when = value
        else:
            try:
                when = datetime.fromisoformat(self._string(n, "clock", value))
            except ValueError:
                raise self.fail(n, f"clock needs an ISO time like \"2027-01-31T23:59:00+08:00\", got {value!r}") from None
        if when.tzinfo is None:
            raise self.fail(n, f"clock {value!r} needs a UTC offset, e.g. +08:00")
        return SetClock(when)

    def screenshot(self, n: int, value: object) -> Step:
        name = self._string(n, "screenshot", value)
        if not SHOT_RE.match(name) or name.endswith(".png"):
            raise self.fail(n, f"screenshot name {name!r}: letters, digits, '-', '_' and '.', without .png")
        return Screenshot(name)

    def expect(self, n: int, value: object) -> Step:
        if not isinstance(value, dict) or not value:
            raise self.fail(n, "expect needs a table, e.g. expect = { scene = \"map\" }")
        for key, want in value.items():
            if key not in EXPECT_KEYS:
                raise self.fail(n, f"unknown expect key {key!r} (known: {', '.join(EXPECT_KEYS)})")
            if key in ("month_steps", "total_steps", "album_count") and (
                    not isinstance(want, int) or isinstance(want, bool)):
                raise self.fail(n, f"expect {key} needs a whole number, got {want!r}")
            if key in ("checked_in_today", "stack"):
                if not isinstance(want, list) or not all(isinstance(x, str) for x in want):
                    raise self.fail(n, f"expect {key} needs a list of strings, got {want!r}")
                if key == "checked_in_today":
                    for ident in want:
                        self._landmark(n, ident)
            if key in ("scene", "language") and not isinstance(want, str):
                raise self.fail(n, f"expect {key} needs a string, got {want!r}")
            if key == "language" and want not in LANGS:
                raise self.fail(n, f"expect language is one of {', '.join(LANGS)}, got {want!r}")
        return Expect(dict(value))
