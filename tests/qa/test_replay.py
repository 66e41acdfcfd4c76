"""A recorded run replays frame for frame: two replays give byte-identical screenshots, equal to the
original's last frame; recorded frame times, clock jumps and input are honoured."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from game.actions import Action, Kind
from game.qa.recording import Recording, action_from_json, action_to_json
from tests.qa.conftest import BASE, NOW, ROOT, Capture, ScenarioRun, run_in_process, run_main


def replay(record: Path, data_dir: Callable[[str], Path], tmp_path: Path, name: str, driver: str = "dummy") -> bytes:
    """The last frame of a replay of ``record`` in a fresh data dir, as PNG bytes: headless (SDL's dummy
    driver), or in a 1280×720 window on SDL's ``offscreen`` driver (a real window's code path, no display)."""
    shot = tmp_path / f"{name}.png"
    how = ["--headless"] if driver == "dummy" else ["--windowed", "1280x720"]
    with pytest.MonkeyPatch.context() as env:
        if driver != "dummy":
            env.setenv("SDL_VIDEODRIVER", driver)
        code = run_main([*how, "--replay", str(record), "--data-dir", str(data_dir(name)), "--screenshot", str(shot)])
    assert code == 0
    return shot.read_bytes()


def replay_twice(record: Path, data_dir: Callable[[str], Path], tmp_path: Path) -> list[bytes]:
    """Two replays of ``record``: headless, then windowed on the offscreen driver."""
    return [replay(record, data_dir, tmp_path, f"{record.stem}-{driver}", driver) for driver in ("dummy", "offscreen")]


def test_a_replay_of_a_scripted_run_ends_on_its_last_frame(scenario_run: Callable[[str, str], ScenarioRun],
                                                           data_dir: Callable[[str], Path], tmp_path: Path) -> None:
    run = scenario_run("month-rollover", "en")
    assert run.code == 0
    rec = Recording.load(run.record)
    assert rec.frames > 100 and any(a.kind is Kind.POINTER_DOWN for _, a in rec.actions)
    assert rec.clock, "the scenario's clock step is in the recording"
    assert replay(run.record, data_dir, tmp_path, "month-rollover") == run.last_frame.read_bytes()


def test_a_windowed_style_recording_replays_identically(data_dir: Callable[[str], Path], tmp_path: Path) -> None:
    """Uneven frame times, a clock re-sync and drags, as a live run records them, replay the same way."""
    rec = Recording(argv=["--server", "offline", "--lang", "zh", "--seed", "3"], seed=3,
                    clock_start=datetime(2027, 2, 10, 2, 0, tzinfo=UTC), headless=False, art_ready=5)
    for frame in range(160):
        rec.add_frame([0.016, 0.021, 0.034, 0.017][frame % 4])
    rec.actions = [(2, Action(Kind.POINTER_DOWN, pos=(700.0, 600.0))), (3, Action(Kind.POINTER_UP, pos=(700.0, 600.0))),
                   (100, Action(Kind.POINTER_DOWN, pos=(900.0, 600.0)))]
    rec.actions += [(101 + i, Action(Kind.POINTER_MOVE, pos=(900.0 - 25 * i, 600.0), delta=(-25.0, 0.0)))
                    for i in range(12)]
    rec.actions += [(113, Action(Kind.POINTER_UP, pos=(600.0, 600.0))), (140, Action(Kind.TOGGLE_LANGUAGE))]
    rec.clock = [(120, datetime(2027, 2, 28, 15, 59, 58, tzinfo=UTC))]
    path = rec.save(tmp_path / "live.json")
    shots = replay_twice(path, data_dir, tmp_path)
    assert shots[0] == shots[1]  # and the display driver makes no difference
    again = Recording.load(path)
    assert again.frame_dts()[:4] == [0.016, 0.021, 0.034, 0.017]


def test_actions_survive_the_json_round_trip() -> None:
    actions = [Action(Kind.POINTER_MOVE, pos=(1.5, 2.25), delta=(-3.0, 0.125), pointer=2),
               Action(Kind.LEFT, pressed=False), Action(Kind.TEXT, text="1234"), Action(Kind.CONFIRM)]
    for action in actions:
        assert action_from_json(json.loads(json.dumps(action_to_json(action)))) == action


def test_replay_refuses_a_data_dir_with_progress(data_dir: Callable[[str], Path], tmp_path: Path,
                                                 capsys: Capture) -> None:
    record = tmp_path / "r.json"
    busy = data_dir("busy")
    assert run_main([*BASE, "--frames", "3", "--data-dir", str(busy), "--record", str(record)]) == 0
    code, err = run_in_process(["--headless", "--replay", str(record), "--data-dir", str(busy)], capsys)
    assert code == 2
    assert "already holds progress" in err.strip().splitlines()[-1]


def test_two_replays_of_a_recorded_scan_with_the_scripted_camera_are_byte_identical(
        scenario_run: Callable[[str, str], ScenarioRun], data_dir: Callable[[str], Path], tmp_path: Path) -> None:
    """The scan screen over the scripted camera: a poster checked in, then the room; the camera changes are
    in the recording and two replays end on the same pixels as the run."""
    run = scenario_run("scan-poster", "en")
    assert run.code == 0
    rec = Recording.load(run.record)
    assert [subject for _, subject in rec.camera] == ["poster:hongyadong", "none"]
    shots = replay_twice(run.record, data_dir, tmp_path)
    assert shots[0] == shots[1] == run.last_frame.read_bytes()


def test_a_scenario_that_fixes_its_language_replays_in_it(data_dir: Callable[[str], Path], tmp_path: Path) -> None:
    record = tmp_path / "lang.json"
    original = tmp_path / "lang-original.png"
    assert run_main([*BASE, "--script", str(ROOT / "qa" / "language.toml"), "--lang", "en", "--now", NOW,
                     "--data-dir", str(data_dir("lang")), "--record", str(record), "--screenshot", str(original)]) == 0
    assert replay(record, data_dir, tmp_path, "lang-replay") == original.read_bytes()
