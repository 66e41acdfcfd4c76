"""Typed, frozen campaign content model and its validation.

A campaign pack is several documents (one per file). ``parse_campaign`` takes them already
decoded (plain dicts keyed by file name) and returns a ``Campaign`` or raises
``ContentError`` listing every problem with its file, field and reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
Ident = Annotated[str, Field(pattern=ID_PATTERN)]
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
CLAIM_GRACE_DAYS = 30  # claim codes work this long after a campaign's last day, unless the pack says otherwise


class Frozen(BaseModel):
    """Base for content models: immutable, unknown fields are errors (typos get caught)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Text(Frozen):
    """A string in both campaign languages."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en


class CheckinMode(StrEnum):
    VISIT = "visit"
    SCAN = "scan"
    LEARN = "learn"


class TaskTheme(StrEnum):
    CHECKIN = "checkin"
    LEARN = "learn"
    SHARE_INVITE = "share_invite"
    WALLET_OPEN = "wallet_open"
    WALLET_BIND = "wallet_bind"
    TRANSFER = "transfer"
    PAYMENT = "payment"
    DESIGNATED_BUSINESS = "designated_business"
    ASSET_GROWTH = "asset_growth"


class Rarity(StrEnum):
    COMMON = "common"
    HIDDEN = "hidden"
    LIMITED = "limited"


def _colour(value: str) -> str:
    if not HEX_COLOUR.match(value):
        raise ValueError(f"expected a colour like #C8102E, got {value!r}")
    return value.upper()


class Brand(Frozen):
    name: Text
    primary: str
    secondary: str
    accent: str
    logo: str = Field(min_length=1, description="marker image file inside the pack")
    logo_colour: Text | None = Field(default=None, description="the logo's colour as the aiming guide names it "
                                     "(\"Hold the red logo up\"); without it the guide names the bank")

    _check_colours = field_validator("primary", "secondary", "accent")(_colour)


class Quiz(Frozen):
    question: Text
    choices: tuple[Text, ...] = Field(min_length=2, max_length=4)
    answer: int = Field(ge=0, description="index into choices")


class Landmark(Frozen):
    id: Ident
    name: Text
    x: float = Field(ge=0.0, le=1.0, description="position along the scroll, 0 = left end")
    icon: str = "pavilion"
    story: Text
    quiz: Quiz | None = None
    modes: dict[CheckinMode, int] = Field(min_length=1, description="check-in mode -> steps")
    unlock_after: int = Field(default=0, ge=0, description="distinct check-ins needed to unlock")
    poster: str | None = Field(default=None, min_length=1,
                               description="poster image inside the pack; seeing it in Scan is the scan check-in")


class City(Frozen):
    id: Ident
    name: Text
    landmarks: tuple[Landmark, ...] = Field(min_length=1)


class SpawnRule(Frozen):
    """When a collectible may appear in a scan. All conditions must hold."""

    chance: float = Field(default=1.0, ge=0.0, le=1.0)
    min_checkins: int = Field(default=0, ge=0)
    hours: tuple[int, int] | None = Field(default=None, description="local [start, end) hours")
    weight: float = Field(default=1.0, gt=0.0)


class Collectible(Frozen):
    id: Ident
    name: Text
    description: Text
    rarity: Rarity
    supply: int | None = Field(default=None, ge=1)
    spawn: SpawnRule = SpawnRule()
    consolation: str | None = Field(default=None, description="collectible given when sold out")
    colour: str = "#C8102E"

    _check_colour = field_validator("colour")(_colour)


class Task(Frozen):
    id: Ident
    theme: TaskTheme
    name: Text
    steps: int = Field(ge=1, le=100_000)
    monthly_limit: int = Field(default=1, ge=1)
    landmark: str | None = None


class Tier(Frozen):
    id: Ident
    threshold: int = Field(ge=1)
    name: Text
    reward: Text


class SpawnCaps(Frozen):
    """Bounds on what the server's spawn roll may hand out (limited and hidden items have value).

    A *limited attempt* is a scan in which a limited item was eligible by the spawn rules; a
    *special grant* is a limited or hidden item handed out. Counted by the scan's credited time
    and by the server's receive time alike (a back-dated queue cannot widen them)."""

    limited_attempts_per_player_day: int = Field(default=1, ge=0)
    special_grants_per_device_hour: int = Field(default=4, ge=0)
    limited_grants_per_day: int | None = Field(default=None, ge=0, description="campaign-wide; None: supply only")
    scan_checkins_per_player_day: int = Field(
        default=3, ge=0, description="scan-mode check-ins a player may make per day away from the landmark's kiosk"
    )


class CampaignMeta(Frozen):
    id: Ident
    name: Text
    utc_offset_minutes: int = Field(
        default=480, ge=-720, le=840, description="campaign calendar; Asia/Shanghai is +480, no DST"
    )
    share_steps: int = Field(default=20, ge=0)
    quiz_steps: int = Field(default=10, ge=0)
    max_checkins_per_hour: int = Field(default=30, ge=1)
    caps: SpawnCaps = SpawnCaps()
    ends: date | None = Field(default=None, description="the campaign's last local day")
    claim_grace_days: int = Field(default=CLAIM_GRACE_DAYS, ge=0, le=3650,
                                  description="claim codes keep working this many days after `ends`")
    claim_expires: date | None = Field(default=None, description="last local day claim codes work "
                                       "(default: `ends` + `claim_grace_days`)")

    @model_validator(mode="after")
    def _claims_after_the_end(self) -> CampaignMeta:
        if self.claim_expires is not None and self.ends is not None and self.claim_expires < self.ends:
            raise ValueError(f"claim_expires ({self.claim_expires}) is before the campaign ends ({self.ends}): "
                             "players could not carry their progress to the last day")
        return self

    def claims_until(self) -> datetime | None:
        """The moment (UTC) claim codes stop working: the local midnight after the last claim day, or None
        when the pack sets neither ``claim_expires`` nor ``ends`` (the server's own time-to-live applies)."""
        last = self.claim_expires or (self.ends + timedelta(days=self.claim_grace_days) if self.ends else None)
        if last is None:
            return None
        local_midnight = datetime.combine(last + timedelta(days=1), time(0), tzinfo=UTC)
        return local_midnight - timedelta(minutes=self.utc_offset_minutes)


class Campaign(Frozen):
    """A whole content pack, cross-checked."""

    meta: CampaignMeta
    brand: Brand
    city: City
    collectibles: tuple[Collectible, ...]
    tasks: tuple[Task, ...]
    tiers: tuple[Tier, ...] = Field(min_length=1)

    @property
    def id(self) -> str:
        return self.meta.id

    def landmark(self, landmark_id: str) -> Landmark | None:
        return _by_id(self, "landmarks", self.city.landmarks).get(landmark_id)

    def collectible(self, collectible_id: str) -> Collectible | None:
        return _by_id(self, "collectibles", self.collectibles).get(collectible_id)

    def task(self, task_id: str) -> Task | None:
        return _by_id(self, "tasks", self.tasks).get(task_id)


def _by_id(campaign: Campaign, name: str, items: tuple[Any, ...]) -> dict[str, Any]:
    """An id index of ``items``, built once per tuple: looked up on every check-in (the server's hot path).
    Kept beside the model's fields and keyed by the tuple itself, so a ``model_copy(update=...)`` with other
    items (which copies ``__dict__``) builds its own index instead of reading the original's."""
    key = f"_index_{name}"
    cached = campaign.__dict__.get(key)
    if cached is None or cached[0] is not items:
        cached = (items, {item.id: item for item in items})
        campaign.__dict__[key] = cached  # the model is frozen; its field values are not touched
    return cached[1]


@dataclass(frozen=True)
class ContentIssue:
    """One problem in a pack: which file, which field, what is wrong."""

    file: str
    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.problem}"


class ContentError(ValueError):
    """A content pack failed validation; ``issues`` lists every problem found."""

    def __init__(self, campaign_id: str, issues: list[ContentIssue]) -> None:
        self.campaign_id = campaign_id
        self.issues = issues
        lines = "\n".join(f"  {i}" for i in issues)
        super().__init__(f"campaign {campaign_id!r} has {len(issues)} problem(s):\n{lines}")


# Which file each top-level section of the pack lives in.
PACK_FILES: dict[str, str] = {
    "meta": "campaign.toml",
    "brand": "campaign.toml",
    "tiers": "campaign.toml",
    "city": "city.toml",
    "collectibles": "collectibles.toml",
    "tasks": "tasks.toml",
}


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(root)"


def _pydantic_issues(file: str, prefix: str, err: ValidationError) -> list[ContentIssue]:
    issues = []
    for e in err.errors():
        loc = tuple(p for p in e["loc"] if p not in ("function-after",))
        issues.append(ContentIssue(file, _loc((prefix, *loc)) if prefix else _loc(loc), e["msg"]))
    return issues


def _section(docs: Mapping[str, Mapping[str, Any]], key: str, issues: list[ContentIssue]) -> Any:
    file = PACK_FILES[key]
    doc = docs.get(file)
    if doc is None:
        # a file that is missing or failed to parse is reported once, by what went wrong
        if not any(i.file == file and i.field in ("(file)", "(syntax)") for i in issues):
            issues.append(ContentIssue(file, "(file)", "missing file"))
        return None
    if key not in doc:
        issues.append(ContentIssue(file, key, "missing section"))
        return None
    return doc[key]


def _raw_ids(raw: Any) -> set[str]:
    """The ``id`` strings of a raw list section (also of items that failed validation)."""
    if not isinstance(raw, list):
        return set()
    return {item["id"] for item in raw if isinstance(item, Mapping) and isinstance(item.get("id"), str)}


def _cross_check(
    parts: Mapping[str, Any],
    indexed: Mapping[str, list[tuple[int, Any]]],
    raw_ids: Mapping[str, set[str]],
    asset_names: frozenset[str] | None,
) -> list[ContentIssue]:
    """Checks across sections, run on whatever parsed (so they are reported together with schema
    errors elsewhere). ``indexed`` holds the valid items of list sections with their original index;
    references are resolved against ``raw_ids`` too, so an item that failed its schema is not also
    reported as unknown."""
    issues: list[ContentIssue] = []
    landmarks: list[tuple[int, Landmark]] = list(indexed.get("landmarks", ()))
    for index, ident in _duplicates_at([(i, lm.id) for i, lm in landmarks]):
        issues.append(ContentIssue("city.toml", f"city.landmarks[{index}].id", f"duplicate id {ident!r}"))
    for index, lm in landmarks:
        where = f"city.landmarks[{index}]"
        if CheckinMode.LEARN in lm.modes and lm.quiz is None:
            issues.append(ContentIssue("city.toml", f"{where}.quiz", "mode 'learn' needs a quiz"))
        for mode, steps in lm.modes.items():
            if steps < 0:
                issues.append(ContentIssue("city.toml", f"{where}.modes.{mode}", "steps must be ≥ 0"))
    # quizzes are checked on their own, so a typo elsewhere in the landmark does not hide a bad answer
    for index, quiz in indexed.get("quizzes", ()):
        if quiz.answer >= len(quiz.choices):
            issues.append(ContentIssue("city.toml", f"city.landmarks[{index}].quiz.answer",
                                       f"index {quiz.answer} has no choice (there are {len(quiz.choices)})"))
    lm_ids = {lm.id for _, lm in landmarks} | raw_ids.get("landmarks", set())
    collectibles: list[tuple[int, Collectible]] = list(indexed.get("collectibles", ()))
    for index, ident in _duplicates_at([(i, col.id) for i, col in collectibles]):
        issues.append(
            ContentIssue("collectibles.toml", f"collectibles[{index}].id", f"duplicate id {ident!r}")
        )
    col_ids = {col.id for _, col in collectibles} | raw_ids.get("collectibles", set())
    for index, col in collectibles:
        where = f"collectibles[{index}]"
        if col.rarity is Rarity.LIMITED and col.supply is None:
            issues.append(ContentIssue("collectibles.toml", f"{where}.supply", "a limited item needs a supply"))
        if col.rarity is not Rarity.LIMITED and col.supply is not None:
            issues.append(ContentIssue("collectibles.toml", f"{where}.supply", "only limited items have a supply"))
        if col.consolation is not None and col.consolation not in col_ids:
            issues.append(
                ContentIssue("collectibles.toml", f"{where}.consolation", f"unknown collectible {col.consolation!r}")
            )
    tasks: list[tuple[int, Task]] = list(indexed.get("tasks", ()))
    for index, ident in _duplicates_at([(i, t.id) for i, t in tasks]):
        issues.append(ContentIssue("tasks.toml", f"tasks[{index}].id", f"duplicate id {ident!r}"))
    if "landmarks" in raw_ids:  # without a city section, landmark references cannot be judged
        for index, task in tasks:
            if task.landmark is not None and task.landmark not in lm_ids:
                issues.append(
                    ContentIssue("tasks.toml", f"tasks[{index}].landmark", f"unknown landmark {task.landmark!r}")
                )
    tiers: list[tuple[int, Tier]] = list(indexed.get("tiers", ()))
    for index, ident in _duplicates_at([(i, t.id) for i, t in tiers]):
        issues.append(ContentIssue("campaign.toml", f"tiers[{index}].id", f"duplicate id {ident!r}"))
    thresholds = [t.threshold for _, t in tiers]
    if thresholds != sorted(set(thresholds)):
        issues.append(ContentIssue("campaign.toml", "tiers", "thresholds must be strictly increasing"))
    if asset_names is not None:
        for index, lm in landmarks:
            if lm.poster is not None and lm.poster not in asset_names:
                issues.append(ContentIssue("city.toml", f"city.landmarks[{index}].poster",
                                           f"file {lm.poster!r} not in the pack"))
    brand: Brand | None = parts.get("brand")
    if asset_names is not None and brand is not None and brand.logo not in asset_names:
        issues.append(ContentIssue("campaign.toml", "brand.logo", f"file {brand.logo!r} not in the pack"))
    return issues


def _valid_items(model: type[Frozen], raw: Any) -> list[tuple[int, Any]]:
    """(index, model) for each item of a raw list that validates on its own; the rest are skipped."""
    if not isinstance(raw, list):
        return []
    valid = []
    for index, item in enumerate(raw):
        if item is None:
            continue
        try:
            valid.append((index, model.model_validate(item)))
        except ValidationError:
            continue
    return valid


def _duplicates_at(pairs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Like ``_duplicates`` but over (original index, id) pairs."""
    seen: set[str] = set()
    dups = []
    for index, ident in pairs:
        if ident in seen:
            dups.append((index, ident))
        seen.add(ident)
    return dups


def parse_campaign(
    campaign_id: str,
    docs: Mapping[str, Mapping[str, Any]],
    *,
    asset_names: frozenset[str] | None = None,
    pre_issues: list[ContentIssue] | None = None,
) -> Campaign:
    """Validate decoded pack documents into a ``Campaign``; raise ``ContentError`` with all problems.

    ``asset_names`` lists the non-document files in the pack (to check that referenced images
    exist); ``pre_issues`` carries problems the loader already found (unreadable files).
    """
    issues: list[ContentIssue] = list(pre_issues or [])
    parts: dict[str, Any] = {}
    models: dict[str, Any] = {
        "meta": CampaignMeta,
        "brand": Brand,
        "city": City,
    }
    indexed: dict[str, list[tuple[int, Any]]] = {}
    raw_ids: dict[str, set[str]] = {}
    for key, model in models.items():
        raw = _section(docs, key, issues)
        if raw is None:
            continue
        try:
            parts[key] = model.model_validate(raw)
        except ValidationError as err:
            issues.extend(_pydantic_issues(PACK_FILES[key], key, err))
        if key == "city":
            # the landmarks one by one (their schema errors are already reported above): the
            # cross-checks then run on every landmark and quiz that is valid on its own
            lm_raw = raw.get("landmarks") if isinstance(raw, Mapping) else None
            raw_ids["landmarks"] = _raw_ids(lm_raw)
            indexed["landmarks"] = _valid_items(Landmark, lm_raw)
            indexed["quizzes"] = _valid_items(
                Quiz, [lm.get("quiz") if isinstance(lm, Mapping) else None for lm in lm_raw or ()])
    list_models: dict[str, type[Frozen]] = {"collectibles": Collectible, "tasks": Task, "tiers": Tier}
    for key, model in list_models.items():
        raw = _section(docs, key, issues)
        if raw is None:
            continue
        if not isinstance(raw, list):
            issues.append(ContentIssue(PACK_FILES[key], key, "expected a list of tables"))
            continue
        raw_ids[key] = _raw_ids(raw)
        valid: list[tuple[int, Any]] = []
        for index, item in enumerate(raw):
            try:
                valid.append((index, model.model_validate(item)))
            except ValidationError as err:
                issues.extend(_pydantic_issues(PACK_FILES[key], f"{key}[{index}]", err))
        indexed[key] = valid
        parts[key] = tuple(item for _, item in valid)
    if "meta" in parts and parts["meta"].id != campaign_id:
        issues.append(
            ContentIssue("campaign.toml", "meta.id", f"{parts['meta'].id!r} does not match folder {campaign_id!r}")
        )
    # Cross-checks run on every section that parsed, so one run reports schema errors in one file
    # together with duplicate ids or dangling references in another.
    issues.extend(_cross_check(parts, indexed, raw_ids, asset_names))
    if issues:
        raise ContentError(campaign_id, issues)
    try:
        return Campaign(**parts)
    except ValidationError as err:
        raise ContentError(campaign_id, _pydantic_issues("campaign.toml", "", err)) from err


def text_locations(docs: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str, str]]:
    """Every string in the decoded pack documents as (file, field, text), fields named as in issues."""
    found: list[tuple[str, str, str]] = []

    def walk(file: str, loc: tuple[Any, ...], value: Any) -> None:
        if isinstance(value, str):
            found.append((file, _loc(loc), value))
        elif isinstance(value, Mapping):
            for key, item in value.items():
                walk(file, (*loc, key), item)
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                walk(file, (*loc, index), item)

    for file in sorted(docs):
        walk(file, (), docs[file])
    return found


def glyph_issues(docs: Mapping[str, Mapping[str, Any]], covered: frozenset[str]) -> list[ContentIssue]:
    """One issue per string with characters outside ``covered`` (the bundled fonts' glyphs): they
    would render as boxes on screen."""
    issues = []
    for file, field, text in text_locations(docs):
        missing = sorted({ch for ch in text if ch not in covered and not ch.isspace()})
        if missing:
            listed = ", ".join(f"{ch!r} U+{ord(ch):04X}" for ch in missing)
            issues.append(ContentIssue(file, field, f"the bundled fonts have no glyph for {listed}"))
    return issues
