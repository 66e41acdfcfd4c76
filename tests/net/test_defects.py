"""Regression tests for the ways sync lost, stranded or silently changed progress (issue 24, 1-9).

Real parts throughout: the real server on loopback, the real client store (SQLite), the sync
worker, and ``tests.net.faultproxy`` between them for what a lobby network does.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

import net.sync
from game.bootstrap import make_clock
from game.config import parse_args
from game.content import load_campaign
from game.i18n import Translator, load_tables
from game.rules.content import CheckinMode
from game.rules.progress import CheckIn, Share, summarize
from game.session import Session
from game.store import LocalStore, StoreUnavailable
from net.api import ApiClient, ApiError, Busy, Unreachable
from net.sync import SyncWorker
from net.wiring import OfflineSync, WorkerSync, unconfirmed_notes
from server.embedded import EmbeddedServer, start_embedded
from server.models import actions, players
from server.settings import Settings
from tests.net.faultproxy import FaultProxy

CAMPAIGN_ID = "jade-rabbit-chongqing"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def campaign():
    return load_campaign(CAMPAIGN_ID)


@pytest.fixture
def server(tmp_path: Path):
    settings = Settings(rate_per_s=1000.0, rate_burst=1000, device_checkins_per_window=10_000)
    with start_embedded(tmp_path / "server", CAMPAIGN_ID, settings=settings) as srv:
        yield srv


@pytest.fixture
def proxy(server: EmbeddedServer):
    with FaultProxy(int(server.url.rsplit(":", 1)[1]), stall_s=30.0) as p:
        yield p


@pytest.fixture
def i18n() -> Translator:
    return Translator(load_tables(), "en")


def drain(worker: SyncWorker, limit: int = 40) -> None:
    """Run steps until idle; a step that fails is retried (as the worker thread does)."""
    for _ in range(limit):
        try:
            if not worker.run_once():
                return
        except (Unreachable, ApiError):
            continue
    raise AssertionError("sync did not settle")


def play(campaign, store: LocalStore, n: int = 2) -> Session:
    session = Session(campaign, store, lambda: datetime.now(UTC))
    open_lms = [lm for lm in campaign.city.landmarks if lm.unlock_after == 0]
    for lm in open_lms[:n]:
        assert session.attempt(CheckIn(lm.id, CheckinMode.LEARN, quiz_choice=lm.quiz.answer)).applied
    return session


def remote_worker(store: LocalStore, url: str, code: str | None, campaign) -> SyncWorker:
    return SyncWorker(store, ApiClient(url), campaign, server_identity="remote", enroll_code=code)


def server_count(server: EmbeddedServer, table) -> int:
    with server.app.state.ctx.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)))


def wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


# ---- 1. enrolment is idempotent ----------------------------------------------------------------


def test_enrolment_answer_lost_then_retried_gets_the_same_token(tmp_path, server, proxy, campaign) -> None:
    store = LocalStore.open(tmp_path / "p.db")
    proxy.script.append(("POST /v1/devices/enroll", "lost_ack"))  # the server enrols; the 201 is lost
    worker = remote_worker(store, proxy.url, server.enrollment_code("laptop"), campaign)
    with pytest.raises(Unreachable):
        worker.run_once()
    drain(worker)
    session = play(campaign, store)
    drain(worker)
    assert store.pending_count() == 0
    assert proxy.counts["lost_ack"] == 1
    row = store.player(session.player_id)
    assert ApiClient(server.url, store.get_meta("device_token")).progress(row.server_id)["month_steps"] > 0


def test_enrolment_same_key_same_token_other_key_refused(server) -> None:
    code = server.enrollment_code("laptop")
    api = ApiClient(server.url)
    first = api.enroll(code, "lobby", "laptop", None, key="k" * 32)
    again = api.enroll(code, "lobby", "laptop", None, key="k" * 32)
    assert again["device_token"] == first["device_token"] and again["device_id"] == first["device_id"]
    with pytest.raises(ApiError) as refused:
        api.enroll(code, "lobby", "laptop", None, key="x" * 32)
    assert (refused.value.status, refused.value.code) == (401, "invalid_enrollment_code")
    with pytest.raises(ApiError) as keyless:
        api.enroll(code, "lobby", "laptop", None)
    assert keyless.value.status == 401


def test_spent_code_says_sync_needs_an_operator(tmp_path, server, campaign, i18n) -> None:
    code = server.enrollment_code("laptop")
    ApiClient(server.url).enroll(code, "another device", "laptop", None, key="o" * 32)
    store = LocalStore.open(tmp_path / "p.db")
    play(campaign, store)
    config = parse_args(["--server", server.url, "--enroll-code", code, "--data-dir", str(tmp_path), "--headless"])
    sync = WorkerSync(config, store, campaign)
    try:
        wanted = i18n.t("app.sync_operator", n=2)
        assert wait_for(lambda: sync.status_text(i18n) == wanted), sync.status_text(i18n)
        assert "operator" in wanted and not wanted.startswith(i18n.t("app.syncing"))
    finally:
        sync.stop()
    assert store.pending_count() == 2


# ---- 2. only the server's invalid_token drops the token ----------------------------------------


def test_a_stray_401_keeps_the_token(tmp_path, server, proxy, campaign) -> None:
    store = LocalStore.open(tmp_path / "p.db")
    worker = remote_worker(store, proxy.url, server.enrollment_code("laptop"), campaign)
    worker.run_once()  # enrolled
    play(campaign, store)
    token = store.get_meta("device_token")
    assert token
    proxy.script.extend([("POST /v1/sync ", "401"), ("POST /v1/sync ", "401")])
    worker.start()
    try:
        assert wait_for(lambda: store.pending_count() == 0, 30)
    finally:
        worker.stop()
    assert proxy.counts["401"] == 2
    assert store.get_meta("device_token") == token


def test_invalid_token_from_the_server_drops_it(tmp_path, server, campaign) -> None:
    store = LocalStore.open(tmp_path / "p.db")
    play(campaign, store)
    worker = remote_worker(store, server.url, server.enrollment_code("laptop"), campaign)
    store.set_meta("device_token", "revoked-or-unknown-token-xxxxxxxxxxxx")
    worker.api.token = store.get_meta("device_token")
    worker.start()
    try:
        # the code was never used: the worker enrols again and the actions go through
        assert wait_for(lambda: store.pending_count() == 0, 30)
    finally:
        worker.stop()
    assert store.get_meta("device_token") != "revoked-or-unknown-token-xxxxxxxxxxxx"


# ---- 3. a 404 re-links the player instead of forgetting it -------------------------------------


def test_404_relinks_by_claim_code_and_nothing_is_rejected(tmp_path, server, campaign) -> None:
    store = LocalStore.open(tmp_path / "p.db")
    worker = SyncWorker(store, ApiClient(server.url), campaign, server_identity="embedded", embedded=server)
    drain(worker)
    session = play(campaign, store, 2)
    drain(worker)
    server_id = store.player(session.player_id).server_id
    # this machine is enrolled again (its token was lost): a new device that does not know the player
    store.set_meta("device_token", None)
    worker.api.token = None
    # and, as after a lost acknowledgement, everything is re-sent
    with store._tx() as conn:
        conn.execute("UPDATE outbox SET status = 'pending'")
    drain(worker)
    assert session.attempt(Share("qr")).applied
    drain(worker)
    entries = store.entries(session.player_id)
    assert [e.status for e in entries] == ["applied"] * 3
    assert store.player(session.player_id).server_id == server_id
    remote = worker.api.progress(server_id)
    assert remote["month_steps"] == summarize(campaign, session.progress, datetime.now(UTC)).month_steps
    assert server_count(server, players) == 1


def test_reenrolled_after_the_claim_codes_expired_the_queue_still_drains(tmp_path, server, campaign) -> None:
    """The device is enrolled again after its players' claim codes expired: the server does not know
    the player for the new device and cannot re-link it, so the player is created again. Its old
    actions are held under the first server player (action_id_conflict, settled as held, never
    rejected) and must not stall the player's new action or anybody else's."""
    from sqlalchemy import update

    store = LocalStore.open(tmp_path / "p.db")
    worker = SyncWorker(store, ApiClient(server.url), campaign, server_identity="embedded", embedded=server)
    first = play(campaign, store, 2)
    local_id = first.player_id
    drain(worker)
    old_server_id = store.player(local_id).server_id
    with server.app.state.ctx.engine.begin() as conn:  # seven days later: the claim codes have expired
        conn.execute(update(players).values(claim_expires_at=datetime(2000, 1, 1, tzinfo=UTC)))
    store.set_meta("device_token", None)  # enrolled again: a device the server never saw
    worker.api.token = None
    with store._tx() as conn:  # and, as after a lost acknowledgement, everything is re-sent
        conn.execute("UPDATE outbox SET status = 'pending'")
    assert first.attempt(Share("qr")).applied
    first.end_guest()
    second = play(campaign, store, 1)
    drain(worker)
    assert store.pending_count() == 0
    statuses = [e.status for e in store.entries(local_id)]
    assert statuses == ["duplicate", "duplicate", "applied"]  # held elsewhere, never rejected; the new one applied
    assert [e.status for e in store.entries(second.player_id)] == ["applied"]
    assert store.player(local_id).server_id not in (None, old_server_id)
    assert server_count(server, actions) == 4


def test_an_action_the_server_holds_is_never_rejected() -> None:
    from net.outbox import verdicts

    [v] = verdicts({"results": [{"action_id": "a", "status": "rejected", "reason": "action_id_conflict"}]})
    assert v.status != "rejected"


# ---- 4. player creation is idempotent ----------------------------------------------------------


def test_lost_creation_answer_makes_no_second_player(tmp_path, server, proxy, campaign) -> None:
    store = LocalStore.open(tmp_path / "p.db")
    worker = remote_worker(store, proxy.url, server.enrollment_code("laptop"), campaign)
    drain(worker)
    play(campaign, store)
    proxy.script.extend([("POST /v1/sync ", "lost_ack"), ("POST /v1/sync ", "lost_ack")])
    drain(worker)
    assert proxy.counts["lost_ack"] == 2
    assert store.pending_count() == 0
    assert server_count(server, players) == 1
    assert server_count(server, actions) == 2


# ---- 5. 429 and 503 are "busy, retry after N s", not offline ------------------------------------


@pytest.mark.parametrize("fault", ["429", "503"])
def test_busy_answers_carry_retry_after(server, proxy, fault) -> None:
    proxy.retry_after_s = 7
    proxy.script.append(("GET /v1/health", fault))
    with pytest.raises(Busy) as busy:
        ApiClient(proxy.url).health()
    assert busy.value.retry_after == pytest.approx(7)
    assert busy.value.status == int(fault)


def test_busy_server_shows_busy_and_the_backoff_waits(tmp_path, server, proxy, campaign, i18n) -> None:
    store = LocalStore.open(tmp_path / "p.db")
    play(campaign, store)
    proxy.retry_after_s = 3
    proxy.set_weights({"429": 1.0})
    config = parse_args(["--server", proxy.url, "--enroll-code", server.enrollment_code("laptop"),
                         "--data-dir", str(tmp_path), "--headless"])
    sync = WorkerSync(config, store, campaign)
    try:
        assert wait_for(lambda: sync.status_text(i18n) == i18n.t("app.busy", n=2))
        time.sleep(2.0)
        # the server asked for 3 s: the worker has not asked again yet
        assert proxy.counts["429"] == 1
        assert sync.status_text(i18n) != i18n.t("app.offline_queued", n=2)
    finally:
        sync.stop()


# ---- 6. busy or read-only is not corrupt; one game per data folder ------------------------------


def seeded_store(path: Path, campaign) -> tuple[int, str]:
    store = LocalStore.open(path)
    session = play(campaign, store, 4)
    steps = summarize(campaign, session.progress, datetime.now(UTC)).month_steps
    store.close()
    return steps, session.player_id


def test_locked_database_waits_then_reports_and_is_not_moved(tmp_path, campaign) -> None:
    path = tmp_path / "progress.db"
    steps, player = seeded_store(path, campaign)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match="locked"):
            LocalStore.open(path, busy_timeout_s=0.5)
        assert time.monotonic() - started >= 0.4  # it waited before giving up
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not list(tmp_path.glob("progress.db.corrupt-*"))
    store = LocalStore.open(path)
    assert store.recovered_from is None
    assert summarize(campaign, store.load_progress(player), datetime.now(UTC)).month_steps == steps


def test_database_locked_during_play_keeps_the_action_and_saves_it_later(tmp_path, server, campaign, i18n) -> None:
    """Another program holds the write lock while the player checks in: the check-in is applied and
    kept in memory (the chip says so), never raised into the game or lost; once the lock is gone the
    sync worker writes it, in order, and it reaches the server."""
    store = LocalStore.open(tmp_path / "progress.db")
    session = play(campaign, store, 1)
    holder = sqlite3.connect(tmp_path / "progress.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        assert session.attempt(Share("qr")).applied  # no exception after the wait
        assert store.unsaved_count() == 1
        assert store.load_progress(session.player_id) == session.progress  # shown as applied
        assert OfflineSync(store).status_text(i18n) == i18n.t("app.unsaved", n=1)
        assert store.save_unsaved() is False  # still locked: kept, retried later
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    worker = SyncWorker(store, ApiClient(server.url), campaign, server_identity="embedded", embedded=server)
    drain(worker)
    assert store.unsaved_count() == 0
    assert [e.status for e in store.entries(session.player_id)] == ["applied", "applied"]
    assert [type(e.action).__name__ for e in store.entries(session.player_id)] == ["CheckIn", "Share"]
    assert server_count(server, actions) == 2
    store.close()
    reopened = LocalStore.open(tmp_path / "progress.db")
    assert summarize(campaign, reopened.load_progress(session.player_id), datetime.now(UTC)).month_steps == \
        summarize(campaign, session.progress, datetime.now(UTC)).month_steps


def test_second_copy_on_the_same_data_dir_is_refused(tmp_path, campaign) -> None:
    first = LocalStore.open(tmp_path / "progress.db")
    with pytest.raises(StoreUnavailable, match="another copy"):
        LocalStore.open(tmp_path / "progress.db")
    result = run_main(tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "another copy" in result.stderr
    first.close()
    LocalStore.open(tmp_path / "progress.db").close()  # free again once the first one closed


def test_corrupt_file_is_still_moved_aside(tmp_path) -> None:
    (tmp_path / "progress.db").write_bytes(b"this is not a database" * 100)
    store = LocalStore.open(tmp_path / "progress.db")
    assert store.recovered_from is not None and store.recovered_from.exists()


def run_main(data_dir: Path, unprivileged: bool = False) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(ROOT / "main.py"), "--headless", "--frames", "1", "--server", "offline",
           "--data-dir", str(data_dir)]
    if unprivileged:
        cmd = drop_root(cmd)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env={**os.environ, "SDL_VIDEODRIVER": "dummy"})


def drop_root(cmd: list[str]) -> list[str]:
    """Root ignores file modes: drop the capabilities that let it (uid stays, so paths stay readable)."""
    if os.geteuid() != 0:
        return cmd
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", *cmd]


def test_data_dir_that_is_a_file_is_one_line(tmp_path) -> None:
    target = tmp_path / "not-a-folder"
    target.write_text("x")
    result = run_main(target)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "is a file" in result.stderr


def test_read_only_database_is_reported_not_moved(tmp_path, campaign) -> None:
    steps, player = seeded_store(tmp_path / "progress.db", campaign)
    (tmp_path / "progress.db").chmod(0o444)
    result = run_main(tmp_path, unprivileged=True)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "cannot be written" in result.stderr
    assert not list(tmp_path.glob("progress.db.corrupt-*"))
    (tmp_path / "progress.db").chmod(0o644)
    store = LocalStore.open(tmp_path / "progress.db")
    assert summarize(campaign, store.load_progress(player), datetime.now(UTC)).month_steps == steps


def test_read_only_data_dir_is_one_line(tmp_path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    result = run_main(folder, unprivileged=True)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "not writable" in result.stderr


# ---- 7. what the server did not confirm is shown, never silent ----------------------------------


def test_rejection_after_the_player_saw_it_is_a_visible_note(tmp_path, server, campaign) -> None:
    visit = next(lm for lm in campaign.city.landmarks if lm.unlock_after == 0)
    store = LocalStore.open(tmp_path / "p.db")
    worker = SyncWorker(store, ApiClient(server.url), campaign, server_identity="embedded", embedded=server)
    drain(worker)
    session = Session(campaign, store, lambda: datetime.now(UTC), device_landmark=visit.id)
    assert session.attempt(CheckIn(visit.id, CheckinMode.VISIT)).applied  # the player saw it stamped
    drain(worker)  # this laptop is not enrolled at the landmark: the server rejects the visit
    unconfirmed = worker.unconfirmed(session.player_id)
    assert [e.reason for e in unconfirmed] == ["device_not_at_landmark"]
    en = Translator(load_tables(), "en")
    zh = Translator(load_tables(), "zh")
    assert unconfirmed_notes(en, unconfirmed) == [
        f"1 check-in could not be confirmed: {en.t('reason.device_not_at_landmark')}"]
    [note_zh] = unconfirmed_notes(zh, unconfirmed)
    assert note_zh.startswith("1 次打卡未能确认") and zh.t("reason.device_not_at_landmark") in note_zh
    assert worker.unconfirmed(session.player_id) == []  # told once, also after a restart


def test_an_action_after_a_settled_rejection_does_not_bring_it_back(tmp_path, server, campaign) -> None:
    visit, other = [lm for lm in campaign.city.landmarks if lm.unlock_after == 0][:2]
    store = LocalStore.open(tmp_path / "p.db")
    worker = SyncWorker(store, ApiClient(server.url), campaign, server_identity="embedded", embedded=server)
    drain(worker)
    session = Session(campaign, store, lambda: datetime.now(UTC), device_landmark=visit.id)
    assert session.attempt(CheckIn(visit.id, CheckinMode.VISIT)).applied
    drain(worker)  # rejected by the server and taken back in the store, before the frame loop polls
    assert session.attempt(CheckIn(other.id, CheckinMode.LEARN, quiz_choice=other.quiz.answer)).applied
    assert [c.landmark_id for c in store.load_progress(session.player_id).checkins] == [other.id]
    assert session.progress == store.load_progress(session.player_id)


def test_out_of_range_client_time_has_words_in_both_languages() -> None:
    for lang in ("en", "zh"):
        i18n = Translator(load_tables(), lang)
        assert i18n.t("reason.client_time_out_of_range") != "reason.client_time_out_of_range"


# ---- 8. --now reaches the embedded server -------------------------------------------------------


def test_now_reaches_the_embedded_server(tmp_path, campaign, i18n) -> None:
    config = parse_args(["--server", "embedded", "--data-dir", str(tmp_path), "--headless",
                         "--now", "2027-01-20T10:00+08:00"])
    store = LocalStore.open(tmp_path / "p.db")
    clock = make_clock(config.now)
    session = Session(campaign, store, clock)
    sync = WorkerSync(config, store, campaign, clock)
    try:
        assert wait_for(lambda: store.get_meta("device_token") is not None)
        lm = next(lm for lm in campaign.city.landmarks if lm.unlock_after == 0)
        assert session.attempt(CheckIn(lm.id, CheckinMode.LEARN, quiz_choice=lm.quiz.answer)).applied
        sync.worker.nudge()
        assert wait_for(lambda: store.pending_count() == 0)
        assert [e.status for e in store.entries()] == ["applied"]
        health = requests.get(sync.server.url + "/v1/health", timeout=5).json()
        server_time = datetime.fromisoformat(health["server_time"])
        assert abs((server_time - config.now).total_seconds()) < 120
        view = store.server_view(session.player_id)
        assert view["month"] == "2027-01" and view["month_steps"] > 0
    finally:
        sync.stop()


# ---- 9. a stalled network is not "Synced" --------------------------------------------------------


def test_stalled_requests_show_syncing_then_offline(tmp_path, server, proxy, campaign, i18n, monkeypatch) -> None:
    monkeypatch.setattr(net.sync, "HEALTH_EVERY_S", 0.5)  # a health check every round (idle otherwise)
    store = LocalStore.open(tmp_path / "p.db")
    config = parse_args(["--server", proxy.url, "--enroll-code", server.enrollment_code("laptop"),
                         "--data-dir", str(tmp_path), "--headless"])
    play(campaign, store, 1)
    sync = WorkerSync(config, store, campaign)
    try:
        assert wait_for(lambda: sync.status_text(i18n) == i18n.t("app.online"))
        proxy.set_weights({"stall": 1.0})
        stalled_at = time.monotonic()
        seen: list[tuple[float, str]] = []
        offline = i18n.t("app.offline")
        while time.monotonic() - stalled_at < 15 and (not seen or seen[-1][1] != offline):
            text = sync.status_text(i18n)
            if not seen or seen[-1][1] != text:
                seen.append((time.monotonic() - stalled_at, text))
            time.sleep(0.02)
    finally:
        proxy.set_weights({"pass": 1.0})
        sync.stop()
    synced_after = [t for t, text in seen if text == i18n.t("app.online") and t > 4.0]
    assert not synced_after, seen  # at most one idle round plus the 1.5 s grace say "Synced"
    assert any(text == i18n.t("app.syncing") for _, text in seen), seen
    assert seen[-1][1] == offline, seen
    assert seen[-1][0] < 13.0, seen  # one read timeout (8 s) after the request started


def test_worker_reports_in_flight_time(tmp_path, server, proxy, campaign) -> None:
    store = LocalStore.open(tmp_path / "p.db")
    play(campaign, store, 1)
    worker = remote_worker(store, proxy.url, server.enrollment_code("laptop"), campaign)
    proxy.script.append(("POST /v1/devices/enroll", "stall"))
    proxy.stall_s = 2.0
    result: list[BaseException] = []

    def step() -> None:
        try:
            worker.run_once()
        except Unreachable as err:
            result.append(err)

    t = threading.Thread(target=step)
    t.start()
    assert wait_for(lambda: worker.in_flight_s() > 1.0, 5)
    t.join(15)
    assert result and worker.in_flight_s() == 0.0
