"""The kiosk config file: validated with pydantic, one line naming the bad key, exit 2; flags override it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from game.config import parse_args
from game.kiosk.cli import kiosk_pin_main, with_pin_hash
from game.kiosk.pin import verify_pin
from game.kiosk.settings import KioskConfigError, parse_kiosk_file

ROOT = Path(__file__).resolve().parents[2]

FULL = """
language = "en"
landmark = "hongyadong"
data_dir = "{data}"
event = false

[idle]
seconds = 45
countdown = 8
handoff = 20

[camera]
source = "synthetic"
mirror = false
width = 640
height = 480

[server]
url = "https://cloudtour.example.bank/"
enroll_code = "7KQ2MXR9AB"
public_url = "https://m.example.bank"

[display]
fullscreen = true
cursor = false
text_size = "large"
ui_scale = 1.5

[sound]
volume = 0.5
mute = true

[watchdog]
hang_seconds = 12
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_file_configures_the_kiosk(tmp_path: Path) -> None:
    path = write(tmp_path, FULL.format(data=tmp_path / "data"))
    cfg = parse_args(["--config", str(path)])
    assert cfg.kiosk and cfg.window is None  # a kiosk runs fullscreen
    assert cfg.lang == "en" and cfg.device_landmark == "hongyadong" and cfg.data_dir == tmp_path / "data"
    assert (cfg.idle_seconds, cfg.countdown_seconds, cfg.handoff_seconds) == (45, 8, 20)
    assert cfg.camera == "synthetic" and cfg.camera_mirror is False and cfg.camera_size == (640, 480)
    assert cfg.server == "https://cloudtour.example.bank" and cfg.enroll_code == "7KQ2MXR9AB"
    assert cfg.public_url == "https://m.example.bank"
    assert cfg.cursor is False and cfg.text_size == "large" and cfg.ui_scale == 1.5
    assert cfg.volume == 0.5 and cfg.mute is True
    assert cfg.hang_seconds == 12


def test_flags_override_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, FULL.format(data=tmp_path / "data"))
    cfg = parse_args(["--config", str(path), "--lang", "zh", "--server", "offline", "--device-landmark", "ciqikou",
                      "--windowed", "1280x720", "--camera", "none", "--data-dir", str(tmp_path / "other")])
    assert cfg.lang == "zh" and cfg.server == "offline" and cfg.device_landmark == "ciqikou"
    assert cfg.window == (1280, 720) and cfg.camera == "none" and cfg.data_dir == tmp_path / "other"
    assert cfg.idle_seconds == 45  # what no flag names still comes from the file


def test_an_empty_file_gives_the_documented_defaults(tmp_path: Path) -> None:
    cfg = parse_args(["--config", str(write(tmp_path, ""))])
    assert cfg.kiosk and (cfg.idle_seconds, cfg.countdown_seconds, cfg.handoff_seconds) == (60, 10, 30)
    assert cfg.lang == "zh" and cfg.server == "embedded" and cfg.hang_seconds == 30


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("langauge = 'en'", "langauge"),
        ("language = 'fr'", "language"),
        ("[idle]\nseconds = -5", "idle.seconds"),
        ("[idle]\nsecnds = 5", "idle.secnds"),
        ("[camera]\nsource = '/no/such.mp4'", "camera.source"),
        ("[camera]\nwidth = 'wide'", "camera.width"),
        ("[server]\nurl = 'ftp://x'", "server.url"),
        ("[admin]\npin_hash = '1234'", "admin.pin_hash"),
        ("[sound]\nvolume = 3", "sound.volume"),
        ("[display]\nui_scale = 0", "display.ui_scale"),
        ("[watchdog]\nhang_seconds = 1", "watchdog.hang_seconds"),
        ("landmark = 'Not An Id!'", "landmark"),
        ("idle = 5", "idle"),
        ("[idle\nseconds = 5", "TOML syntax"),
    ],
)
def test_a_bad_key_or_value_exits_2_with_one_line_naming_it(tmp_path: Path, text: str, key: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(KioskConfigError, match=key.replace(".", r"\.")):
        parse_kiosk_file(text)
    with pytest.raises(SystemExit) as exc:
        parse_args(["--config", str(write(tmp_path, text))])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and key in err and "--config" in err


def test_a_missing_config_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        parse_args(["--config", str(tmp_path / "nope.toml")])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "nope.toml" in err


@pytest.mark.parametrize(("args", "flag"), [(["--scene", "card:nope"], "--scene"),
                                            (["--device-landmark", "nope"], "--device-landmark")])
def test_unknown_landmark_flags_exit_2_with_one_line(tmp_path: Path, args: list[str], flag: str) -> None:
    proc = subprocess.run([sys.executable, "main.py", "--headless", "--server", "offline", "--data-dir",
                           str(tmp_path), "--frames", "1", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if "error" in ln]
    assert len(lines) == 1 and flag in lines[0] and "nope" in lines[0] and "Traceback" not in proc.stderr


def test_kiosk_pin_writes_a_salted_scrypt_hash_never_the_pin(tmp_path: Path) -> None:
    path = write(tmp_path, "language = 'en'\n\n[idle]\nseconds = 30\n")
    answers = iter(["246810", "246810"])
    assert kiosk_pin_main(["--config", str(path)], ask=lambda _prompt: next(answers)) == 0
    text = path.read_text()
    assert "246810" not in text
    cfg = parse_args(["--config", str(path)])
    assert cfg.pin_hash is not None and verify_pin("246810", cfg.pin_hash) and not verify_pin("246811", cfg.pin_hash)
    assert cfg.idle_seconds == 30  # the rest of the file is untouched
    again = iter(["13579", "13579"])
    assert kiosk_pin_main(["--config", str(path)], ask=lambda _prompt: next(again)) == 0
    assert path.read_text().count("pin_hash") == 1
    assert with_pin_hash("[admin]\n", "scrypt$1$1$1$AA==$AA==").count("[admin]") == 1


@pytest.mark.parametrize("answers", [["12", "12"], ["1234", "4321"], ["abcd", "abcd"]])
def test_kiosk_pin_refuses_bad_or_mismatched_pins(tmp_path: Path, answers: list[str]) -> None:
    path = write(tmp_path, "")
    it = iter(answers)
    assert kiosk_pin_main(["--config", str(path)], ask=lambda _prompt: next(it)) == 2
    assert "pin_hash" not in path.read_text()


def test_the_shipped_example_config_is_valid() -> None:
    example = parse_kiosk_file((ROOT / "deploy" / "kiosk.example.toml").read_text(encoding="utf-8"))
    assert example.landmark == "hongyadong" and example.idle.seconds == 60


def test_event_mode_is_a_kiosk_with_the_landmark_picker() -> None:
    cfg = parse_args(["--event", "--windowed", "1280x720"])
    assert cfg.event and cfg.kiosk and cfg.window == (1280, 720)
