"""The backoff value: pure, capped, jittered, and Retry-After wins."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from net.retry import Backoff


def test_no_failures_means_no_wait() -> None:
    assert Backoff().delay(random.Random(1)) == 0.0


@given(st.integers(1, 40), st.integers(0, 2**32))
def test_delay_grows_but_stays_under_the_cap(failures: int, seed: int) -> None:
    b = Backoff(base_s=1.0, factor=2.0, cap_s=60.0, failures=failures)
    ceiling = min(60.0, 2.0 ** (failures - 1))
    assert ceiling / 2 <= b.delay(random.Random(seed)) <= ceiling


def test_increment_and_reset_return_new_values() -> None:
    b = Backoff()
    assert b.increment().increment().failures == 2
    assert b.failures == 0
    assert b.increment().reset() == b


def test_retry_after_wins_when_longer() -> None:
    assert Backoff(failures=1).delay(random.Random(0), retry_after=30.0) == 30.0
