"""The pure outbox core: the local view rebuilt from settled and pending entries plus the server's totals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from game.content import load_campaign
from game.rules.content import CheckinMode
from game.rules.progress import CheckIn, Progress, month_steps
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


def server_view(campaign, progress, at: datetime) -> dict:
    """The server's progress document for a player, as it arrives over the wire."""
    import json

    from pydantic_core import to_json

    from server.progress_view import progress_doc

    return json.loads(to_json(progress_doc(campaign, "server-player", progress, at)))


def test_a_resumed_player_brings_their_checkins_and_collectibles_to_the_rules(campaign) -> None:
    """A player claimed on this device (their QR shown at another kiosk) has no local entries: the
    server's check-ins make "checked in today", the unlock order and "already owned" right here."""
    from game.rules.progress import Collect, Context, PinState, Reason, apply, pin_state, summarize

    first = next(lm for lm in campaign.city.landmarks if lm.unlock_after == 0 and lm.quiz is not None)
    locked = next(lm for lm in campaign.city.landmarks if lm.unlock_after == 1)
    common = next(c for c in campaign.collectibles if str(c.rarity) == "common")
    elsewhere = Progress()
    for action in (CheckIn(first.id, CheckinMode.LEARN, quiz_choice=first.quiz.answer), Collect(common.id)):
        elsewhere = apply(campaign, elsewhere, action, Context(now=T0)).progress
    later = T0 + timedelta(hours=2)
    assert pin_state(campaign, Progress(), locked, later) is PinState.LOCKED

    here = rebuild(campaign, [], server_view(campaign, elsewhere, later))
    assert first.id in summarize(campaign, here, later).checked_in_today
    assert pin_state(campaign, here, first, later) is PinState.CHECKED_IN
    assert pin_state(campaign, here, locked, later) is PinState.AVAILABLE  # one distinct check-in unlocks it
    again = apply(campaign, here, CheckIn(first.id, CheckinMode.LEARN, quiz_choice=first.quiz.answer), Context(later))
    assert again.reason is Reason.ALREADY_TODAY
    assert apply(campaign, here, Collect(common.id), Context(later)).reason is Reason.ALREADY_OWNED
    assert month_steps(campaign, here, later) == month_steps(campaign, elsewhere, later)  # steps counted once
    tomorrow = T0 + timedelta(days=1)
    assert first.id not in summarize(campaign, here, tomorrow).checked_in_today


def test_the_devices_own_checkins_are_not_doubled_by_the_servers_copy(campaign) -> None:
    own = entry(campaign, 0, "applied", T0)
    local = rebuild(campaign, [own])
    merged = rebuild(campaign, [own], server_view(campaign, local, T0 + timedelta(minutes=5)))
    assert len(merged.checkins) == 1 and month_steps(campaign, merged, T0) == month_steps(campaign, local, T0)
