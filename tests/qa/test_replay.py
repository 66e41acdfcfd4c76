"""A recorded run replays frame for frame: two replays give byte-identical screenshots, equal to the
original's last frame; recorded frame times, clock jumps and input are honoured."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from game.actions import Action, Kind
from game.qa.recording import Recording, action_from_json, action_to_json
from tests.qa.conftest import BASE, NOW, ROOT, run_main


def replay_twice(record: Path, data_dir: Callable[[str], Path], tmp_path: Path) -> list[bytes]:
    """The last frame of two headless replays of ``record``, each in a fresh data dir, as PNG bytes."""
    shots = []
    for i in (1, 2):
        shot = tmp_path / f"{record.stem}-replay{i}.png"
        assert run_main(["--headless", "--replay", str(record), "--data-dir", str(data_dir(f"{record.stem}-{i}")),
                         "--screenshot", str(shot)]) == 0
        shots.append(shot.read_bytes())
    return shots


def test_two_replays_of_a_scripted_run_are_byte_identical(data_dir: Callable[[str], Path], tmp_path: Path) -> None:
    record = tmp_path / "run.json"
    original = tmp_path / "original.png"
    code = run_main([*BASE, "--script", str(ROOT / "qa" / "month-rollover.toml"), "--lang", "en", "--now", NOW,
                     "--data-dir", str(data_dir("rec")), "--record", str(record), "--screenshot", str(original)])
    assert code == 0
    rec = Recording.load(record)
    assert rec.frames > 100 and any(a.kind is Kind.POINTER_DOWN for _, a in rec.actions)
    assert rec.clock, "the scenario's clock step is in the recording"
    shots = replay_twice(record, data_dir, tmp_path)
    assert shots[0] == shots[1]
    assert shots[0] == original.read_bytes()  # and the replay ends where the run ended


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
    assert shots[0] == shots[1]
    again = Recording.load(path)
    assert again.frame_dts()[:4] == [0.016, 0.021, 0.034, 0.017]


def test_actions_survive_the_json_round_trip() -> None:
    actions = [Action(Kind.POINTER_MOVE, pos=(1.5, 2.25), delta=(-3.0, 0.125), pointer=2),
               Action(Kind.LEFT, pressed=False), Action(Kind.TEXT, text="1234"), Action(Kind.CONFIRM)]
    for action in actions:
        assert action_from_json(json.loads(json.dumps(action_to_json(action)))) == action


def test_replay_refuses_a_data_dir_with_progress(data_dir: Callable[[str], Path], tmp_path: Path) -> None:
    from tests.qa.conftest import run_cli

    record = tmp_path / "r.json"
    busy = data_dir("busy")
    assert run_main([*BASE, "--frames", "3", "--data-dir", str(busy), "--record", str(record)]) == 0
    proc = run_cli(["--headless", "--replay", str(record), "--data-dir", str(busy)])
    assert proc.returncode == 2
    assert "already holds progress" in proc.stderr.strip().splitlines()[-1]


def test_a_recorded_scan_with_the_synthetic_camera_replays_identically(data_dir: Callable[[str], Path],
                                                                       tmp_path: Path) -> None:
    """The scan screen over the scripted camera: the logo tracked, a poster checked in, the room; the
    camera changes are in the recording and two replays end on the same pixels as the run."""
    record = tmp_path / "scan.json"
    original = tmp_path / "scan-original.png"
    code = run_main([*BASE, "--script", str(ROOT / "qa" / "scan-poster.toml"), "--lang", "en", "--now", NOW,
                     "--data-dir", str(data_dir("scan-rec")), "--record", str(record), "--screenshot", str(original)])
    assert code == 0
    rec = Recording.load(record)
    assert [subject for _, subject in rec.camera] == ["poster:hongyadong", "none"]
    shots = replay_twice(record, data_dir, tmp_path)
    assert shots[0] == shots[1] == original.read_bytes()


def test_a_scenario_that_fixes_its_language_replays_in_it(data_dir: Callable[[str], Path], tmp_path: Path) -> None:
    record = tmp_path / "lang.json"
    original = tmp_path / "lang-original.png"
    assert run_main([*BASE, "--script", str(ROOT / "qa" / "language.toml"), "--lang", "en", "--now", NOW,
                     "--data-dir", str(data_dir("lang")), "--record", str(record), "--screenshot", str(original)]) == 0
    shot = tmp_path / "lang-replay.png"
    assert run_main(["--headless", "--replay", str(record), "--data-dir", str(data_dir("lang-replay")),
                     "--screenshot", str(shot)]) == 0
    assert shot.read_bytes() == original.read_bytes()
