"""An undecided orientation cue re-aligns the two best turns and keeps the one that names itself."""

from __future__ import annotations

from game.vision.detector import DetectorConfig

from .conftest import assert_found_only_with_option


# A medallion (four-fold symmetric but for a small arrowhead) whose card outline was taken in
# the wrong corner order: the fine alignment settles on the print turned by a half turn, where
# the cue names the true turn by only 0.07. Re-aligned there, the true turn names itself by 0.32.
def test_undecided_turn_is_asked_again_from_the_realigned_turn() -> None:
    assert_found_only_with_option("bench/data/medallion.png", (7, 2), 68, DetectorConfig(turn_duel=False))
