"""A card outline that the coarse ECC drags away (a finger, glare) still gets its own fine alignment."""

from __future__ import annotations

import pytest

from game.vision.detector import DetectorConfig

from .conftest import assert_found_only_with_option

# A finger over the lantern: the coarse ECC moves its card outline (3 % of the size off) 9 px away, to
# a fit of 0.42, while the fine alignment from the outline itself verifies at 0.80.
CASES = [("bench/data/lantern.png", (7, 1), 32)]


@pytest.mark.parametrize(("path", "stream", "index"), CASES)
def test_outline_dragged_by_coarse_alignment_is_still_found(path: str, stream: tuple[int, int], index: int) -> None:
    # Without the outline's own chance the same view is lost: this is what the option buys.
    assert_found_only_with_option(path, stream, index, DetectorConfig(outline_keep_shift=0.0))
