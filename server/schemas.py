"""Request and response bodies (pydantic v2). Requests forbid unknown fields (no mass assignment)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from game.rules.content import CheckinMode

Ident = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", examples=["hongyadong"])]
PLAYER_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"
PlayerId = Annotated[str, Field(pattern=PLAYER_ID_PATTERN)]
# Codes are typed by people: letters, digits, spaces and dashes (normalised before lookup).
Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9 -]{4,32}$")]
# A device-generated random key (≥ 128 bits, URL-safe) that makes a retried request idempotent.
IdempotencyKey = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{22,64}$")]
# Free text: no control characters (PostgreSQL text cannot hold NUL, logs must stay one line).
Label = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")]


def _date_time_text(value: Any) -> Any:
    """A date-time arrives as ISO 8601 text: a number (Unix time) is refused, as the schema says."""
    if isinstance(value, int | float):
        raise ValueError("expected an ISO 8601 date-time string, not a number")
    return value


# An aware date-time given as text (pydantic alone would also take Unix seconds).
DateTimeText = Annotated[AwareDatetime, BeforeValidator(_date_time_text)]


def plausible_utc(value: datetime) -> datetime | None:
    """``value`` in UTC, or None when outside 2000-2099 (or not representable in UTC at all).

    The schema accepts any aware date-time; callers turn None into a per-item rejection.
    """
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        return None
    return utc if 2000 <= utc.year < 2100 else None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeviceKind(StrEnum):
    KIOSK = "kiosk"
    LAPTOP = "laptop"
    QA = "qa"


class ActionStatus(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


# ---- devices ---------------------------------------------------------------------------------


class EnrollRequest(Strict):
    enrollment_code: Code
    name: Label
    kind: DeviceKind
    landmark_id: Ident | None = None
    # Same key, same code, within the code's lifetime: the same device and token again.
    enrollment_key: IdempotencyKey | None = None


class EnrollResponse(BaseModel):
    device_id: str
    device_token: str
    kind: DeviceKind
    landmark_id: str | None


# ---- players ---------------------------------------------------------------------------------


class CreatePlayerRequest(Strict):
    campaign_id: Ident | None = None
    # Same key from the same device: the player created the first time, not another one.
    idempotency_key: IdempotencyKey | None = None


class PlayerCreated(BaseModel):
    player_id: str
    claim_code: str
    campaign_id: str


class ClaimRequest(Strict):
    claim_code: Code


class PlayerClaimed(BaseModel):
    player_id: str
    campaign_id: str


# ---- progress --------------------------------------------------------------------------------


class TextOut(BaseModel):
    zh: str
    en: str


class TierOut(BaseModel):
    id: str
    threshold: int
    name: TextOut
    reward: TextOut


class CheckinOut(BaseModel):
    landmark_id: str
    mode: str
    day: date
    at: datetime


class OwnedOut(BaseModel):
    collectible_id: str
    serial: int | None
    at: datetime


class TaskOut(BaseModel):
    task_id: str
    theme: str
    steps: int
    done_this_month: int
    monthly_limit: int
    complete: bool


class ProgressOut(BaseModel):
    """Authoritative progress; every total is computed by the server from its ledger."""

    player_id: str
    campaign_id: str
    month: str = Field(description="campaign-local month, YYYY-MM")
    month_steps: int
    total_steps: int
    tier: TierOut | None
    next_tier: TierOut | None
    steps_to_next: int
    checked_in_today: list[str]
    checkins: list[CheckinOut]
    collectibles: list[OwnedOut]
    tasks: list[TaskOut]
    server_time: datetime


# ---- actions ---------------------------------------------------------------------------------


class _ActionBase(Strict):
    action_id: UUID = Field(description="client-generated; an action is applied at most once, forever")
    client_time: DateTimeText = Field(
        description="when it happened on the device; credited then if within the offline policy (docs/api.md), "
        "else the action is rejected with client_time_out_of_range"
    )


class CheckinAction(_ActionBase):
    kind: Literal["checkin"]
    landmark_id: Ident
    mode: CheckinMode
    quiz_choice: int | None = Field(default=None, ge=0, le=9)
    scan_verified: bool = False


class QuizAction(_ActionBase):
    """A 'learn' check-in: answering the landmark's quiz."""

    kind: Literal["quiz"]
    landmark_id: Ident
    choice: int = Field(ge=0, le=9)


class CollectAction(_ActionBase):
    kind: Literal["collect"]
    collectible_id: Ident


class ScanAction(_ActionBase):
    """A logo scan: the server rolls what emerges, at the credited time (docs/api.md "Scans")."""

    kind: Literal["scan"]


class ShareAction(_ActionBase):
    kind: Literal["share"]
    channel: str = Field(default="qr", pattern=r"^[a-z0-9_-]{1,32}$")


ActionIn = Annotated[
    CheckinAction | QuizAction | CollectAction | ScanAction | ShareAction, Field(discriminator="kind")
]


class ActionsRequest(Strict):
    actions: list[ActionIn] = Field(min_length=1, max_length=100)


SYNC_MAX_PLAYERS = 100


class SyncKnownPlayer(Strict):
    """A player this device created or claimed, and its actions in order."""

    player_id: PlayerId
    actions: list[ActionIn] = Field(min_length=1, max_length=100)


class SyncNewPlayer(Strict):
    """A player to create first (as ``POST /v1/players``, idempotent by ``create_key``), and its actions."""

    create_key: IdempotencyKey
    campaign_id: Ident | None = Field(default=None, description="default: the server's campaign")
    actions: list[ActionIn] = Field(min_length=1, max_length=100)


SyncPlayerIn = SyncKnownPlayer | SyncNewPlayer


class SyncRequest(Strict):
    """Many players' queued actions in one request (a kiosk's outbox), each player's in order. A
    player named twice is decided twice, in order. The body limit (``max_body_bytes``, 256 KB by
    default: about 1,300 actions) bounds the request."""

    players: list[SyncPlayerIn] = Field(min_length=1, max_length=SYNC_MAX_PLAYERS)


class ItemOut(BaseModel):
    collectible_id: str
    serial: int | None


class ActionResult(BaseModel):
    action_id: str
    kind: str
    status: ActionStatus
    reason: str | None = Field(default=None, description="machine-readable; see docs/api.md")
    original_status: ActionStatus | None = Field(default=None, description="for duplicates: the first outcome")
    steps: int = 0
    collectible: ItemOut | None = Field(default=None, description="collect and scan: the item handed out")
    consolation: ItemOut | None = Field(default=None, description="granted instead when sold out")
    credited_at: datetime | None = Field(
        default=None,
        description="when the action counts (day, month, rates): its client_time if plausible, else server time",
    )


class ActionsResponse(BaseModel):
    results: list[ActionResult]
    progress: ProgressOut


class SyncError(BaseModel):
    code: str
    message: str
    retry_after_s: int | None = Field(default=None, description="429: when to send this player's actions again")


class SyncPlayerOut(BaseModel):
    """One player's answer, in the request's order. ``error``: the player's remaining actions were
    not decided (``results`` holds those decided before it); nothing else in the request is affected."""

    player_id: str | None
    claim_code: str | None = Field(default=None, description="for a create_key entry: the player's claim code")
    campaign_id: str | None = None
    results: list[ActionResult] = []
    progress: ProgressOut | None = None
    error: SyncError | None = None


class SyncResponse(BaseModel):
    players: list[SyncPlayerOut]


# ---- supply, events, partner, stats ------------------------------------------------------------


class SupplyOut(BaseModel):
    campaign_id: str
    collectible_id: str
    supply: int
    remaining: int


class EventIn(Strict):
    event_id: UUID
    name: str = Field(pattern=r"^[a-z][a-z0-9_.:-]{0,63}$", examples=["scan"])
    at: DateTimeText
    player_id: PlayerId | None = None
    props: dict[str, Any] = Field(default_factory=dict, description="≤ 2 KB as JSON")


class EventsRequest(Strict):
    events: list[EventIn] = Field(min_length=1, max_length=500)


class EventsResponse(BaseModel):
    accepted: int
    duplicates: int
    rejected: int = Field(default=0, description="events dropped because their props exceed 2 KB")
    rejected_ids: list[str] = Field(default_factory=list)


class PartnerTaskEvent(Strict):
    event_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    player_id: PlayerId
    task_id: Ident
    occurred_at: DateTimeText | None = None


class PartnerTaskResult(BaseModel):
    event_id: str
    status: ActionStatus
    reason: str | None = None
    steps: int = 0
    month_steps: int
    tier: str | None


class FunnelStep(BaseModel):
    step: str
    events: int
    players: int


class LandmarkCount(BaseModel):
    landmark_id: str
    checkins: int


class StatsOut(BaseModel):
    campaign_id: str
    devices: int
    players: int
    funnel: list[FunnelStep]
    checkins_per_landmark: list[LandmarkCount]
    supply: list[SupplyOut]


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    database: bool
    campaign_id: str
    campaign_loaded: bool
    server_time: datetime
