"""Command line: defaults, and one clear usage line naming the flag for each bad value."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from game.config import parse_args

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_and_headless() -> None:
    cfg = parse_args(["--headless", "--frames", "3", "--screenshot", "/tmp/x.png", "--scene", "card:hongyadong"])
    assert cfg.headless and cfg.frames == 3 and cfg.window == (1920, 1080)
    assert cfg.scene == "card:hongyadong" and cfg.server == "embedded" and cfg.camera == "auto"
    assert parse_args([]).window == (1280, 720)
    assert parse_args(["--fullscreen"]).window is None
    assert parse_args(["--windowed", "1024x768"]).window == (1024, 768)
    assert parse_args(["--now", "2027-01-31T23:59+08:00"]).now is not None


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--lang", "fr"], "--lang"),
        (["--windowed", "big"], "--windowed"),
        (["--windowed", "10x10"], "--windowed"),
        (["--camera", "/no/such/file.mp4"], "--camera"),
        (["--server", "ftp://x"], "--server"),
        (["--seed", "abc"], "--seed"),
        (["--frames", "0"], "--frames"),
        (["--scene", "nowhere"], "--scene"),
        (["--now", "2027-01-01T00:00"], "--now"),
        (["--screenshot", "shot.jpg"], "--screenshot"),
        (["--bogus"], "--bogus"),
        (["--windowed", "800x600", "--fullscreen"], "--fullscreen"),
    ],
)
def test_bad_values_exit_2_naming_the_flag(args: list[str], flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        parse_args(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and flag in err


def test_main_reports_bad_flag_as_one_line() -> None:
    proc = subprocess.run([sys.executable, "main.py", "--lang", "xx"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "--lang" in proc.stderr


def test_check_campaign_accepts_a_pack_folder_and_lists_every_problem(tmp_path: Path) -> None:
    import shutil

    pack = tmp_path / "lantern-hangzhou"
    shutil.copytree(ROOT / "assets" / "campaigns" / "lantern-hangzhou", pack)
    good = subprocess.run([sys.executable, "main.py", "--check-campaign", str(pack)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert good.returncode == 0 and "OK" in good.stdout
    city = pack / "city.toml"
    city.write_text(city.read_text(encoding="utf-8").replace('id = "', 'id = "BAD ', 2), encoding="utf-8")
    bad = subprocess.run([sys.executable, "main.py", "--check-campaign", str(pack)], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    lines = [line for line in bad.stderr.splitlines() if line.strip().startswith("city.toml:")]
    assert len(lines) >= 2  # both bad ids, reported in one run
    assert all(".id" in line for line in lines[:2])


def test_check_campaign_reports_missing_glyphs_and_a_syntax_error_once(tmp_path: Path) -> None:
    import shutil

    pack = tmp_path / "lantern-hangzhou"
    shutil.copytree(ROOT / "assets" / "campaigns" / "lantern-hangzhou", pack)
    city = pack / "city.toml"
    city.write_text(city.read_text(encoding="utf-8").replace('zh = "', 'zh = "\U0002000B', 1), encoding="utf-8")
    tasks = pack / "tasks.toml"
    tasks.write_text(tasks.read_text(encoding="utf-8").replace(" = ", " = = ", 1), encoding="utf-8")
    bad = subprocess.run([sys.executable, "main.py", "--check-campaign", str(pack)], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    lines = bad.stderr.splitlines()
    assert any(line.strip().startswith("city.toml:") and "U+2000B" in line and "glyph" in line for line in lines)
    assert [line.split(":")[1].strip() for line in lines if line.strip().startswith("tasks.toml:")] == ["(syntax)"]


def test_corrupt_progress_file_is_moved_aside_and_the_player_told(tmp_path: Path) -> None:
    (tmp_path / "progress.db").write_bytes(b"\x00garbage" * 512)
    proc = subprocess.run(
        [sys.executable, "main.py", "--headless", "--frames", "2", "--server", "offline", "--data-dir", str(tmp_path),
         "--screenshot", str(tmp_path / "s.png")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    kept = list(tmp_path.glob("progress.db.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes().startswith(b"\x00garbage")
    log = (tmp_path / "logs" / "client.log").read_text(encoding="utf-8")
    assert "corrupt" in log
    assert (tmp_path / "s.png").stat().st_size > 10_000


def test_output_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    # `python main.py rate-marker logo.png | head -1`: the reader goes away after one line.
    proc = subprocess.Popen([sys.executable, "main.py", "rate-marker", "bench/data/poster.png", "--out",
                             str(tmp_path / "r.png")], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert b"marker score" in first
    assert "Traceback" not in err


def test_help_lists_every_flag_the_parser_takes() -> None:
    from game.config import build_parser

    proc = subprocess.run([sys.executable, "main.py", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    flags = {opt for action in build_parser()._actions for opt in action.option_strings if opt.startswith("--")}
    assert {"--text-size", "--ui-scale", "--volume", "--mute", "--config", "--kiosk", "--event"} <= flags
    assert [flag for flag in sorted(flags) if flag not in proc.stdout] == []


@pytest.mark.parametrize(("args", "flag"), [
    (["--ui-scale", "3"], "--ui-scale"), (["--ui-scale", "big"], "--ui-scale"), (["--text-size", "huge"], "--text-size"),
    (["--volume", "1.5"], "--volume"),
])
def test_display_and_sound_flags_check_their_range(args: list[str], flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        parse_args(args)
    assert exc.value.code == 2 and flag in capsys.readouterr().err


def sound_settings(data: Path, args: list[str]) -> dict:
    """Run the real client headless for a few frames; the sound settings it logged."""
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    proc = subprocess.run([sys.executable, "main.py", "--headless", "--server", "offline", "--camera", "none",
                           "--data-dir", str(data), "--frames", "3", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = (data / "logs" / "client.log").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if '"sound settings"' in line][-1]


def test_the_kiosk_files_volume_and_mute_reach_the_audio_and_flags_override_them(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text("[sound]\nvolume = 0.3\nmute = true\n", encoding="utf-8")
    logged = sound_settings(tmp_path / "a", ["--config", str(config)])
    assert logged["volume"] == pytest.approx(0.3) and logged["mute"] is True
    config.write_text("[sound]\nvolume = 0.3\n", encoding="utf-8")
    logged = sound_settings(tmp_path / "b", ["--config", str(config), "--volume", "0.6"])
    assert logged["volume"] == pytest.approx(0.6) and logged["mute"] is False
