"""An outline that correlates well gets a fine alignment of its own when the fine slots found nothing."""

from __future__ import annotations

from game.vision.detector import DetectorConfig

from .conftest import assert_found_only_with_option


# A kite wordmark whose card outline is 5 px off (quick correlation 0.37): two other outline
# starts ranked above it took both fine slots and failed, and its own 32-px fit slid to 11 px
# off. Finished from the outline, it verifies at 0.83, 1.6 px off.
def test_well_correlated_outline_gets_a_slot_of_its_own() -> None:
    assert_found_only_with_option("bench/data/kite-wordmark.png", (7, 3), 30, DetectorConfig(outline_slot=0.0))
