"""The sync chip's words: connecting while the embedded server starts, then synced or offline."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from game.config import parse_args
from game.content import load_campaign
from game.i18n import Translator, load_tables
from game.store import LocalStore
from net.wiring import WorkerSync

CAMPAIGN_ID = "jade-rabbit-chongqing"


def status_after(sync: WorkerSync, i18n: Translator, wanted: str, timeout: float = 20.0) -> list[str]:
    """Every distinct status text shown until ``wanted`` appears (or the timeout)."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = sync.status_text(i18n)
        if not seen or seen[-1] != text:
            seen.append(text)
        if text == wanted:
            break
        time.sleep(0.01)
    return seen


def statuses(tmp_path: Path, server: str, i18n: Translator, wanted: str) -> list[str]:
    """Start the sync side for ``--server server`` and collect its status texts until ``wanted``."""
    config = parse_args(["--server", server, "--data-dir", str(tmp_path), "--headless"])
    sync = WorkerSync(config, LocalStore.open(tmp_path / "client.db"), load_campaign(CAMPAIGN_ID))
    try:
        return status_after(sync, i18n, wanted)
    finally:
        sync.stop()


@pytest.fixture
def i18n() -> Translator:
    return Translator(load_tables(), "en")


def test_embedded_start_says_connecting_then_synced(tmp_path: Path, i18n: Translator) -> None:
    seen = statuses(tmp_path, "embedded", i18n, i18n.t("app.online"))
    assert seen[0] == i18n.t("app.connecting")  # not "offline" while the server is still starting
    assert seen[-1] == i18n.t("app.online")
    assert i18n.t("app.offline") not in seen


def test_unreachable_server_turns_connecting_into_offline(tmp_path: Path, i18n: Translator) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    seen = statuses(tmp_path, f"http://127.0.0.1:{port}", i18n, i18n.t("app.offline"))
    assert seen[-1] == i18n.t("app.offline")
    assert set(seen) <= {i18n.t("app.connecting"), i18n.t("app.offline")}
