"""The pure outbox core: the local view rebuilt from settled and pending entries plus the server's totals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from game.content import load_campaign
from game.rules.content import CheckinMode
from game.rules.progress import CheckIn, month_steps
from game.store import OutboxEntry
from net.outbox import rebuild

T0 = datetime(2027, 1, 10, 4, 0, tzinfo=UTC)  # noon in Shanghai


@pytest.fixture(scope="module")
def campaign():
    return load_campaign("jade-rabbit-chongqing")


def entry(campaign, seq: int, status: str, at: datetime) -> OutboxEntry:
    lm = [lm for lm in campaign.city.landmarks
          if lm.unlock_after == 0 and CheckinMode.LEARN in lm.modes and lm.quiz is not None][seq]
    action = CheckIn(lm.id, CheckinMode.LEARN, quiz_choice=lm.quiz.answer)
    return OutboxEntry(seq, f"a{seq}", "p1", action, at, None, status)


def view(steps: int, at: datetime) -> dict:
    return {"month_steps": steps, "server_time": at.isoformat()}


def test_rejected_entries_do_not_count_and_pending_ones_do(campaign) -> None:
    applied, rejected, pending = (entry(campaign, i, s, T0) for i, s in enumerate(["applied", "rejected", "pending"]))
    one = month_steps(campaign, rebuild(campaign, [applied]), T0)
    assert one > 0
    assert month_steps(campaign, rebuild(campaign, [applied, rejected, pending]), T0) == 2 * one


def test_server_only_steps_become_one_server_grant(campaign) -> None:
    applied = entry(campaign, 0, "applied", T0)
    pending = entry(campaign, 1, "pending", T0 + timedelta(minutes=5))
    known = month_steps(campaign, rebuild(campaign, [applied]), T0)
    # the server also counted a partner task worth 30 steps that this device never saw
    progress = rebuild(campaign, [applied, pending], view(known + 30, T0 + timedelta(minutes=1)))
    server_grants = [g for g in progress.grants if g.source == "server"]
    assert [g.steps for g in server_grants] == [30]
    # pending work still shows on top of the server's total
    assert month_steps(campaign, progress, T0) == 2 * known + 30


@pytest.mark.parametrize("bad", [None, {}, {"month_steps": "x", "server_time": T0.isoformat()},
                                 {"month_steps": 5, "server_time": "2027-01-10T04:00:00"}])
def test_no_server_grant_without_a_usable_server_view(campaign, bad) -> None:
    applied = entry(campaign, 0, "applied", T0)
    assert not [g for g in rebuild(campaign, [applied], bad).grants if g.source == "server"]


def test_server_behind_the_device_never_takes_steps_away(campaign) -> None:
    applied = entry(campaign, 0, "applied", T0)
    progress = rebuild(campaign, [applied], view(0, T0))
    assert month_steps(campaign, progress, T0) == month_steps(campaign, rebuild(campaign, [applied]), T0)
