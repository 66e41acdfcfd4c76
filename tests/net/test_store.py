"""The local SQLite store: round trips, durability across reopen, and corrupt-file quarantine."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.content import load_campaign
from game.rules.codec import action_from_json, action_to_json, progress_from_json, progress_to_json
from game.rules.content import CheckinMode
from game.rules.progress import CheckIn, Collect, Share, TaskDone, summarize
from game.session import Session
from game.store import LocalStore

T0 = datetime(2027, 1, 31, 15, 30, tzinfo=UTC)  # 23:30 on Jan 31 in Shanghai


@pytest.fixture(scope="module")
def campaign():
    return load_campaign("jade-rabbit-chongqing")


def learn_landmark(campaign):
    return next(lm for lm in campaign.city.landmarks
                if lm.unlock_after == 0 and CheckinMode.LEARN in lm.modes and lm.quiz is not None)


def test_session_actions_survive_reopen(tmp_path: Path, campaign) -> None:
    lm = learn_landmark(campaign)
    store = LocalStore.open(tmp_path / "p.db")
    session = Session(campaign, store, lambda: T0)
    outcome = session.attempt(CheckIn(lm.id, CheckinMode.LEARN, quiz_choice=lm.quiz.answer))
    assert outcome.applied
    store.close()

    again = LocalStore.open(tmp_path / "p.db")
    assert again.recovered_from is None
    resumed = Session(campaign, again, lambda: T0)
    assert resumed.player_id == session.player_id
    assert resumed.progress == session.progress
    assert summarize(campaign, resumed.progress, T0).month_steps == outcome.steps > 0
    pending = again.entries(status="pending")
    assert [e.action for e in pending] == [CheckIn(lm.id, CheckinMode.LEARN, quiz_choice=lm.quiz.answer)]
    assert pending[0].at == T0
    assert again.pending_count() == 1


def test_rejected_action_is_not_recorded(tmp_path: Path, campaign) -> None:
    lm = learn_landmark(campaign)
    store = LocalStore.open(tmp_path / "p.db")
    session = Session(campaign, store, lambda: T0)
    wrong = (lm.quiz.answer + 1) % len(lm.quiz.choices)
    assert not session.attempt(CheckIn(lm.id, CheckinMode.LEARN, quiz_choice=wrong)).applied
    assert store.pending_count() == 0
    assert store.load_progress(session.player_id).checkins == ()


def test_end_guest_starts_a_clean_player_and_keeps_the_queue(tmp_path: Path, campaign) -> None:
    lm = learn_landmark(campaign)
    store = LocalStore.open(tmp_path / "p.db")
    session = Session(campaign, store, lambda: T0)
    first = session.player_id
    session.attempt(CheckIn(lm.id, CheckinMode.LEARN, quiz_choice=lm.quiz.answer))
    session.end_guest()
    assert session.player_id != first
    assert session.progress.checkins == ()
    assert store.pending_count() == 1
    assert {p.local_id for p in store.players()} == {first, session.player_id}


@pytest.mark.parametrize("garbage", [b"this is not a database at all" * 100, b"SQLite format 3\x00" + b"\xff" * 4000])
def test_corrupt_file_is_quarantined_and_replaced(tmp_path: Path, garbage: bytes) -> None:
    path = tmp_path / "p.db"
    path.write_bytes(garbage)
    store = LocalStore.open(path)
    assert store.recovered_from is not None
    assert store.recovered_from.exists()
    assert store.recovered_from.read_bytes() == garbage  # kept for support, not deleted
    assert store.new_player().startswith("local-")
    assert store.pending_count() == 0


def test_foreign_sqlite_database_is_not_adopted(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE something_else (x INTEGER)")
    store = LocalStore.open(path)
    assert store.recovered_from is not None
    assert store.players() == []


aware = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31),
                     timezones=st.just(UTC))
actions = st.one_of(
    st.builds(CheckIn, st.sampled_from(["a", "hongyadong"]), st.sampled_from(list(CheckinMode)),
              st.one_of(st.none(), st.integers(0, 3)), st.booleans()),
    st.builds(Collect, st.sampled_from(["jade-rabbit"]), st.one_of(st.none(), st.integers(1, 999))),
    st.builds(Share, st.sampled_from(["qr", "wechat"])),
    st.builds(TaskDone, st.sampled_from(["t1"])),
)


@given(actions)
def test_action_codec_round_trips(action) -> None:
    assert action_from_json(action_to_json(action)) == action


@settings(max_examples=30)
@given(st.lists(st.tuples(actions, aware), max_size=8))
def test_progress_codec_round_trips(items, ) -> None:
    from game.rules.progress import Context, Progress, apply

    campaign = load_campaign("jade-rabbit-chongqing")
    progress = Progress()
    for action, at in sorted(items, key=lambda i: i[1]):
        progress = apply(campaign, progress, action, Context(now=at, device_landmark="hongyadong")).progress
    progress = progress.__class__(**{**progress.__dict__, "shares": (T0, T0 + timedelta(days=1))})
    assert progress_from_json(progress_to_json(progress)) == progress
