"""The hand-off, end to end: a visitor plays at kiosk A; A's hand-off QR is decoded from the screenshot,
its page opened over HTTP from the real server; then kiosk B's synthetic camera shows that QR and B
resumes the same player."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pygame
import pytest
import requests

from game.actions import Kind
from game.config import parse_args
from game.content import load_campaign
from game.kiosk.handoff import decode_qr, parse_claim
from game.rules.progress import Progress
from game.store import LocalStore
from game.vision.sources import SyntheticSource
from net.wiring import WorkerSync
from server.embedded import start_embedded
from tests.kiosk.harness import KioskRun, key, run_kiosk, tap
from tests.kiosk.test_privacy import check_in

START = (960, 700)
CAMPAIGN = "jade-rabbit-chongqing"


@pytest.fixture
def server(tmp_path: Path):
    with start_embedded(tmp_path / "server", CAMPAIGN) as srv:
        yield srv
    pygame.quit()


def kiosk_sync(tmp_path: Path, store: LocalStore, url: str, code: str, landmark: str) -> WorkerSync:
    """A kiosk's sync, enrolled before its first visitor (the server credits nothing from before enrolment)."""
    config = parse_args(["--server", url, "--enroll-code", code, "--data-dir", str(tmp_path), "--kiosk",
                         "--device-landmark", landmark])
    sync = WorkerSync(config, store, load_campaign(CAMPAIGN))
    wait_for(lambda: sync.worker is not None)
    assert sync.worker is not None and sync.worker.ensure_enrolled()
    return sync


def wait_for(predicate, seconds: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + seconds
    while not predicate() and time.monotonic() < end:
        time.sleep(0.05)


def test_hand_off_qr_opens_the_page_and_resumes_the_player_on_another_kiosk(tmp_path: Path, server) -> None:  # type: ignore[no-untyped-def]
    # ---- kiosk A: a visitor checks in, goes Back, and gets the hand-off QR -----------------------------
    a_dir = tmp_path / "a"
    store_a = LocalStore.open(a_dir / "progress.db")
    sync_a = kiosk_sync(a_dir, store_a, server.url, server.enrollment_code("kiosk", "jiefangbei"), "jiefangbei")
    shot: dict[str, object] = {}

    def play(run: KioskRun) -> None:
        if run.app.frame == 8:
            check_in(run)
            shot["steps"] = run.services.session.summary().month_steps
            shot["player"] = run.services.session.player_id
        top = run.app.stack.top
        if top is not None and top.name == "handoff" and "waited" not in shot:
            shot["waited"] = True
            wait_for(lambda: store_a.claim_code(shot["player"]) is not None)  # the sync creates the player
            time.sleep(0.6)  # the scene polls twice a second
        if "qr_frame" in shot and "png" not in shot and run.app.frame > shot["qr_frame"]:  # type: ignore[operator]
            shot["png"] = run.app.screen.copy()  # type: ignore[union-attr]  (the screen holds the last frame drawn)
        if top is not None and top.name == "handoff" and getattr(top, "qr", None) is not None:
            shot.setdefault("qr_frame", run.app.frame)

    extra = ["--server", server.url, "--camera", "none", "--device-landmark", "jiefangbei"]
    try:
        run = run_kiosk(a_dir, store_a, frames=90, script=[*tap(2, START), *key(12, Kind.BACK)], on_frame=play,
                        sync=sync_a, extra_args=extra)
    finally:
        sync_a.stop()
    assert "png" in shot, f"no QR on the hand-off (tops: {sorted(set(run.tops))})"
    path = tmp_path / "handoff.png"
    pygame.image.save(shot["png"], str(path))  # type: ignore[arg-type]

    # ---- the QR, as a phone reads it from the screen ------------------------------------------------
    image = cv2.imread(str(path))
    text = decode_qr(image) or ""
    assert text.startswith(server.url + "/claim/")
    code = parse_claim(text)
    stored = store_a.claim_code(shot["player"])  # type: ignore[arg-type]
    assert code is not None and stored is not None and code == stored.replace("-", "")
    store_a.close()

    page = requests.get(text, timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    body = page.text
    assert f">{shot['steps']}<" in body  # this month's steps
    campaign = load_campaign(CAMPAIGN)
    visited = next(lm for lm in campaign.city.landmarks if lm.quiz is not None and lm.unlock_after == 0)
    assert visited.name.zh in body and visited.name.en in body  # bilingual
    others = [lm for lm in campaign.city.landmarks if lm.id != visited.id]
    assert not any(lm.name.en in body for lm in others)  # nobody else's check-ins
    assert requests.get(server.url + "/claim/ZZZZZZZZ", timeout=10).status_code == 404

    # ---- kiosk B: its synthetic camera shows that QR on the attract loop ---------------------------------
    qr = cv2.imread(str(path))[260:800, 1120:1720]  # the QR panel of the hand-off screen
    b_dir = tmp_path / "b"
    store_b = LocalStore.open(b_dir / "progress.db")
    sync_b = kiosk_sync(b_dir, store_b, server.url, server.enrollment_code("kiosk", "ciqikou"), "ciqikou")
    resumed: dict[str, object] = {}

    def camera() -> SyntheticSource:
        return SyntheticSource(np.ascontiguousarray(qr), size=(1280, 720), seed=5, path="still").start()

    def watch(run: KioskRun) -> None:
        top = run.app.stack.top
        if top is not None and top.name == "attract" and "player" not in resumed:
            time.sleep(0.05)  # wall time for the watcher thread (the headless loop runs faster than real time)
        if top is not None and top.name == "map" and "player" not in resumed:
            resumed["player"] = run.services.session.player_id
            resumed["progress"] = run.services.session.progress
            resumed["steps"] = run.services.session.summary().month_steps

    try:
        run_kiosk(b_dir, store_b, frames=400, on_frame=watch, sync=sync_b, camera=camera,
                  extra_args=["--server", server.url, "--device-landmark", "ciqikou"])
        row = store_b.player(resumed["player"]) if "player" in resumed else None  # type: ignore[arg-type]
    finally:
        sync_b.stop()
        store_b.close()
    assert "player" in resumed, "kiosk B never resumed the player from the QR"
    assert row is not None and row.claim_code is not None and row.claim_code.replace("-", "") == code
    assert resumed["steps"] == shot["steps"]  # the visitor continues with their steps
    assert resumed["progress"] != Progress()
    # ... and with their check-in records: "checked in today" and the unlock order are right here too
    assert [c.landmark_id for c in resumed["progress"].checkins] == [visited.id]  # type: ignore[attr-defined]
