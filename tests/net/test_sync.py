"""The outbox drained to a real server on loopback: nothing lost, nothing applied twice."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from game.content import load_campaign
from game.rules.content import CheckinMode
from game.rules.progress import CheckIn, Share, summarize
from game.session import Session
from game.store import LocalStore
from net.api import ApiClient, Unreachable
from net.sync import SyncWorker
from server.embedded import start_embedded
from server.settings import Settings

CAMPAIGN_ID = "jade-rabbit-chongqing"


@pytest.fixture(scope="module")
def campaign():
    return load_campaign(CAMPAIGN_ID)


@pytest.fixture
def server(tmp_path: Path):
    with start_embedded(tmp_path / "server", CAMPAIGN_ID) as srv:
        yield srv


def open_landmarks(campaign, mode: CheckinMode):
    return [lm for lm in campaign.city.landmarks if lm.unlock_after == 0 and mode in lm.modes]


def drain(worker: SyncWorker, limit: int = 20) -> int:
    steps = 0
    while worker.run_once():
        steps += 1
        assert steps < limit, "sync did not settle"
    return steps


def play_offline(campaign, store: LocalStore, device_landmark: str | None = None) -> Session:
    session = Session(campaign, store, lambda: datetime.now(UTC), device_landmark)
    for lm in open_landmarks(campaign, CheckinMode.LEARN)[:2]:
        assert session.attempt(CheckIn(lm.id, CheckinMode.LEARN, quiz_choice=lm.quiz.answer)).applied
    assert session.attempt(Share("qr")).applied
    return session


def make_worker(store, server, campaign, **kw) -> SyncWorker:
    return SyncWorker(store, ApiClient(server.url), campaign, server_identity="embedded", embedded=server, **kw)


def test_offline_progress_reaches_the_server(tmp_path: Path, server, campaign) -> None:
    store = LocalStore.open(tmp_path / "p.db")
    worker = make_worker(store, server, campaign)
    drain(worker)  # enrols at once: the server credits nothing stamped before the enrolment
    session = play_offline(campaign, store)
    local_steps = summarize(campaign, session.progress, datetime.now(UTC)).month_steps
    assert store.pending_count() == 3

    drain(worker)
    assert store.pending_count() == 0
    row = store.player(session.player_id)
    assert row is not None and row.server_id and row.claim_code
    assert [e.status for e in store.entries(session.player_id)] == ["applied"] * 3

    remote = worker.api.progress(row.server_id)
    assert remote["month_steps"] == local_steps
    assert sorted(c["landmark_id"] for c in remote["checkins"]) == sorted(c.landmark_id for c in session.progress.checkins)
    assert store.server_view(session.player_id)["month_steps"] == local_steps


def test_resend_after_a_crash_is_applied_once(tmp_path: Path, server, campaign) -> None:
    store = LocalStore.open(tmp_path / "p.db")
    worker = make_worker(store, server, campaign)
    drain(worker)
    session = play_offline(campaign, store)
    drain(worker)
    steps_once = store.server_view(session.player_id)["month_steps"]
    # a crash between sending and settling: the store still says "pending" for everything
    with store._tx() as conn:
        conn.execute("UPDATE outbox SET status = 'pending'")
    store.close()

    reopened = LocalStore.open(tmp_path / "p.db")
    worker = make_worker(reopened, server, campaign)
    drain(worker)
    assert reopened.pending_count() == 0
    row = reopened.player(session.player_id)
    assert worker.api.progress(row.server_id)["month_steps"] == steps_once
    assert reopened.load_progress(session.player_id) == session.progress


def test_server_rejection_is_taken_back_locally(tmp_path: Path, server, campaign) -> None:
    visit = next(lm for lm in campaign.city.landmarks if lm.unlock_after == 0 and CheckinMode.VISIT in lm.modes)
    store = LocalStore.open(tmp_path / "p.db")
    # the kiosk claims to stand at the landmark, but its server enrolment has no landmark
    worker = make_worker(store, server, campaign)  # enrols without a landmark
    drain(worker)
    session = Session(campaign, store, lambda: datetime.now(UTC), device_landmark=visit.id)
    assert session.attempt(CheckIn(visit.id, CheckinMode.VISIT)).applied
    drain(worker)
    [entry] = store.entries(session.player_id)
    assert entry.status == "rejected"
    assert entry.reason == "device_not_at_landmark"
    session.reload()
    assert session.progress.checkins == ()


def test_server_down_keeps_everything_queued(tmp_path: Path, campaign) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = LocalStore.open(tmp_path / "p.db")
    store.set_meta("device_token", "whatever")
    store.set_meta("server_identity", f"http://127.0.0.1:{port}")
    play_offline(campaign, store)
    worker = SyncWorker(store, ApiClient(f"http://127.0.0.1:{port}"), campaign,
                        server_identity=f"http://127.0.0.1:{port}")
    with pytest.raises(Unreachable):
        worker.run_once()
    assert store.pending_count() == 3


def test_worker_thread_syncs_in_the_background(tmp_path: Path, server, campaign) -> None:
    store = LocalStore.open(tmp_path / "p.db")
    worker = make_worker(store, server, campaign)
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while not store.get_meta("device_token") and time.monotonic() < deadline:
            time.sleep(0.02)
        play_offline(campaign, store)
        worker.nudge()
        deadline = time.monotonic() + 20
        while (store.pending_count() or not worker.status.online) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert store.pending_count() == 0
        assert worker.status.online and worker.status.enrolled
        assert worker.latest() is not None
    finally:
        worker.stop()


def test_remote_server_without_enrolment_code_stays_queued(tmp_path: Path, server, campaign) -> None:
    store = LocalStore.open(tmp_path / "p.db")
    play_offline(campaign, store)
    worker = SyncWorker(store, ApiClient(server.url), campaign, server_identity=server.url)
    assert worker.run_once() is False
    assert store.pending_count() == 3
    assert worker.status.enrolled is False and "enrol" in (worker.status.last_error or "")


def test_enrolment_code_for_a_remote_server(tmp_path: Path, server, campaign) -> None:
    store = LocalStore.open(tmp_path / "p.db")
    worker = SyncWorker(store, ApiClient(server.url), campaign, server_identity=server.url,
                        enroll_code=server.enrollment_code("laptop"))
    drain(worker)
    play_offline(campaign, store)
    drain(worker)
    assert store.pending_count() == 0
    assert store.get_meta("device_token")


def test_the_first_round_enrols_before_anything_is_played(tmp_path: Path, server, campaign) -> None:
    store = LocalStore.open(tmp_path / "p.db")
    worker = SyncWorker(store, ApiClient(server.url), campaign, server_identity=server.url,
                        enroll_code=server.enrollment_code("laptop"))
    assert store.pending_count() == 0
    worker.run_once()
    assert store.get_meta("device_token")  # the server credits no action stamped before the enrolment
    assert worker.run_once() is False  # then idle: nothing pending


def test_a_server_with_a_small_body_limit_gets_smaller_rounds(tmp_path: Path, campaign) -> None:
    settings = Settings(rate_per_s=1000.0, rate_burst=1000, device_checkins_per_window=10_000, max_body_bytes=2048)
    with start_embedded(tmp_path / "server", CAMPAIGN_ID, settings=settings) as small:
        store = LocalStore.open(tmp_path / "p.db")
        for _ in range(4):
            play_offline(campaign, store)
            Session(campaign, store, lambda: datetime.now(UTC)).end_guest()
        worker = SyncWorker(store, ApiClient(small.url), campaign, server_identity="embedded", embedded=small)
        drain(worker)
        assert store.pending_count() == 0
        assert {e.status for e in store.entries()} == {"applied"}
