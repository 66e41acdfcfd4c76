"""``main.py --script``: exit 0 at the end, 1 on a failed expect (one line: file, step, expected, actual),
2 on a broken step before the first frame; ``--frames`` is only an upper bound.

The broken step runs as a real process (its exit status); the rest call main.run in this process, which
returns the exit code and writes the same stderr, without an interpreter start-up each."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.qa.conftest import BASE, NOW, Capture, run_cli, run_in_process


def last_line(stderr: str) -> str:
    return stderr.strip().splitlines()[-1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_run_ends_after_the_last_step(tmp_path: Path, data_dir: Callable[[str], Path], capsys: Capture) -> None:
    script = write(tmp_path, '[[step]]\ntap = "start"\n[[step]]\nexpect = { scene = "map", month_steps = 0 }\n')
    code, err = run_in_process([*BASE, "--script", str(script), "--frames", "5000", "--now", NOW,
                                "--data-dir", str(data_dir("a"))], capsys)
    assert code == 0, err[-2000:]
    assert (data_dir("b").parent / "a" / "logs" / "client.log").is_file()


def test_a_failed_expect_exits_1_naming_file_step_expected_and_actual(tmp_path: Path, data_dir: Callable[[str], Path],
                                                                      capsys: Capture) -> None:
    script = write(tmp_path, '[[step]]\ntap = "start"\n[[step]]\nwait_frames = 2\n'
                             '[[step]]\nexpect = { scene = "map", month_steps = 70 }\n')
    code, err = run_in_process([*BASE, "--script", str(script), "--now", NOW, "--data-dir", str(data_dir("d"))], capsys)
    assert code == 1
    assert last_line(err) == f"{script}: step 3: expect month_steps: expected 70, got 0"


def test_a_broken_step_exits_2_before_running(tmp_path: Path) -> None:
    script = write(tmp_path, '[[step]]\ntap = "start"\n[[step]]\ntap = "landmark:atlantis"\n')
    proc = run_cli([*BASE, "--script", str(script), "--data-dir", str(tmp_path / "d")])
    assert proc.returncode == 2
    assert last_line(proc.stderr) == f"{script}: step 2: unknown landmark 'atlantis' in campaign 'jade-rabbit-chongqing'"
    assert not (tmp_path / "d" / "progress.db").exists()  # nothing ran


def test_an_answer_the_open_quiz_does_not_have(tmp_path: Path, data_dir: Callable[[str], Path],
                                               capsys: Capture) -> None:
    script = write(tmp_path, '[[step]]\ntap = "start"\n[[step]]\ntap = "landmark:hongyadong"\n'
                             '[[step]]\ntap = "mode:learn"\n[[step]]\ntap = "answer:D"\n')
    code, err = run_in_process([*BASE, "--script", str(script), "--now", NOW, "--data-dir", str(data_dir("q"))], capsys)
    assert code == 1
    assert last_line(err) == f"{script}: step 4: bad answer letter 'D': this quiz has answers A, B, C"


def test_a_target_the_screen_does_not_offer(tmp_path: Path, data_dir: Callable[[str], Path],
                                            capsys: Capture) -> None:
    script = write(tmp_path, '[[step]]\ntap = "album"\n')
    code, err = run_in_process([*BASE, "--script", str(script), "--data-dir", str(data_dir("t"))], capsys)
    assert code == 1
    line = last_line(err)
    assert line.startswith(f"{script}: step 1: tap 'album': the attract screen offers no such target")
    assert "start" in line


def test_frames_stops_an_unfinished_scenario_with_exit_1(tmp_path: Path, data_dir: Callable[[str], Path],
                                                         capsys: Capture) -> None:
    script = write(tmp_path, '[[step]]\nwait_frames = 50\n')
    code, err = run_in_process([*BASE, "--script", str(script), "--frames", "10", "--data-dir", str(data_dir("f"))],
                               capsys)
    assert code == 1
    assert last_line(err) == f"{script}: step 1: the run stopped (--frames 10) before this step finished"


def test_script_works_with_kiosk_device_landmark_and_record(tmp_path: Path, data_dir: Callable[[str], Path],
                                                            capsys: Capture) -> None:
    """At the landmark's own kiosk, the visit check-in works; the kiosk's idle timeout ends the guest."""
    script = write(tmp_path, '[[step]]\ntap = "start"\n[[step]]\ntap = "landmark:hongyadong"\n'
                             '[[step]]\ntap = "mode:visit"\n[[step]]\nwait_frames = 5\n'
                             '[[step]]\nexpect = { month_steps = 50, checked_in_today = ["hongyadong"] }\n'
                             '[[step]]\nidle_seconds = 75\n'  # 60 s idle, then the 10 s countdown
                             '[[step]]\nexpect = { scene = "handoff" }\n'  # the visitor's progress to take away
                             '[[step]]\nidle_seconds = 40\n'  # the hand-off stays 30 s
                             '[[step]]\nexpect = { scene = "attract", month_steps = 0 }\n')
    record = tmp_path / "kiosk.json"
    code, err = run_in_process([*BASE, "--script", str(script), "--kiosk", "--device-landmark", "hongyadong",
                                "--now", NOW, "--record", str(record), "--data-dir", str(data_dir("k"))], capsys)
    assert code == 0, err[-2000:]
    assert record.is_file()
