"""Player progress as immutable data, and the pure rules that change it.

``apply`` is the single decision point used by the client (to predict) and the server (to
decide): it takes a campaign, the current progress, an action and a context, and returns an
``Outcome`` with a new progress value. Steps and tiers are always derived, never stored.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from game.rules.calendar import local_date, month_key, require_aware
from game.rules.content import Campaign, CheckinMode, Landmark, Rarity, Task, TaskTheme, Tier


class PinState(StrEnum):
    LOCKED = "locked"
    AVAILABLE = "available"
    CHECKED_IN = "checked_in"


class Reason(StrEnum):
    """Machine-readable rejection reasons, shared with the REST API."""

    UNKNOWN_LANDMARK = "unknown_landmark"
    LOCKED = "landmark_locked"
    MODE_NOT_ALLOWED = "mode_not_allowed"
    ALREADY_TODAY = "already_checked_in_today"
    NOT_AT_LANDMARK = "device_not_at_landmark"
    QUIZ_REQUIRED = "quiz_answer_required"
    WRONG_ANSWER = "wrong_answer"
    SCAN_NOT_VERIFIED = "scan_not_verified"
    UNKNOWN_COLLECTIBLE = "unknown_collectible"
    ALREADY_OWNED = "already_owned"
    UNKNOWN_TASK = "unknown_task"
    TASK_LIMIT = "task_monthly_limit_reached"
    SHARED_TODAY = "already_shared_today"
    TOO_FAST = "implausible_rate"


@dataclass(frozen=True)
class Grant:
    """Steps earned at one instant, for one reason."""

    source: str
    steps: int
    at: datetime


@dataclass(frozen=True)
class CheckinRecord:
    landmark_id: str
    mode: CheckinMode
    day: date
    at: datetime


@dataclass(frozen=True)
class Owned:
    collectible_id: str
    serial: int | None
    at: datetime


@dataclass(frozen=True)
class Progress:
    """Everything a player has done; all totals are derived from it."""

    grants: tuple[Grant, ...] = ()
    checkins: tuple[CheckinRecord, ...] = ()
    collectibles: tuple[Owned, ...] = ()
    tasks: tuple[tuple[str, datetime], ...] = ()
    shares: tuple[datetime, ...] = ()


@dataclass(frozen=True)
class CheckIn:
    landmark_id: str
    mode: CheckinMode
    quiz_choice: int | None = None
    scan_verified: bool = False


@dataclass(frozen=True)
class Collect:
    collectible_id: str
    serial: int | None = None


@dataclass(frozen=True)
class Share:
    channel: str = "qr"


@dataclass(frozen=True)
class Scan:
    """The logo was scanned and a limited or hidden item may emerge: the server rolls what it is
    (docs/api.md "Scans"). Locally it changes nothing until the server's answer arrives."""


@dataclass(frozen=True)
class TaskDone:
    task_id: str


Action = CheckIn | Collect | Share | TaskDone | Scan


@dataclass(frozen=True)
class Context:
    """Facts about the moment and the device an action comes from."""

    now: datetime
    device_landmark: str | None = None

    def __post_init__(self) -> None:
        require_aware(self.now)


@dataclass(frozen=True)
class Outcome:
    applied: bool
    progress: Progress
    steps: int = 0
    reason: Reason | None = None


def _reject(progress: Progress, reason: Reason) -> Outcome:
    return Outcome(applied=False, progress=progress, reason=reason)


def distinct_checkins(progress: Progress) -> int:
    return len({c.landmark_id for c in progress.checkins})


def checked_in_on(progress: Progress, landmark_id: str, day: date) -> bool:
    return any(c.landmark_id == landmark_id and c.day == day for c in progress.checkins)


def pin_state(
    campaign: Campaign, progress: Progress, landmark: Landmark, now: datetime, device_landmark: str | None = None
) -> PinState:
    """``device_landmark``: where the device stands. A kiosk's own landmark is never locked there, whatever
    the unlock order: the visitor standing at that branch can always check in by visit."""
    today = local_date(now, campaign.meta.utc_offset_minutes)
    if checked_in_on(progress, landmark.id, today):
        return PinState.CHECKED_IN
    if device_landmark == landmark.id and CheckinMode.VISIT in landmark.modes:
        return PinState.AVAILABLE
    if distinct_checkins(progress) < landmark.unlock_after:
        return PinState.LOCKED
    return PinState.AVAILABLE


def checkins_in_last_hour(progress: Progress, now: datetime) -> int:
    since = now - timedelta(hours=1)
    return sum(1 for c in progress.checkins if since < c.at <= now)


def _check_in(campaign: Campaign, progress: Progress, action: CheckIn, ctx: Context) -> Outcome:
    landmark = campaign.landmark(action.landmark_id)
    if landmark is None:
        return _reject(progress, Reason.UNKNOWN_LANDMARK)
    if action.mode not in landmark.modes:
        return _reject(progress, Reason.MODE_NOT_ALLOWED)
    if pin_state(campaign, progress, landmark, ctx.now, ctx.device_landmark) is PinState.LOCKED:
        return _reject(progress, Reason.LOCKED)
    today = local_date(ctx.now, campaign.meta.utc_offset_minutes)
    if checked_in_on(progress, landmark.id, today):
        return _reject(progress, Reason.ALREADY_TODAY)
    if checkins_in_last_hour(progress, ctx.now) >= campaign.meta.max_checkins_per_hour:
        return _reject(progress, Reason.TOO_FAST)
    if action.mode is CheckinMode.VISIT and ctx.device_landmark != landmark.id:
        return _reject(progress, Reason.NOT_AT_LANDMARK)
    if action.mode is CheckinMode.LEARN:
        if landmark.quiz is None or action.quiz_choice is None:
            return _reject(progress, Reason.QUIZ_REQUIRED)
        if action.quiz_choice != landmark.quiz.answer:
            return _reject(progress, Reason.WRONG_ANSWER)
    if action.mode is CheckinMode.SCAN and not action.scan_verified:
        return _reject(progress, Reason.SCAN_NOT_VERIFIED)
    steps = landmark.modes[action.mode]
    record = CheckinRecord(landmark.id, action.mode, today, ctx.now)
    grants = [Grant(f"checkin:{landmark.id}:{action.mode}", steps, ctx.now)]
    if action.mode is CheckinMode.LEARN and campaign.meta.quiz_steps:
        grants.append(Grant(f"quiz:{landmark.id}", campaign.meta.quiz_steps, ctx.now))
    new = replace(progress, checkins=(*progress.checkins, record), grants=(*progress.grants, *grants))
    return Outcome(applied=True, progress=new, steps=sum(g.steps for g in grants))


def _collect(campaign: Campaign, progress: Progress, action: Collect, ctx: Context) -> Outcome:
    item = campaign.collectible(action.collectible_id)
    if item is None:
        return _reject(progress, Reason.UNKNOWN_COLLECTIBLE)
    if any(o.collectible_id == item.id for o in progress.collectibles):
        return _reject(progress, Reason.ALREADY_OWNED)
    serial = action.serial if item.rarity is Rarity.LIMITED else None
    owned = Owned(item.id, serial, ctx.now)
    return Outcome(applied=True, progress=replace(progress, collectibles=(*progress.collectibles, owned)))


def task_count_in_month(campaign: Campaign, progress: Progress, task_id: str, now: datetime) -> int:
    offset = campaign.meta.utc_offset_minutes
    month = month_key(now, offset)
    return sum(1 for tid, at in progress.tasks if tid == task_id and month_key(at, offset) == month)


def _task(campaign: Campaign, progress: Progress, action: TaskDone, ctx: Context) -> Outcome:
    task = campaign.task(action.task_id)
    if task is None:
        return _reject(progress, Reason.UNKNOWN_TASK)
    if task_count_in_month(campaign, progress, task.id, ctx.now) >= task.monthly_limit:
        return _reject(progress, Reason.TASK_LIMIT)
    grant = Grant(f"task:{task.id}", task.steps, ctx.now)
    new = replace(progress, tasks=(*progress.tasks, (task.id, ctx.now)), grants=(*progress.grants, grant))
    return Outcome(applied=True, progress=new, steps=task.steps)


def _share(campaign: Campaign, progress: Progress, action: Share, ctx: Context) -> Outcome:
    offset = campaign.meta.utc_offset_minutes
    today = local_date(ctx.now, offset)
    if any(local_date(at, offset) == today for at in progress.shares):
        return _reject(progress, Reason.SHARED_TODAY)
    grant = Grant("share", campaign.meta.share_steps, ctx.now)
    new = replace(progress, shares=(*progress.shares, ctx.now), grants=(*progress.grants, grant))
    return Outcome(applied=True, progress=new, steps=grant.steps)


def apply(campaign: Campaign, progress: Progress, action: Action, ctx: Context) -> Outcome:
    """Decide one action. Never raises for a bad action: it is rejected with a reason."""
    match action:
        case CheckIn():
            return _check_in(campaign, progress, action, ctx)
        case Collect():
            return _collect(campaign, progress, action, ctx)
        case TaskDone():
            return _task(campaign, progress, action, ctx)
        case Share():
            return _share(campaign, progress, action, ctx)
        case Scan():
            return Outcome(applied=True, progress=progress)
    raise TypeError(f"not an action: {action!r}")


@dataclass(frozen=True)
class TaskStatus:
    task: Task
    done_this_month: int

    @property
    def complete(self) -> bool:
        return self.done_this_month >= self.task.monthly_limit


@dataclass(frozen=True)
class Summary:
    """Derived totals for display and for the API."""

    month: str
    month_steps: int
    total_steps: int
    tier: Tier | None
    next_tier: Tier | None
    checked_in_today: frozenset[str]
    checked_in_ever: frozenset[str]
    tasks_by_theme: dict[TaskTheme, tuple[TaskStatus, ...]] = field(default_factory=dict)

    @property
    def steps_to_next(self) -> int:
        return 0 if self.next_tier is None else max(0, self.next_tier.threshold - self.month_steps)


def month_steps(campaign: Campaign, progress: Progress, now: datetime) -> int:
    offset = campaign.meta.utc_offset_minutes
    month = month_key(now, offset)
    return sum(g.steps for g in progress.grants if month_key(g.at, offset) == month)


def tier_for(tiers: tuple[Tier, ...], steps: int) -> tuple[Tier | None, Tier | None]:
    """(highest tier reached, next tier) for a monthly step total."""
    reached = [t for t in tiers if steps >= t.threshold]
    upcoming = [t for t in tiers if steps < t.threshold]
    return (reached[-1] if reached else None, upcoming[0] if upcoming else None)


def summarize(campaign: Campaign, progress: Progress, now: datetime) -> Summary:
    offset = campaign.meta.utc_offset_minutes
    steps = month_steps(campaign, progress, now)
    tier, next_tier = tier_for(campaign.tiers, steps)
    today = local_date(now, offset)
    counts = Counter(
        tid for tid, at in progress.tasks if month_key(at, offset) == month_key(now, offset)
    )
    by_theme: dict[TaskTheme, tuple[TaskStatus, ...]] = {}
    for task in campaign.tasks:
        by_theme[task.theme] = (*by_theme.get(task.theme, ()), TaskStatus(task, counts[task.id]))
    return Summary(
        month=month_key(now, offset),
        month_steps=steps,
        total_steps=sum(g.steps for g in progress.grants),
        tier=tier,
        next_tier=next_tier,
        checked_in_today=frozenset(c.landmark_id for c in progress.checkins if c.day == today),
        checked_in_ever=frozenset(c.landmark_id for c in progress.checkins),
        tasks_by_theme=by_theme,
    )
