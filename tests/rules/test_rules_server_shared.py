"""Rules the server shares with the client: pack validation reports everything in one run, and
the spawn rules refuse naive datetimes (the server decides eligibility with them)."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime

import pytest

from game.content import load_campaign
from game.rules.content import PACK_FILES, Campaign, ContentError, parse_campaign
from game.rules.progress import Progress
from game.rules.spawn import choose_spawn, eligible
from tests.server.pack import CAMPAIGN_ID, write_pack


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    root = write_pack(tmp_path_factory.mktemp("packs"))
    folder = root / CAMPAIGN_ID
    return {name: tomllib.loads((folder / name).read_text(encoding="utf-8")) for name in set(PACK_FILES.values())}


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Campaign:
    return load_campaign(CAMPAIGN_ID, write_pack(tmp_path_factory.mktemp("packs2")))


def _issues(docs: dict[str, dict]) -> list[tuple[str, str, str]]:
    with pytest.raises(ContentError) as exc:
        parse_campaign(CAMPAIGN_ID, docs, asset_names=frozenset({"logo.png"}))
    return [(i.file, i.field, i.problem) for i in exc.value.issues]


def _copy(docs: dict[str, dict]) -> dict[str, dict]:
    import copy

    return copy.deepcopy(docs)


def test_valid_pack_parses(docs: dict[str, dict]) -> None:
    assert parse_campaign(CAMPAIGN_ID, docs, asset_names=frozenset({"logo.png"})).id == CAMPAIGN_ID


def test_schema_error_and_duplicate_in_other_files_reported_together(docs: dict[str, dict]) -> None:
    broken = _copy(docs)
    broken["campaign.toml"]["brand"]["primary"] = "red"
    broken["tasks.toml"]["tasks"][1]["id"] = broken["tasks.toml"]["tasks"][0]["id"]
    issues = _issues(broken)
    assert any(f == "campaign.toml" and fld.startswith("brand.primary") for f, fld, _ in issues)
    assert ("tasks.toml", "tasks[1].id", "duplicate id 'wallet-open'") in issues


def test_invalid_item_is_not_also_an_unknown_reference(docs: dict[str, dict]) -> None:
    broken = _copy(docs)
    lucky = next(c for c in broken["collectibles.toml"]["collectibles"] if c["id"] == "lucky-cloud")
    lucky["rarity"] = "mythic"  # schema error; golden-rabbit's consolation still names it
    issues = _issues(broken)
    assert any(f == "collectibles.toml" and "rarity" in fld for f, fld, _ in issues)
    assert not any("consolation" in fld for _, fld, _ in issues)


def test_duplicate_index_is_the_original_index(docs: dict[str, dict]) -> None:
    broken = _copy(docs)
    items = broken["collectibles.toml"]["collectibles"]
    items[0]["rarity"] = "mythic"  # item 0 invalid: indices of the others must not shift
    items[4]["id"] = items[3]["id"]
    issues = _issues(broken)
    assert ("collectibles.toml", "collectibles[4].id", "duplicate id 'jade-seal'") in issues


def test_invalid_city_skips_landmark_references(docs: dict[str, dict]) -> None:
    broken = _copy(docs)
    broken["city.toml"]["city"]["landmarks"][0]["x"] = "left"
    broken["tasks.toml"]["tasks"][0]["landmark"] = "lm01"
    issues = _issues(broken)
    assert any(f == "city.toml" for f, _, _ in issues)
    assert not any(f == "tasks.toml" for f, _, _ in issues)


def test_missing_logo_reported_with_schema_errors(docs: dict[str, dict]) -> None:
    broken = _copy(docs)
    broken["tasks.toml"]["tasks"][0]["steps"] = "many"
    with pytest.raises(ContentError) as exc:
        parse_campaign(CAMPAIGN_ID, broken, asset_names=frozenset())
    fields = {(i.file, i.field) for i in exc.value.issues}
    assert ("campaign.toml", "brand.logo") in fields and any(f == "tasks.toml" for f, _ in fields)


def test_spawn_rules_refuse_naive_datetimes(campaign: Campaign) -> None:
    item = campaign.collectible("night-lantern")
    assert item is not None
    naive = datetime(2027, 2, 10, 20, 0)
    with pytest.raises(ValueError):
        eligible(item, campaign, Progress(), naive, 0.0)
    with pytest.raises(ValueError):
        choose_spawn(campaign, Progress(), naive, (0.0, 0.0))
    aware = naive.replace(tzinfo=UTC)
    assert isinstance(eligible(item, campaign, Progress(), aware, 0.0), bool)


def test_eligibility_uses_campaign_local_hours(campaign: Campaign) -> None:
    from game.rules.content import CheckinMode
    from game.rules.progress import CheckinRecord

    item = campaign.collectible("night-lantern")
    assert item is not None
    at = datetime(2027, 2, 10, 11, 0, tzinfo=UTC)  # 19:00 in Shanghai
    progress = Progress(
        checkins=tuple(CheckinRecord(lm, CheckinMode.SCAN, at.date(), at) for lm in ("lm03", "lm04"))
    )
    assert eligible(item, campaign, progress, at, 0.0)
    assert not eligible(item, campaign, progress, datetime(2027, 2, 10, 4, 0, tzinfo=UTC), 0.0)  # 12:00 local

