"""Claim codes (the kiosk hand-off's QR and claim page) work until the campaign's claim deadline, set in the
pack's [meta]: ``claim_expires``, or by default the campaign's end plus a grace period; never less than
the server's time-to-live from when the code was made."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from game.content import load_campaign
from game.rules.content import CLAIM_GRACE_DAYS, ContentError
from server.app import create_app
from server.settings import Settings
from tests.server.conftest import Api, FakeClock, action
from tests.server.pack import CAMPAIGN_ID, OPEN_CAPS, _write

T0 = datetime(2027, 2, 10, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai (the pack is UTC+8)
# The last claim day is 2027-03-10 (ends 02-28 + 10 days): codes work until 23:59:59 local that day.
DEADLINE = datetime(2027, 3, 10, 16, 0, tzinfo=UTC)


def serve(tmp_path: Path, meta: str) -> Iterator[tuple[Api, FakeClock]]:
    _write(tmp_path / "campaigns", CAMPAIGN_ID, meta + OPEN_CAPS)
    clock = FakeClock(T0)
    settings = Settings(data_dir=tmp_path / "data", campaign_id=CAMPAIGN_ID, campaigns_root=tmp_path / "campaigns",
                        rate_per_s=10_000, rate_burst=10_000, clock=clock)
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, app), clock
    app.state.ctx.engine.dispose()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Api, FakeClock]]:
    yield from serve(tmp_path, "ends = 2027-02-28\nclaim_grace_days = 10\n")


def page_and_claim(api: Api, code: str) -> tuple[int, int]:
    """The claim page's status, and a second device's claim's status."""
    page = api.client.get(f"/claim/{code}").status_code
    phone = api.enroll(kind="laptop", name="phone")
    return page, api.client.post("/v1/players/claim", headers=phone, json={"claim_code": code}).status_code


def test_a_code_works_until_the_campaigns_claim_deadline_not_a_week(server: tuple[Api, FakeClock]) -> None:
    api, clock = server
    code = api.new_player(api.enroll())["claim_code"]
    clock.now = T0 + timedelta(days=20)  # long past the server's 7-day time-to-live
    assert page_and_claim(api, code) == (200, 200)
    clock.now = DEADLINE - timedelta(seconds=1)  # the last local day, 23:59:59
    assert page_and_claim(api, code) == (200, 200)
    clock.now = DEADLINE
    assert page_and_claim(api, code) == (404, 404)


def test_a_player_created_through_the_sync_route_gets_the_same_deadline(server: tuple[Api, FakeClock]) -> None:
    """Kiosks create their players in /v1/sync rounds: those claim codes follow the pack too."""
    api, clock = server
    body = {"players": [{"create_key": "k" * 22, "actions": [action("share", T0)]}]}
    r = api.client.post("/v1/sync", headers=api.enroll(), json=body)
    assert r.status_code == 200, r.text
    code = r.json()["players"][0]["claim_code"]
    clock.now = DEADLINE - timedelta(seconds=1)
    assert page_and_claim(api, code) == (200, 200)
    clock.now = DEADLINE
    assert page_and_claim(api, code) == (404, 404)


def test_a_code_made_after_the_deadline_still_works_for_the_servers_time_to_live(
    server: tuple[Api, FakeClock],
) -> None:
    api, clock = server
    clock.now = DEADLINE + timedelta(days=30)  # a kiosk still running after the campaign
    code = api.new_player(api.enroll())["claim_code"]
    clock.now += timedelta(seconds=api.ctx.settings.claim_ttl_s - 60)
    assert page_and_claim(api, code) == (200, 200)
    clock.now += timedelta(seconds=120)
    assert page_and_claim(api, code) == (404, 404)


def test_claim_expires_in_the_pack_sets_the_last_claim_day(tmp_path: Path) -> None:
    for api, clock in serve(tmp_path, "ends = 2027-02-28\nclaim_expires = 2027-06-30\n"):
        code = api.new_player(api.enroll())["claim_code"]
        clock.now = datetime(2027, 6, 30, 15, 59, tzinfo=UTC)  # 23:59 local on the last day
        assert page_and_claim(api, code) == (200, 200)
        clock.now = datetime(2027, 6, 30, 16, 0, tzinfo=UTC)
        assert page_and_claim(api, code) == (404, 404)


def test_the_deadline_defaults_to_the_end_plus_the_grace_period() -> None:
    campaign = load_campaign("jade-rabbit-chongqing")
    meta = campaign.meta
    assert meta.ends is not None and meta.claim_expires is None and meta.claim_grace_days == CLAIM_GRACE_DAYS
    until = meta.claims_until()
    assert until is not None
    local = until + timedelta(minutes=meta.utc_offset_minutes)
    assert local.date() == meta.ends + timedelta(days=CLAIM_GRACE_DAYS + 1) and local.hour == 0


@pytest.mark.parametrize(("meta", "field"), [
    ("claim_expires = 2027-02-01\nends = 2027-02-28\n", "claim_expires"),
    ("claim_grace_days = -1\n", "claim_grace_days"),
    ('ends = "soon"\n', "ends"),
])
def test_a_bad_claim_setting_is_reported_naming_the_field(tmp_path: Path, meta: str, field: str) -> None:
    _write(tmp_path, CAMPAIGN_ID, meta + OPEN_CAPS)
    with pytest.raises(ContentError) as err:
        load_campaign(CAMPAIGN_ID, root=tmp_path, glyphs=None)
    assert any(field in str(issue) for issue in err.value.issues), err.value.issues
