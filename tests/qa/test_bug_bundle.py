"""A crash or F12 writes a bug bundle under the data dir; ``--replay`` on the bundle reproduces the run."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from game.qa.recording import Recording
from scenes.rewards import RewardsScene
from tests.qa.conftest import BASE, NOW, run_main


def crashes(args: list[str]) -> None:
    """The run ends in the crash: raised, or (with the kiosk's supervisor contract) a non-zero exit."""
    try:
        code = run_main(args)
    except RuntimeError as err:
        assert "rewards page failed" in str(err)
    else:
        assert code != 0


def bundles(data: Path, reason: str) -> list[Path]:
    return sorted((data / "bugs").glob(f"*-{reason}-*"))


def assert_complete(bundle: Path) -> None:
    for name in ("recording.json", "screenshot.png", "log-tail.txt", "versions.json"):
        assert (bundle / name).is_file(), name
    versions = json.loads((bundle / "versions.json").read_text())
    assert versions["python"] and versions["pygame_ce"]
    assert "client" in (bundle / "log-tail.txt").read_text() or (bundle / "log-tail.txt").stat().st_size > 0


def test_a_crash_writes_a_bundle_that_replays_up_to_the_crash(tmp_path: Path, data_dir: Callable[[str], Path],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: RewardsScene) -> None:
        raise RuntimeError("rewards page failed to open")

    monkeypatch.setattr(RewardsScene, "enter", broken)
    script = tmp_path / "crash.toml"
    script.write_text('[[step]]\ntap = "start"\n[[step]]\nwait_frames = 20\n[[step]]\ntap = "rewards"\n')
    data = data_dir("crash")
    crashes([*BASE, "--script", str(script), "--now", NOW, "--data-dir", str(data)])
    [bundle] = bundles(data, "crash")
    assert_complete(bundle)
    assert "rewards page failed to open" in (bundle / "crash.txt").read_text()
    original = Recording.load(bundle)
    assert original.end == "crash"

    replay_data = data_dir("replay")
    crashes(["--headless", "--replay", str(bundle), "--data-dir", str(replay_data)])
    [again] = bundles(replay_data, "crash")
    assert Recording.load(again).frames == original.frames  # the same frame
    assert (again / "screenshot.png").read_bytes() == (bundle / "screenshot.png").read_bytes()


def test_f12_writes_a_bundle_whose_replay_ends_on_the_reported_frame(tmp_path: Path,
                                                                     data_dir: Callable[[str], Path]) -> None:
    script = tmp_path / "report.toml"
    script.write_text('[[step]]\ntap = "start"\n[[step]]\ntap = "landmark:chaotianmen"\n[[step]]\nkey = "f12"\n'
                      '[[step]]\ntap = "close"\n[[step]]\nwait_frames = 5\n')
    data = data_dir("report")
    assert run_main([*BASE, "--script", str(script), "--now", NOW, "--data-dir", str(data)]) == 0
    [bundle] = bundles(data, "report")
    assert_complete(bundle)
    shot = tmp_path / "replayed.png"
    assert run_main(["--headless", "--replay", str(bundle), "--data-dir", str(data_dir("r")),
                     "--screenshot", str(shot)]) == 0
    assert shot.read_bytes() == (bundle / "screenshot.png").read_bytes()


def test_a_long_kiosk_run_keeps_a_short_recording_that_still_replays(tmp_path: Path, data_dir: Callable[[str], Path],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The in-memory recording starts afresh on the kiosk's new attract screen; a later report replays."""
    import game.qa.driver

    monkeypatch.setattr(game.qa.driver, "RESTART_FRAMES", 50)
    script = tmp_path / "kiosk.toml"
    script.write_text('[[step]]\ntap = "start"\n[[step]]\ntap = "landmark:hongyadong"\n[[step]]\ntap = "mode:learn"\n'
                      '[[step]]\ntap = "answer:B"\n[[step]]\nwait_frames = 60\n[[step]]\ntap = "close"\n'
                      '[[step]]\nidle_seconds = 130\n[[step]]\nexpect = { scene = "attract", month_steps = 0 }\n'
                      '[[step]]\ntap = "language"\n[[step]]\ntap = "start"\n[[step]]\ntap = "landmark:chaotianmen"\n'
                      '[[step]]\nkey = "f12"\n[[step]]\nwait_frames = 3\n')
    data = data_dir("kiosk")
    assert run_main([*BASE, "--kiosk", "--script", str(script), "--now", NOW, "--data-dir", str(data)]) == 0
    [bundle] = bundles(data, "report")
    rec = Recording.load(bundle)
    assert rec.rng_state is not None and rec.argv[-4:] == ["--scene", "attract", "--lang", "zh"]
    assert rec.frames < 100  # only what followed the new attract screen (the run had over 200 frames)
    shot = tmp_path / "replayed.png"
    assert run_main(["--headless", "--replay", str(bundle), "--data-dir", str(data_dir("r")),
                     "--screenshot", str(shot)]) == 0
    assert shot.read_bytes() == (bundle / "screenshot.png").read_bytes()
