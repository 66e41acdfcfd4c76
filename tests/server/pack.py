"""A small, self-contained campaign pack for the server tests (written as TOML into a temp dir)."""

from __future__ import annotations

from pathlib import Path

CAMPAIGN_ID = "test-city"
# The same content with the caps of a real pack (tests/server/test_abuse.py farms this one).
TIGHT_ID = "tight-city"

# test-city: caps wide enough for the functional and race tests.
OPEN_CAPS = """
[meta.caps]
limited_attempts_per_player_day = 1
special_grants_per_device_hour = 60  # >= the 50 racing players per device in test_400_claimers
limited_grants_per_day = 150
scan_checkins_per_player_day = 16
"""
TIGHT_CAPS = """
[meta.caps]
limited_attempts_per_player_day = 1
special_grants_per_device_hour = 4
limited_grants_per_day = 10
scan_checkins_per_player_day = 3
"""

LANDMARK_IDS = [f"lm{i:02d}" for i in range(1, 17)]

CAMPAIGN = """
[meta]
id = "{campaign_id}"
name = {{ zh = "测试城", en = "Test City" }}
utc_offset_minutes = 480
share_steps = 20
quiz_steps = 10
max_checkins_per_hour = 30
{caps}
[brand]
name = { zh = "测试银行", en = "Test Bank" }
primary = "#C8102E"
secondary = "#FFD700"
accent = "#1A1A1A"
logo = "logo.png"

[[tiers]]
id = "bronze"
threshold = 50
name = { zh = "铜", en = "Bronze" }
reward = { zh = "红包", en = "Red packet" }

[[tiers]]
id = "silver"
threshold = 200
name = { zh = "银", en = "Silver" }
reward = { zh = "大红包", en = "Big red packet" }
"""

LANDMARK = """
[[city.landmarks]]
id = "{id}"
name = {{ zh = "地标{n}", en = "Landmark {n}" }}
x = {x}
story = {{ zh = "故事", en = "A story" }}
unlock_after = {unlock}
{modes}
{quiz}
"""

QUIZ = """[city.landmarks.quiz]
question = { zh = "问题", en = "Question?" }
choices = [{ zh = "甲", en = "A" }, { zh = "乙", en = "B" }, { zh = "丙", en = "C" }]
answer = 1
"""

COLLECTIBLES = """
[[collectibles]]
id = "paper-cut"
name = { zh = "剪纸", en = "Paper cut" }
description = { zh = "普通", en = "Common" }
rarity = "common"

[[collectibles]]
id = "lucky-cloud"
name = { zh = "祥云", en = "Lucky cloud" }
description = { zh = "安慰奖", en = "Consolation" }
rarity = "common"

[[collectibles]]
id = "golden-rabbit"
name = { zh = "金兔", en = "Golden rabbit" }
description = { zh = "限量", en = "Limited" }
rarity = "limited"
supply = 100
consolation = "lucky-cloud"

[[collectibles]]
id = "jade-seal"
name = { zh = "玉印", en = "Jade seal" }
description = { zh = "限量三枚", en = "Only three" }
rarity = "limited"
supply = 3
consolation = "lucky-cloud"
spawn = { min_checkins = 1 }

[[collectibles]]
id = "night-lantern"
name = { zh = "夜灯", en = "Night lantern" }
description = { zh = "隐藏", en = "Hidden" }
rarity = "hidden"
spawn = { min_checkins = 2, hours = [18, 23] }
"""

TASKS = """
[[tasks]]
id = "wallet-open"
theme = "wallet_open"
name = { zh = "开通钱包", en = "Open wallet" }
steps = 100

[[tasks]]
id = "transfer"
theme = "transfer"
name = { zh = "转账", en = "Transfer" }
steps = 30
monthly_limit = 2
"""


def _landmark(index: int, ident: str) -> str:
    n = index + 1
    if ident == "lm01":
        modes = "modes = { visit = 30, scan = 20 }"
    elif ident == "lm02":
        modes = "modes = { visit = 30, scan = 20, learn = 15 }"
    else:
        modes = "modes = { scan = 20 }"
    return LANDMARK.format(
        id=ident,
        n=n,
        x=round(index / 16, 3),
        unlock=1 if ident == "lm16" else 0,
        modes=modes,
        quiz=QUIZ if ident == "lm02" else "",
    )


def write_pack(root: Path) -> Path:
    """Write the packs under ``root/test-city`` and ``root/tight-city``; return ``root`` (the campaigns root)."""
    _write(root, CAMPAIGN_ID, OPEN_CAPS)
    _write(root, TIGHT_ID, TIGHT_CAPS)
    return root


def _write(root: Path, campaign_id: str, caps: str) -> None:
    folder = root / campaign_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "campaign.toml").write_text(_campaign(campaign_id, caps), encoding="utf-8")
    city = f'[city]\nid = "{campaign_id}"\nname = {{ zh = "测试城", en = "Test City" }}\n'
    city += "".join(_landmark(i, ident) for i, ident in enumerate(LANDMARK_IDS))
    (folder / "city.toml").write_text(city, encoding="utf-8")
    (folder / "collectibles.toml").write_text(COLLECTIBLES, encoding="utf-8")
    (folder / "tasks.toml").write_text(TASKS, encoding="utf-8")
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")


def _campaign(campaign_id: str, caps: str) -> str:
    return CAMPAIGN.replace("{campaign_id}", campaign_id).replace("{caps}", caps).replace("{{", "{").replace("}}", "}")
