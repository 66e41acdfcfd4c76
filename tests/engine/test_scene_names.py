"""Start-scene names: ``map:<landmark-id>`` opens the scroll on a landmark; bad names are usage errors."""

from __future__ import annotations

import pytest

from game.config import check_ids, parse_args


@pytest.mark.parametrize("name", ["attract", "map", "map:chaotianmen", "card:hongyadong", "rewards", "album",
                                  "scan", "scan:geleshan", "share:lantern-rabbit"])
def test_known_scene_names(name: str) -> None:
    assert parse_args(["--scene", name]).scene == name


@pytest.mark.parametrize("name", ["map:", "card:", "map:Bad Id", "maps", "album:x"])
def test_bad_scene_names_exit_2_naming_the_flag(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        parse_args(["--scene", name])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--scene" in err[0]


def test_landmark_ids_are_checked_for_map_card_and_scan_but_share_names_a_collectible() -> None:
    landmarks = {"geleshan", "ciqikou"}
    for name in ("map:ciqikou", "card:geleshan", "scan:geleshan", "share:lantern-rabbit"):
        assert check_ids(parse_args(["--scene", name]), landmarks) is None, name
    err = check_ids(parse_args(["--scene", "scan:nowhere"]), landmarks)
    assert err is not None and "--scene" in err and "'nowhere'" in err
