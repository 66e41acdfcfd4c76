"""The pages the server serves, in a real browser: the claim page (`GET /claim/{code}`) as a visitor's phone
shows it, and the API reference (`/docs`). Debian's chromium, driven by
Playwright through ``executable_path``, against the real server on loopback.

The hand-off QR on a kiosk opens this page. What a visitor relies on: their steps, tier and
landmarks are there in both languages, the page fits a phone's width without sideways scrolling,
the QR on it decodes back to the page's own address, and an unknown code says so without a trace
of anyone else's progress. Both databases, since the page reads the ledger.

Chromium comes from apt (`apt-get install chromium`; `.ci/run` installs it). Without it these tests
skip locally and FAIL when CI_REQUIRE_BROWSER=1 (exported by .ci/run).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from game.kiosk.handoff import decode_qr
from server.embedded import ThreadedServer
from tests.server.conftest import Api, action

CHROMIUM_ENV = "CHROMIUM"
PHONE = {"width": 390, "height": 844}  # CSS pixels of a common phone


def chromium_path() -> str | None:
    return os.environ.get(CHROMIUM_ENV) or shutil.which("chromium") or shutil.which("chromium-browser")


def browser_required() -> bool:
    env = os.environ
    return env.get("CI_REQUIRE_BROWSER", "").strip().lower() in ("1", "true", "yes") or env.get("CI", "") == "true"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        message = "Debian's chromium is not installed (apt-get install -y chromium)"
        if browser_required():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # the flags keep chromium off the network it would otherwise probe at start (closed here)
        launched = pw.chromium.launch(executable_path=path, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield launched
        launched.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def _visitor_with_progress(api: Api) -> str:
    """A kiosk guest with two check-ins; returns their claim code."""
    headers = api.enroll("kiosk", "lm01")
    created = api.new_player(headers)
    answer = api.act(headers, created["player_id"],
                     action("checkin", landmark_id="lm01", mode="visit"),
                     action("checkin", landmark_id="lm16", mode="scan", scan_verified=True))
    assert answer.status_code == 200, answer.text
    assert [r["status"] for r in answer.json()["results"]] == ["applied", "applied"]
    return str(created["claim_code"])


def _decode_qr(png: bytes) -> str:
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    return decode_qr(image) or ""


def test_claim_page_on_a_phone(api: Api, live: ThreadedServer, phone: Any, tmp_path: Path) -> None:
    code = _visitor_with_progress(api)
    url = f"{live.url}/claim/{code}"
    response = phone.goto(url)
    assert response is not None and response.status == 200

    body = phone.inner_text("body")
    assert "本月步数" in body and "Steps this month" in body
    assert phone.inner_text(".big").strip() == "50"  # 30 for the visit + 20 for the scan
    assert "Landmarks checked in (2)" in body
    assert "Landmark 1" in body and "Landmark 16" in body
    assert "Bronze" in body and "铜" in body

    # fits the phone: nothing wider than the viewport, so no sideways scrolling
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0

    # the QR on the page opens this same page (what a second kiosk's camera reads)
    qr = phone.locator(".qr svg")
    assert qr.count() == 1
    shot = qr.screenshot()
    assert _decode_qr(shot) == url

    full = phone.screenshot(full_page=True)
    (tmp_path / "claim-page.png").write_bytes(full)
    assert len(full) > 10_000


def test_unknown_claim_code_says_not_found_and_nothing_else(api: Api, live: ThreadedServer, phone: Any) -> None:
    _visitor_with_progress(api)  # someone else's progress exists on this server
    response = phone.goto(f"{live.url}/claim/ZZZZ-ZZZZ-ZZZZZ")
    assert response is not None and response.status == 404
    body = phone.inner_text("body")
    assert "This claim code was not found" in body and "找不到这个领取码" in body
    assert "Landmark" not in body and "50" not in body
    assert phone.locator("svg").count() == 0


def test_api_reference_renders_without_a_cdn(live: ThreadedServer, phone: Any, tmp_path: Path) -> None:
    """Bank IT opens /docs on a closed network: Swagger UI comes from this server and lists the API."""
    outside: list[str] = []
    phone.on("request", lambda request: outside.append(request.url)
             if not request.url.startswith(live.url) and not request.url.startswith("data:") else None)
    phone.set_viewport_size({"width": 1280, "height": 900})
    response = phone.goto(f"{live.url}/docs")
    assert response is not None and response.status == 200
    phone.wait_for_selector(".opblock-summary-path", timeout=20_000)
    paths = phone.locator(".opblock-summary-path").all_inner_texts()
    assert any("/v1/players/{player_id}/actions" in p.replace("\u200b", "") for p in paths)
    assert phone.locator(".swagger-ui .info .title").inner_text().startswith("Cloud Tour Treasure Hunt API")
    assert outside == []
    phone.screenshot(path=str(tmp_path / "docs.png"))
