"""Start-scene names: ``map:<landmark-id>`` opens the scroll on a landmark; bad names are usage errors."""

from __future__ import annotations

import pytest

from game.config import parse_args


@pytest.mark.parametrize("name", ["attract", "map", "map:chaotianmen", "card:hongyadong", "rewards", "album"])
def test_known_scene_names(name: str) -> None:
    assert parse_args(["--scene", name]).scene == name


@pytest.mark.parametrize("name", ["map:", "card:", "map:Bad Id", "maps", "album:x"])
def test_bad_scene_names_exit_2_naming_the_flag(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        parse_args(["--scene", name])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--scene" in err[0]
