"""Campaign packs: the real packs load and make sense; every kind of broken pack is reported
with the right file, field and a meaningful problem, and several problems at once."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pytest

from game.content import CAMPAIGNS_DIR, DEFAULT_CAMPAIGN, available_campaigns, load_campaign
from game.rules.content import (
    Campaign,
    CheckinMode,
    ContentError,
    ContentIssue,
    Rarity,
    TaskTheme,
)

CHONGQING = DEFAULT_CAMPAIGN
HANGZHOU = "lantern-hangzhou"
REAL_PACKS = (CHONGQING, HANGZHOU)
# Icons the scroll painter knows (docs/content.md); anything else is drawn as a generic pavilion.
KNOWN_ICONS = frozenset(
    {
        "pagoda", "tower", "stilt_house", "bridge", "cableway", "gate_dock", "temple", "hall",
        "old_town", "rail", "mountain", "garden", "stone_carving", "gorge", "street", "museum",
    }
)
# Stand-in for a marker image; the validator only checks that the referenced file exists.
PLACEHOLDER_PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


# ---------------------------------------------------------------------------------------------
# helpers


@pytest.fixture(scope="module")
def good_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the real packs; a logo that has not been generated yet gets a placeholder."""
    root = tmp_path_factory.mktemp("campaigns")
    for cid in REAL_PACKS:
        shutil.copytree(CAMPAIGNS_DIR / cid, root / cid)
        logo = root / cid / "logo.png"
        if not logo.exists():
            logo.write_bytes(PLACEHOLDER_PNG)
    return root


@pytest.fixture(scope="module")
def chongqing(good_root: Path) -> Campaign:
    return load_campaign(CHONGQING, good_root)


@pytest.fixture(scope="module")
def hangzhou(good_root: Path) -> Campaign:
    return load_campaign(HANGZHOU, good_root)


@pytest.fixture
def pack(good_root: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the (valid) Chongqing pack to break."""
    return Path(shutil.copytree(good_root / CHONGQING, tmp_path / CHONGQING))


def edit(pack: Path, file: str, change: Callable[[str], str]) -> None:
    path = pack / file
    before = path.read_text(encoding="utf-8")
    after = change(before)
    assert after != before, f"mutation of {file} changed nothing"
    path.write_text(after, encoding="utf-8")


def replace_once(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert text.count(old) >= 1, old
        return text.replace(old, new, 1)

    return change


def in_block(header: str, ident: str, change: Callable[[str], str]) -> Callable[[str], str]:
    """Apply ``change`` only inside the ``[[header]]`` block whose id is ``ident``."""

    def whole(text: str) -> str:
        marker = f"[[{header}]]"
        parts = text.split(marker)
        hits = [i for i, part in enumerate(parts) if re.search(rf'^id = "{re.escape(ident)}"$', part, re.M)]
        assert len(hits) == 1, f"no single {marker} block with id {ident!r}"
        parts[hits[0]] = change(parts[hits[0]])
        return marker.join(parts)

    return whole


def sub(pattern: str, repl: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        new, n = re.subn(pattern, repl, text, count=1, flags=re.M)
        assert n == 1, pattern
        return new

    return change


def issues_for(root: Path, campaign_id: str = CHONGQING) -> list[ContentIssue]:
    with pytest.raises(ContentError) as info:
        load_campaign(campaign_id, root)
    err = info.value
    assert err.campaign_id == campaign_id
    assert err.issues, "a ContentError must list at least one issue"
    # The message lists every issue as file: field: problem, for operators.
    for issue in err.issues:
        assert str(issue) in str(err)
    return err.issues


def find(issues: list[ContentIssue], file: str, field: str, *words: str) -> ContentIssue:
    """The issue for ``file``/``field`` whose problem mentions all ``words`` (case-insensitive)."""
    for issue in issues:
        if issue.file == file and issue.field == field and all(w.lower() in issue.problem.lower() for w in words):
            return issue
    raise AssertionError(f"no issue {file}: {field}: …{words}… in {[str(i) for i in issues]}")


def landmark_index(campaign: Campaign, landmark_id: str) -> int:
    return [lm.id for lm in campaign.city.landmarks].index(landmark_id)


# ---------------------------------------------------------------------------------------------
# the real packs


def test_both_real_packs_are_discovered() -> None:
    assert set(REAL_PACKS) <= set(available_campaigns())


@pytest.mark.parametrize("campaign_id", REAL_PACKS)
def test_real_pack_loads_in_place(campaign_id: str) -> None:
    try:
        campaign = load_campaign(campaign_id)
    except ContentError as err:
        logo_only = all(i.field == "brand.logo" for i in err.issues)
        if logo_only and not (CAMPAIGNS_DIR / campaign_id / "logo.png").exists():
            pytest.skip(f"{campaign_id}/logo.png has not been generated yet")
        raise
    assert campaign.id == campaign_id


def test_chongqing_pack_counts_and_ids(chongqing: Campaign) -> None:
    assert chongqing.id == CHONGQING
    assert chongqing.meta.utc_offset_minutes == 480
    assert chongqing.brand.logo == "logo.png"
    assert chongqing.brand.name.en == "Cloudstep Bank"
    assert chongqing.brand.primary == "#C8102E"
    assert len(chongqing.city.landmarks) == 16
    ids = {lm.id for lm in chongqing.city.landmarks}
    assert {"jiefangbei", "hongyadong", "chaotianmen", "yangtze-cableway", "dazu-rock-carvings"} <= ids
    rarities = [c.rarity for c in chongqing.collectibles]
    assert 3 <= rarities.count(Rarity.COMMON) <= 4
    assert rarities.count(Rarity.HIDDEN) == 1
    assert rarities.count(Rarity.LIMITED) == 1
    assert {t.theme for t in chongqing.tasks} == set(TaskTheme), "every task theme has a task"
    assert len(chongqing.tiers) == 4


def test_chongqing_hidden_and_limited_items(chongqing: Campaign) -> None:
    hidden = next(c for c in chongqing.collectibles if c.rarity is Rarity.HIDDEN)
    assert hidden.spawn.min_checkins == 3
    assert hidden.spawn.hours == (18, 24)
    assert hidden.spawn.chance == pytest.approx(0.35)
    limited = next(c for c in chongqing.collectibles if c.rarity is Rarity.LIMITED)
    assert limited.supply == 1000
    consolation = chongqing.collectible(limited.consolation or "")
    assert consolation is not None and consolation.rarity is Rarity.COMMON


def test_hangzhou_pack_is_a_different_campaign(hangzhou: Campaign, chongqing: Campaign) -> None:
    assert hangzhou.id == HANGZHOU
    assert 5 <= len(hangzhou.city.landmarks) <= 6
    assert len(hangzhou.collectibles) == 2
    assert len(hangzhou.tasks) == 3
    assert len(hangzhou.tiers) == 3
    assert hangzhou.brand.name.en == "Lakelight Bank"
    assert hangzhou.brand.primary != chongqing.brand.primary
    assert hangzhou.city.id != chongqing.city.id
    assert not {lm.id for lm in hangzhou.city.landmarks} & {lm.id for lm in chongqing.city.landmarks}


@pytest.mark.parametrize("campaign_id", REAL_PACKS)
def test_every_landmark_has_a_bilingual_story_of_reasonable_length(good_root: Path, campaign_id: str) -> None:
    campaign = load_campaign(campaign_id, good_root)
    for lm in campaign.city.landmarks:
        zh_chars = len(re.sub(r"\s", "", lm.story.zh))
        en_words = len(lm.story.en.split())
        assert 50 <= zh_chars <= 130, (lm.id, zh_chars)
        assert 35 <= en_words <= 75, (lm.id, en_words)
        assert re.search(r"[\u4e00-\u9fff]", lm.story.zh), lm.id
        assert lm.story.en.isascii() or "¥" in lm.story.en, lm.id
        assert lm.name.zh != lm.name.en


@pytest.mark.parametrize("campaign_id", REAL_PACKS)
def test_scroll_positions_are_distinct_and_spread(good_root: Path, campaign_id: str) -> None:
    campaign = load_campaign(campaign_id, good_root)
    xs = sorted(lm.x for lm in campaign.city.landmarks)
    assert len(set(xs)) == len(xs)
    assert min(b - a for a, b in pairwise(xs)) >= 0.05
    assert xs[0] < 0.15 and xs[-1] > 0.85, "the landmarks use the whole scroll"


@pytest.mark.parametrize("campaign_id", REAL_PACKS)
def test_landmarks_are_playable(good_root: Path, campaign_id: str) -> None:
    campaign = load_campaign(campaign_id, good_root)
    landmarks = campaign.city.landmarks
    assert all(lm.icon in KNOWN_ICONS for lm in landmarks)
    for lm in landmarks:
        assert lm.quiz is not None, f"{lm.id}: every landmark has a quiz"
        assert 0 <= lm.quiz.answer < len(lm.quiz.choices)
        assert len({c.zh for c in lm.quiz.choices}) == len(lm.quiz.choices)
        assert all(steps > 0 for steps in lm.modes.values())
        assert set(lm.modes) <= set(CheckinMode)
    open_from_start = sum(1 for lm in landmarks if lm.unlock_after == 0)
    assert open_from_start >= len(landmarks) // 2
    # Gentle progression: every lock can be opened with the landmarks that are open before it.
    for lm in landmarks:
        reachable = sum(1 for other in landmarks if other.unlock_after < lm.unlock_after)
        assert lm.unlock_after <= reachable, lm.id
    assert max(lm.unlock_after for lm in landmarks) <= 6


def test_chongqing_quiz_answers_appear_in_the_story(chongqing: Campaign) -> None:
    for lm in chongqing.city.landmarks:
        assert lm.quiz is not None
        answer = lm.quiz.choices[lm.quiz.answer]
        key = re.sub(r"[《》]|[年尊米区]$", "", answer.zh)
        assert key and key in lm.story.zh, (lm.id, answer.zh)


def test_tiers_are_increasing_and_rewards_bilingual(chongqing: Campaign, hangzhou: Campaign) -> None:
    for campaign in (chongqing, hangzhou):
        thresholds = [t.threshold for t in campaign.tiers]
        assert thresholds == sorted(thresholds) and len(set(thresholds)) == len(thresholds)
        assert all(t.reward.zh and t.reward.en for t in campaign.tiers)


# ---------------------------------------------------------------------------------------------
# one test per kind of error


def test_duplicate_landmark_id(pack: Path, chongqing: Campaign) -> None:
    first, second = chongqing.city.landmarks[0], chongqing.city.landmarks[1]
    edit(pack, "city.toml", replace_once(f'id = "{second.id}"', f'id = "{first.id}"'))
    issues = issues_for(pack.parent)
    find(issues, "city.toml", "city.landmarks[1].id", "duplicate", first.id)


def test_missing_translation(pack: Path, chongqing: Campaign) -> None:
    index = landmark_index(chongqing, "hongyadong")
    edit(pack, "city.toml", in_block("city.landmarks", "hongyadong", sub(r'^(name = \{ zh = "[^"]*"), en = "[^"]*"', r"\1")))
    issues = issues_for(pack.parent)
    find(issues, "city.toml", f"city.landmarks[{index}].name.en", "required")


def test_blank_translation_is_missing_too(pack: Path) -> None:
    edit(pack, "campaign.toml", sub(r'^(name = \{ zh = "云步银行"), en = "[^"]*"', r'\1, en = "   "'))
    issues = issues_for(pack.parent)
    find(issues, "campaign.toml", "brand.name.en", "at least 1")


def test_unknown_landmark_in_task(pack: Path, chongqing: Campaign) -> None:
    index, task = next((i, t) for i, t in enumerate(chongqing.tasks) if t.landmark is not None)
    edit(pack, "tasks.toml", in_block("tasks", task.id, sub(r'^landmark = "[^"]*"', 'landmark = "atlantis"')))
    issues = issues_for(pack.parent)
    find(issues, "tasks.toml", f"tasks[{index}].landmark", "unknown landmark", "atlantis")


def test_learn_mode_without_quiz(pack: Path, chongqing: Campaign) -> None:
    landmark = next(lm for lm in chongqing.city.landmarks if CheckinMode.LEARN in lm.modes)
    index = landmark_index(chongqing, landmark.id)
    edit(pack, "city.toml", in_block("city.landmarks", landmark.id, lambda block: block.split("[city.landmarks.quiz]")[0]))
    issues = issues_for(pack.parent)
    find(issues, "city.toml", f"city.landmarks[{index}].quiz", "learn", "quiz")


def test_quiz_answer_out_of_range(pack: Path, chongqing: Campaign) -> None:
    landmark = chongqing.landmark("jiefangbei")
    assert landmark is not None and landmark.quiz is not None
    index = landmark_index(chongqing, landmark.id)
    too_far = len(landmark.quiz.choices)
    edit(pack, "city.toml", in_block("city.landmarks", landmark.id, sub(r"^answer = \d+", f"answer = {too_far}")))
    issues = issues_for(pack.parent)
    find(issues, "city.toml", f"city.landmarks[{index}].quiz.answer", str(too_far), "no choice")


def test_too_many_quiz_choices(pack: Path, chongqing: Campaign) -> None:
    index = landmark_index(chongqing, "jiefangbei")
    extra = '  { zh = "甲", en = "A" },\n  { zh = "乙", en = "B" },\n]'
    edit(pack, "city.toml", in_block("city.landmarks", "jiefangbei", sub(r"^\]", extra)))
    issues = issues_for(pack.parent)
    find(issues, "city.toml", f"city.landmarks[{index}].quiz.choices", "at most 4")


def test_unknown_field_typo(pack: Path, chongqing: Campaign) -> None:
    index = landmark_index(chongqing, "chaotianmen")
    edit(pack, "city.toml", in_block("city.landmarks", "chaotianmen", sub(r"^unlock_after = ", "unlock_afer = ")))
    issues = issues_for(pack.parent)
    find(issues, "city.toml", f"city.landmarks[{index}].unlock_afer", "extra inputs are not permitted")


def test_unknown_mode(pack: Path, chongqing: Campaign) -> None:
    index = landmark_index(chongqing, "chaotianmen")
    edit(pack, "city.toml", in_block("city.landmarks", "chaotianmen", sub(r"^modes = \{ visit", "modes = { vist")))
    issues = issues_for(pack.parent)
    issue = next(i for i in issues if i.field.startswith(f"city.landmarks[{index}].modes"))
    assert issue.file == "city.toml" and "visit" in issue.problem


def test_bad_colour(pack: Path) -> None:
    edit(pack, "campaign.toml", sub(r'^primary = "[^"]*"', 'primary = "lantern red"'))
    issues = issues_for(pack.parent)
    find(issues, "campaign.toml", "brand.primary", "colour", "lantern red")


def test_bad_collectible_colour(pack: Path, chongqing: Campaign) -> None:
    item = chongqing.collectibles[0]
    edit(pack, "collectibles.toml", in_block("collectibles", item.id, sub(r'^colour = "[^"]*"', 'colour = "#12345"')))
    issues = issues_for(pack.parent)
    find(issues, "collectibles.toml", "collectibles[0].colour", "colour")


def test_limited_without_supply(pack: Path, chongqing: Campaign) -> None:
    index, item = next((i, c) for i, c in enumerate(chongqing.collectibles) if c.rarity is Rarity.LIMITED)
    edit(pack, "collectibles.toml", in_block("collectibles", item.id, sub(r"^supply = \d+\n", "")))
    issues = issues_for(pack.parent)
    find(issues, "collectibles.toml", f"collectibles[{index}].supply", "limited", "supply")


def test_supply_on_a_common_item(pack: Path, chongqing: Campaign) -> None:
    index, item = next((i, c) for i, c in enumerate(chongqing.collectibles) if c.rarity is Rarity.COMMON)
    edit(pack, "collectibles.toml", in_block("collectibles", item.id, sub(r'^(rarity = "common"\n)', r"\1supply = 5\n")))
    issues = issues_for(pack.parent)
    find(issues, "collectibles.toml", f"collectibles[{index}].supply", "only limited")


def test_unknown_consolation(pack: Path, chongqing: Campaign) -> None:
    index, item = next((i, c) for i, c in enumerate(chongqing.collectibles) if c.consolation)
    edit(pack, "collectibles.toml", in_block("collectibles", item.id, sub(r'^consolation = "[^"]*"', 'consolation = "ghost"')))
    issues = issues_for(pack.parent)
    find(issues, "collectibles.toml", f"collectibles[{index}].consolation", "unknown", "ghost")


def test_non_increasing_tier_thresholds(pack: Path, chongqing: Campaign) -> None:
    first, second = chongqing.tiers[0], chongqing.tiers[1]
    edit(pack, "campaign.toml", in_block("tiers", second.id, sub(r"^threshold = \d+", f"threshold = {first.threshold}")))
    issues = issues_for(pack.parent)
    find(issues, "campaign.toml", "tiers", "strictly increasing")


def test_missing_file(pack: Path) -> None:
    (pack / "tasks.toml").unlink()
    issues = issues_for(pack.parent)
    find(issues, "tasks.toml", "(file)", "missing file")
    assert sum(1 for i in issues if i.file == "tasks.toml") == 1, "reported once, not once per section"


def test_missing_section(pack: Path) -> None:
    edit(pack, "campaign.toml", lambda text: text.split("[[tiers]]")[0])
    issues = issues_for(pack.parent)
    find(issues, "campaign.toml", "tiers", "missing section")


def test_toml_syntax_error(pack: Path) -> None:
    edit(pack, "collectibles.toml", replace_once('rarity = "common"', 'rarity = = "common"'))
    issues = issues_for(pack.parent)
    issue = find(issues, "collectibles.toml", "(syntax)")
    line = 1 + (pack / "collectibles.toml").read_text(encoding="utf-8").split("\n").index('rarity = = "common"')
    assert f"line {line}" in issue.problem
    assert [i.field for i in issues if i.file == "collectibles.toml"] == ["(syntax)"], "not also a missing file"


def test_missing_logo_file(pack: Path) -> None:
    (pack / "logo.png").unlink()
    issues = issues_for(pack.parent)
    find(issues, "campaign.toml", "brand.logo", "logo.png", "not in the pack")


def test_wrong_meta_id(pack: Path) -> None:
    renamed = pack.rename(pack.parent / "rabbit-copy")
    issues = issues_for(renamed.parent, "rabbit-copy")
    find(issues, "campaign.toml", "meta.id", CHONGQING, "does not match", "rabbit-copy")


def test_unknown_campaign_folder(tmp_path: Path) -> None:
    issues = issues_for(tmp_path, "no-such-campaign")
    assert issues[0].field == "(folder)" and "no such campaign" in issues[0].problem


def test_several_problems_in_different_files_are_all_reported(pack: Path, chongqing: Campaign) -> None:
    index = landmark_index(chongqing, "hongyadong")
    edit(pack, "campaign.toml", sub(r'^accent = "[^"]*"', 'accent = "gold"'))
    edit(pack, "city.toml", in_block("city.landmarks", "hongyadong", sub(r'^(name = \{ zh = "[^"]*"), en = "[^"]*"', r"\1")))
    edit(pack, "collectibles.toml", sub(r"^rarity = ", "rarty = "))
    (pack / "tasks.toml").unlink()
    issues = issues_for(pack.parent)
    find(issues, "campaign.toml", "brand.accent", "colour")
    find(issues, "city.toml", f"city.landmarks[{index}].name.en", "required")
    find(issues, "collectibles.toml", "collectibles[0].rarty", "extra inputs")
    find(issues, "collectibles.toml", "collectibles[0].rarity", "required")
    find(issues, "tasks.toml", "(file)", "missing file")
    assert {i.file for i in issues} == {"campaign.toml", "city.toml", "collectibles.toml", "tasks.toml"}


def test_several_cross_check_problems_are_all_reported(pack: Path, chongqing: Campaign) -> None:
    first, second = chongqing.city.landmarks[0], chongqing.city.landmarks[1]
    edit(pack, "city.toml", replace_once(f'id = "{second.id}"', f'id = "{first.id}"'))
    edit(pack, "tasks.toml", sub(r'^landmark = "[^"]*"', 'landmark = "atlantis"'))
    (pack / "logo.png").unlink()
    issues = issues_for(pack.parent)
    find(issues, "city.toml", "city.landmarks[1].id", "duplicate")
    find(issues, "tasks.toml", f"tasks[{next(i for i, t in enumerate(chongqing.tasks) if t.landmark)}].landmark", "atlantis")
    find(issues, "campaign.toml", "brand.logo", "not in the pack")


def test_schema_and_cross_check_problems_are_reported_together(pack: Path, chongqing: Campaign) -> None:
    first, second = chongqing.city.landmarks[0], chongqing.city.landmarks[1]
    edit(pack, "city.toml", replace_once(f'id = "{second.id}"', f'id = "{first.id}"'))
    edit(pack, "campaign.toml", sub(r'^primary = "[^"]*"', 'primary = "red"'))
    issues = issues_for(pack.parent)
    find(issues, "campaign.toml", "brand.primary", "colour")
    find(issues, "city.toml", "city.landmarks[1].id", "duplicate")


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize("campaign_id", REAL_PACKS)
def test_pack_text_is_covered_by_every_bundled_font(good_root: Path, campaign_id: str) -> None:
    from game.ui.text import FACES, load_face

    campaign = load_campaign(campaign_id, good_root)
    text = "".join(_strings(campaign.model_dump(mode="json")))
    assert "重庆" in text or "杭州" in text
    for face in FACES:
        chars = load_face(face).chars
        assert chars is not None
        missing = {ch for ch in text if ch not in chars and not ch.isspace()}
        assert not missing, f"{face}: rebuild font subsets (tools/subset_fonts.py) or reword: {sorted(missing)}"


def test_a_typo_in_a_landmark_hides_none_of_its_other_problems(pack: Path, chongqing: Campaign) -> None:
    landmark = chongqing.landmark("jiefangbei")
    assert landmark is not None and landmark.quiz is not None
    index = landmark_index(chongqing, landmark.id)
    too_far = len(landmark.quiz.choices)
    change = in_block("city.landmarks", landmark.id, sub(r"^answer = \d+", f"answer = {too_far}"))
    edit(pack, "city.toml", lambda text: in_block("city.landmarks", landmark.id, sub(r"^icon = ", "icn = "))(change(text)))
    first = chongqing.city.landmarks[0].id
    edit(pack, "tasks.toml", sub(r'^landmark = "[^"]*"', 'landmark = "atlantis"'))
    edit(pack, "city.toml", replace_once(f'id = "{chongqing.city.landmarks[2].id}"', f'id = "{first}"'))
    issues = issues_for(pack.parent)
    find(issues, "city.toml", f"city.landmarks[{index}].icn", "extra inputs")
    find(issues, "city.toml", f"city.landmarks[{index}].quiz.answer", str(too_far), "no choice")
    find(issues, "city.toml", "city.landmarks[2].id", "duplicate")
    assert any(i.file == "tasks.toml" and "atlantis" in i.problem for i in issues)


def test_text_the_fonts_cannot_draw_is_reported_with_its_field(pack: Path, chongqing: Campaign) -> None:
    from game.ui.fonts import common_glyphs

    glyphs = common_glyphs()
    assert all(ch in glyphs for ch in "碚璧綦垭"), "Chongqing place names"
    landmark = chongqing.city.landmarks[1]
    rare = "\U00020001"  # CJK Extension B: in no bundled subset
    assert rare not in glyphs
    edit(pack, "city.toml", replace_once(f'zh = "{landmark.name.zh}"', f'zh = "{landmark.name.zh}{rare}"'))
    edit(pack, "tasks.toml", sub(r'^theme = "[a-z_]+"', 'theme = "nope"'))
    with pytest.raises(ContentError) as info:
        load_campaign(CHONGQING, pack.parent, glyphs)
    issues = info.value.issues
    issue = find(issues, "city.toml", "city.landmarks[1].name.zh", "no glyph", "U+20001")
    assert rare in issue.problem
    assert any(i.file == "tasks.toml" and i.field.endswith(".theme") for i in issues), "reported together"


def test_every_character_of_gb2312_the_packs_and_the_string_tables_has_a_glyph_in_every_face() -> None:
    from game.i18n import load_tables
    from game.ui.fonts import FACES, load_face

    gb2312 = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                gb2312.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    assert len(gb2312) > 7000
    shipped = set()
    for path in CAMPAIGNS_DIR.rglob("*.toml"):
        shipped |= set(path.read_text(encoding="utf-8"))
    shipped |= {ch for table in load_tables().values() for text in table.values() for ch in text}
    wanted = {ch for ch in gb2312 | shipped if not ch.isspace() and ch.isprintable()}
    for face in FACES:
        chars = load_face(face).chars
        assert chars is not None
        missing = sorted(wanted - chars)
        assert not missing, f"{face}: rebuild the subsets (tools/subset_fonts.py): {missing[:40]}"
