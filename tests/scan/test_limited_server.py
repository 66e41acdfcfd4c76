"""Limited items against the real embedded server (loopback HTTP, SQLite): the scan is pending while
offline, then the server's roll grants the limited rabbit with a serial; with the supply at 0, it is
sold out and the consolation item given instead. The server's random numbers are injected (its
Settings.rng): a pass of the chance gate, then the last item of the weighted pick."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pygame
import pytest
from sqlalchemy import text

from game.bootstrap import build_services
from game.config import parse_args
from game.content import load_campaign
from game.rules.content import CheckinMode
from game.rules.progress import CheckIn, Scan
from game.scan.limited import LimitedState, limited_status, owned_items
from game.session import Session
from game.store import LocalStore
from net.api import ApiClient
from net.sync import SyncWorker
from scenes.album import AlbumScene
from server.embedded import EmbeddedServer, start_embedded
from server.settings import Settings

CAMPAIGN = load_campaign("jade-rabbit-chongqing")
LIMITED = "golden-jade-rabbit"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    rolls = iter([0.0, 0.999] * 50)  # chance gate passes; the pick takes the limited rabbit (listed last)
    with start_embedded(tmp_path / "server", CAMPAIGN.id, settings=Settings(rng=lambda: next(rolls))) as srv:
        yield srv


def eligible_player(path: Path, server: EmbeddedServer) -> tuple[LocalStore, Session]:
    """A player on an enrolled device who has answered five quizzes (the limited rabbit needs five
    check-ins). The device enrols first: the server credits nothing from before a device's enrolment."""
    store = LocalStore.open(path)
    _, token = server.enroll_local_device()
    store.set_meta("server_identity", "embedded")
    store.set_meta("device_token", token)
    session = Session(CAMPAIGN, store, lambda: datetime.now(UTC))
    open_now = [lm for lm in CAMPAIGN.city.landmarks if lm.unlock_after == 0 and lm.quiz is not None][:5]
    for lm in open_now:
        assert session.attempt(CheckIn(lm.id, CheckinMode.LEARN, quiz_choice=lm.quiz.answer)).applied
    return store, session


def sync_all(store: LocalStore, server: EmbeddedServer) -> None:
    worker = SyncWorker(store, ApiClient(server.url), CAMPAIGN, server_identity="embedded", embedded=server)
    try:
        for _ in range(20):
            if not worker.run_once():
                return
        raise AssertionError("sync did not settle")
    finally:
        worker.api.close()


def album_line(store: LocalStore, tmp_path: Path, lang: str = "en") -> str:
    """The limited item's status as the real album draws it."""
    pygame.init()
    pygame.display.set_mode((64, 64))
    built = build_services(parse_args(["--headless", "--data-dir", str(tmp_path), "--lang", lang]), store)
    album = AlbumScene(built.services)
    owned = album.owned()
    status = album._status(CAMPAIGN.collectible(LIMITED), owned)  # type: ignore[arg-type]
    assert status is not None
    return status[0]


def test_offline_pending_then_granted_with_a_serial(tmp_path: Path, server: EmbeddedServer) -> None:
    store, session = eligible_player(tmp_path / "client.db", server)
    assert session.attempt(Scan()).applied  # what the scan scene records when a limited item rose
    status = limited_status(store, session.player_id, CAMPAIGN, LIMITED)
    assert status.state is LimitedState.PENDING and status.serial is None
    assert album_line(store, tmp_path) == "Pending: number coming"
    sync_all(store, server)  # the server answers
    session.reload()
    status = limited_status(store, session.player_id, CAMPAIGN, LIMITED)
    assert status.state is LimitedState.GRANTED
    assert status.serial is not None and 1 <= status.serial <= 1000
    local = {o.collectible_id: o.serial for o in session.progress.collectibles}
    assert owned_items(store, session.player_id, local)[LIMITED] == status.serial
    assert album_line(store, tmp_path) == f"No. {status.serial:,} / 1,000"
    store.close()


def test_sold_out_is_told_and_the_consolation_given(tmp_path: Path, server: EmbeddedServer) -> None:
    store, session = eligible_player(tmp_path / "client.db", server)
    assert session.attempt(Scan()).applied
    with server.app.state.ctx.engine.begin() as conn:  # every serial has been handed out
        conn.execute(text("UPDATE supply SET remaining = 0 WHERE collectible_id = :c"), {"c": LIMITED})
    sync_all(store, server)
    session.reload()
    status = limited_status(store, session.player_id, CAMPAIGN, LIMITED)
    assert status.state is LimitedState.SOLD_OUT
    assert status.consolation == "lantern-rabbit"
    local = {o.collectible_id: o.serial for o in session.progress.collectibles}
    assert LIMITED not in local
    assert "lantern-rabbit" in owned_items(store, session.player_id, local)
    assert album_line(store, tmp_path) == "Sold out"
    store.close()
