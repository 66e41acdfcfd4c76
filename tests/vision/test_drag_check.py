"""A fit the coarse ECC slid off a good outline must not end the search just because it verifies."""

from __future__ import annotations

from game.vision.detector import DetectorConfig

from .conftest import assert_found_only_with_option


# A held-out thin wordmark on a wide white card (bench/vision_heldout.py's stream): the card
# outline is 2 px off, but the 32-px fit of another outline slides onto a squashed part of the
# card, verifies at 0.83 and used to end the search 77 px off. Finishing the outline it slid
# from as well, and keeping the better of the two, finds the print.
def test_slid_fit_that_verifies_is_checked_against_its_outline() -> None:
    assert_found_only_with_option("bench/data/heldout/green-thin.png", (23, 1), 7, DetectorConfig(drag_check=False))


# With the 128-px polish from 130 px up, a view slid along the wordmark's text by the coarse fit
# verifies and passes its turn cue (35 px off); the quick-correlation hypothesis it slid from is
# finished too and verifies better.
def test_slid_fit_from_a_strong_hypothesis_is_checked_too() -> None:
    assert_found_only_with_option("bench/data/heldout/green-thin.png", (23, 1), 19, DetectorConfig(drag_check=False))
