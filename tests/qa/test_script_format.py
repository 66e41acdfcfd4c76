"""The scenario format is public: broken scenarios fail before the first frame with one line that names
the file, the step number and the problem."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from game.actions import Kind
from game.content import load_campaign
from game.qa.script import (
    IdleSeconds,
    Key,
    Screenshot,
    ScriptError,
    SetClock,
    Tap,
    WaitFrames,
    parse_scenario,
)


@pytest.fixture(scope="module")
def campaign():  # type: ignore[no-untyped-def]
    return load_campaign("jade-rabbit-chongqing")


def broken(campaign, text: str) -> ScriptError:  # type: ignore[no-untyped-def]
    with pytest.raises(ScriptError) as info:
        parse_scenario(text, "qa/broken.toml", campaign)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("qa/broken.toml")
    return info.value


def test_every_step_kind_parses(campaign) -> None:  # type: ignore[no-untyped-def]
    text = """
title = "all steps"
[[step]]
tap = "landmark:hongyadong"
[[step]]
tap = "answer:b"
[[step]]
key = "Escape"
[[step]]
wait_frames = 3
[[step]]
idle_seconds = 1.5
[[step]]
camera = "poster:hongyadong"
[[step]]
clock = "2027-01-31T23:59:00+08:00"
[[step]]
clock = 2027-02-01T00:00:00+08:00
[[step]]
screenshot = "card-1"
[[step]]
expect = { scene = "map", month_steps = 0, total_steps = 0, checked_in_today = ["hongyadong"], album_count = 0, language = "en" }
"""
    sc = parse_scenario(text, "all.toml", campaign)
    assert sc.title == "all steps"
    assert sc.steps[0] == Tap("landmark:hongyadong")
    assert sc.steps[1] == Tap("answer:B")
    assert sc.steps[2] == Key("escape", Kind.BACK)
    assert sc.steps[3] == WaitFrames(3)
    assert sc.steps[4] == IdleSeconds(1.5)
    assert isinstance(sc.steps[6], SetClock) and sc.steps[6].when.astimezone(UTC) == datetime(2027, 1, 31, 15, 59,
                                                                                               tzinfo=UTC)
    assert isinstance(sc.steps[7], SetClock)
    assert sc.steps[8] == Screenshot("card-1")


@pytest.mark.parametrize(("steps", "step", "words"), [
    ('tap = "landmark:atlantis"', 2, ["unknown landmark", "atlantis"]),
    ('tap = "answer:E"', 2, ["bad answer letter", "E"]),
    ('tap = "answer:BC"', 2, ["bad answer letter"]),
    ('tap = "mode:fly"', 2, ["unknown check-in mode", "fly"]),
    ('key = "q"', 2, ["unknown key", "q"]),
    ('wait_frames = -1', 2, ["wait_frames"]),
    ('idle_seconds = "soon"', 2, ["idle_seconds"]),
    ('camera = "poster:atlantis"', 2, ["unknown landmark", "atlantis"]),
    ('camera = "selfie"', 2, ["camera", "selfie"]),
    ('clock = "tomorrow"', 2, ["ISO time"]),
    ('clock = "2027-01-31T23:59:00"', 2, ["UTC offset"]),
    ('screenshot = "a/b"', 2, ["screenshot name"]),
    ('expect = { steps = 3 }', 2, ["unknown expect key", "steps"]),
    ('expect = { month_steps = "3" }', 2, ["month_steps", "whole number"]),
    ('expect = { checked_in_today = ["atlantis"] }', 2, ["unknown landmark"]),
    ('expect = { language = "fr" }', 2, ["language"]),
    ('jump = 3', 2, ["unknown step", "jump"]),
    ('tap = "start"\nkey = "l"', 2, ["one action per step"]),
])
def test_a_broken_step_names_file_step_and_problem(campaign, steps: str, step: int, words: list[str]) -> None:  # type: ignore[no-untyped-def]
    err = broken(campaign, f'[[step]]\ntap = "start"\n[[step]]\n{steps}\n')
    assert err.step == step
    assert f"step {step}:" in str(err)
    for word in words:
        assert word in str(err)


def test_file_level_problems(campaign) -> None:  # type: ignore[no-untyped-def]
    assert "not valid TOML" in str(broken(campaign, "[[step]\n"))
    assert "no steps" in str(broken(campaign, 'title = "nothing"\n'))
    assert "unknown top-level key" in str(broken(campaign, 'speed = 2\n[[step]]\nwait_frames = 1\n'))
    assert "lang" in str(broken(campaign, 'lang = "fr"\n[[step]]\nwait_frames = 1\n'))


def test_the_key_names_match_the_input_boundary() -> None:
    """A scenario's key does what that key does on a keyboard (game.input.KEYMAP)."""
    import pygame

    from game.input import KEYMAP
    from game.qa.script import KEYS

    pygame.init()
    for name, kind in KEYS.items():
        code = pygame.K_RETURN if name == "enter" else pygame.key.key_code(name)
        assert KEYMAP[code] is kind, name
    pygame.quit()
