"""Pure rules (progress, calendar, spawn) against the real default campaign, with injected
aware datetimes. Expected values are derived from the campaign data, not copied from the code."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.content import CAMPAIGNS_DIR, DEFAULT_CAMPAIGN, load_campaign
from game.rules.calendar import campaign_tz, local_date, month_bounds, month_key, require_aware
from game.rules.content import Campaign, CheckinMode, Collectible, Landmark, Rarity, SpawnRule, Task
from game.rules.progress import (
    CheckIn,
    CheckinRecord,
    Collect,
    Context,
    Grant,
    Outcome,
    PinState,
    Progress,
    Reason,
    Share,
    TaskDone,
    apply,
    distinct_checkins,
    month_steps,
    pin_state,
    summarize,
    tier_for,
)
from game.rules.spawn import choose_spawn, eligible

SHANGHAI = ZoneInfo("Asia/Shanghai")  # independent oracle for the fixed +08:00 offset
# 2027-01-10 10:00 in Shanghai; a quiet mid-month day.
T0 = datetime(2027, 1, 10, 2, 0, tzinfo=UTC)


def _load_default() -> Campaign:
    """The real default pack; a logo that has not been generated yet gets a placeholder copy."""
    if (CAMPAIGNS_DIR / DEFAULT_CAMPAIGN / "logo.png").exists():
        return load_campaign(DEFAULT_CAMPAIGN)
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="campaigns-"))
    shutil.copytree(CAMPAIGNS_DIR / DEFAULT_CAMPAIGN, root / DEFAULT_CAMPAIGN)
    (root / DEFAULT_CAMPAIGN / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    try:
        return load_campaign(DEFAULT_CAMPAIGN, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


CAMPAIGN = _load_default()
OFFSET = CAMPAIGN.meta.utc_offset_minutes
OPEN = [lm for lm in CAMPAIGN.city.landmarks if lm.unlock_after == 0]
LOCKED = sorted((lm for lm in CAMPAIGN.city.landmarks if lm.unlock_after > 0), key=lambda lm: lm.unlock_after)


def shanghai(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time as an aware UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def action_for(lm: Landmark, mode: CheckinMode) -> tuple[CheckIn, str | None]:
    """A check-in that satisfies the mode's requirement, and the device landmark it needs."""
    if mode is CheckinMode.LEARN:
        assert lm.quiz is not None
        return CheckIn(lm.id, mode, quiz_choice=lm.quiz.answer), None
    if mode is CheckinMode.SCAN:
        return CheckIn(lm.id, mode, scan_verified=True), None
    return CheckIn(lm.id, mode), lm.id


def check_in(progress: Progress, lm: Landmark, at: datetime, mode: CheckinMode = CheckinMode.SCAN) -> Outcome:
    action, device = action_for(lm, mode)
    return apply(CAMPAIGN, progress, action, Context(at, device_landmark=device))


def expected_steps(lm: Landmark, mode: CheckinMode) -> int:
    return lm.modes[mode] + (CAMPAIGN.meta.quiz_steps if mode is CheckinMode.LEARN else 0)


def with_checkins(count: int, start: datetime = T0) -> Progress:
    """A progress with ``count`` distinct open landmarks checked in, ten minutes apart."""
    assert count <= len(OPEN)
    progress = Progress()
    for i, lm in enumerate(OPEN[:count]):
        out = check_in(progress, lm, start + timedelta(minutes=10 * i))
        assert out.applied, out.reason
        progress = out.progress
    return progress


def rejected(out: Outcome, before: Progress, reason: Reason) -> None:
    assert not out.applied
    assert out.reason is reason
    assert out.steps == 0
    assert out.progress is before, "a rejected action leaves progress untouched"


def item(rarity: Rarity) -> Collectible:
    return next(c for c in CAMPAIGN.collectibles if c.rarity is rarity)


HIDDEN = item(Rarity.HIDDEN)
LIMITED = item(Rarity.LIMITED)
COMMONS = [c for c in CAMPAIGN.collectibles if c.rarity is Rarity.COMMON]


# ---------------------------------------------------------------------------------------------
# the campaign facts these tests rely on


def test_campaign_shape_supports_the_scenarios() -> None:
    assert OFFSET == 480
    assert OPEN and LOCKED, "some landmarks are open from the start, some must be unlocked"
    assert len(CAMPAIGN.city.landmarks) > CAMPAIGN.meta.max_checkins_per_hour, "rate limit is reachable"
    assert HIDDEN.spawn.hours is not None and HIDDEN.spawn.min_checkins > 0
    assert LIMITED.supply is not None


# ---------------------------------------------------------------------------------------------
# check-ins


@pytest.mark.parametrize("mode", list(CheckinMode))
def test_steps_per_checkin_mode(mode: CheckinMode) -> None:
    lm = next(lm for lm in OPEN if mode in lm.modes)
    out = check_in(Progress(), lm, T0, mode)
    assert out.applied and out.reason is None
    assert out.steps == expected_steps(lm, mode)
    assert sum(g.steps for g in out.progress.grants) == out.steps
    assert all(g.at == T0 for g in out.progress.grants)
    assert out.progress.checkins == (CheckinRecord(lm.id, mode, local_date(T0, OFFSET), T0),)
    assert month_steps(CAMPAIGN, out.progress, T0) == out.steps


def test_every_landmark_pays_its_own_mode_steps() -> None:
    # Unlock everything first (all-time distinct check-ins), then check each landmark in each mode
    # on separate days.
    base = with_checkins(len(OPEN))
    for day, mode in enumerate(CheckinMode, start=1):
        progress = base
        at = T0 + timedelta(days=day)
        for lm in CAMPAIGN.city.landmarks:
            at += timedelta(hours=1)  # stay under the hourly rate limit
            out = check_in(progress, lm, at, mode)
            assert out.applied, (lm.id, mode, out.reason)
            assert out.steps == expected_steps(lm, mode)
            progress = out.progress


def test_learn_needs_the_correct_quiz_answer() -> None:
    lm = next(lm for lm in OPEN if CheckinMode.LEARN in lm.modes)
    assert lm.quiz is not None
    start = Progress()
    for choice in range(len(lm.quiz.choices)):
        if choice == lm.quiz.answer:
            continue
        out = apply(CAMPAIGN, start, CheckIn(lm.id, CheckinMode.LEARN, quiz_choice=choice), Context(T0))
        rejected(out, start, Reason.WRONG_ANSWER)
    rejected(apply(CAMPAIGN, start, CheckIn(lm.id, CheckinMode.LEARN), Context(T0)), start, Reason.QUIZ_REQUIRED)
    ok = apply(CAMPAIGN, start, CheckIn(lm.id, CheckinMode.LEARN, quiz_choice=lm.quiz.answer), Context(T0))
    assert ok.applied and ok.steps == lm.modes[CheckinMode.LEARN] + CAMPAIGN.meta.quiz_steps
    sources = sorted(g.source for g in ok.progress.grants)
    assert sources == sorted([f"checkin:{lm.id}:learn", f"quiz:{lm.id}"])


def test_wrong_answer_does_not_use_up_the_day() -> None:
    lm = OPEN[0]
    assert lm.quiz is not None
    wrong = (lm.quiz.answer + 1) % len(lm.quiz.choices)
    first = apply(CAMPAIGN, Progress(), CheckIn(lm.id, CheckinMode.LEARN, quiz_choice=wrong), Context(T0))
    assert not first.applied
    retry = check_in(first.progress, lm, T0 + timedelta(minutes=1), CheckinMode.LEARN)
    assert retry.applied


def test_visit_needs_the_device_at_that_landmark() -> None:
    lm, other = OPEN[0], OPEN[1]
    start = Progress()
    action = CheckIn(lm.id, CheckinMode.VISIT)
    rejected(apply(CAMPAIGN, start, action, Context(T0)), start, Reason.NOT_AT_LANDMARK)
    rejected(apply(CAMPAIGN, start, action, Context(T0, device_landmark=other.id)), start, Reason.NOT_AT_LANDMARK)
    ok = apply(CAMPAIGN, start, action, Context(T0, device_landmark=lm.id))
    assert ok.applied and ok.steps == lm.modes[CheckinMode.VISIT]


def test_scan_needs_a_verified_scan() -> None:
    lm = OPEN[0]
    start = Progress()
    out = apply(CAMPAIGN, start, CheckIn(lm.id, CheckinMode.SCAN, scan_verified=False), Context(T0))
    rejected(out, start, Reason.SCAN_NOT_VERIFIED)


def test_unknown_landmark_and_mode_not_offered() -> None:
    start = Progress()
    out = apply(CAMPAIGN, start, CheckIn("atlantis", CheckinMode.SCAN, scan_verified=True), Context(T0))
    rejected(out, start, Reason.UNKNOWN_LANDMARK)
    lm = OPEN[0]
    scan_only = lm.model_copy(update={"modes": {CheckinMode.SCAN: 40}})
    landmarks = tuple(scan_only if x.id == lm.id else x for x in CAMPAIGN.city.landmarks)
    variant = CAMPAIGN.model_copy(update={"city": CAMPAIGN.city.model_copy(update={"landmarks": landmarks})})
    out = apply(variant, start, CheckIn(lm.id, CheckinMode.VISIT), Context(T0, device_landmark=lm.id))
    rejected(out, start, Reason.MODE_NOT_ALLOWED)


def test_once_per_landmark_per_shanghai_day() -> None:
    lm = OPEN[0]
    morning = shanghai(2027, 1, 10, 9, 0)
    first = check_in(Progress(), lm, morning)
    assert first.applied
    # Any mode, any time until local midnight: rejected.
    late = shanghai(2027, 1, 10, 23, 59)
    assert late == datetime(2027, 1, 10, 15, 59, tzinfo=UTC)
    for mode in lm.modes:
        rejected(check_in(first.progress, lm, late, mode), first.progress, Reason.ALREADY_TODAY)
    assert pin_state(CAMPAIGN, first.progress, lm, late) is PinState.CHECKED_IN
    # 16:00 UTC is midnight in Shanghai: a new day.
    midnight = datetime(2027, 1, 10, 16, 0, tzinfo=UTC)
    assert local_date(midnight, OFFSET).isoformat() == "2027-01-11"
    assert pin_state(CAMPAIGN, first.progress, lm, midnight) is PinState.AVAILABLE
    again = check_in(first.progress, lm, midnight)
    assert again.applied and again.steps == expected_steps(lm, CheckinMode.SCAN)
    # Another landmark the same day is fine.
    assert check_in(first.progress, OPEN[1], late).applied


def test_a_utc_day_is_not_a_campaign_day() -> None:
    lm = OPEN[0]
    # 15:59 and 16:01 UTC on the same UTC date are different Shanghai days.
    first = check_in(Progress(), lm, datetime(2027, 1, 10, 15, 59, tzinfo=UTC))
    second = check_in(first.progress, lm, datetime(2027, 1, 10, 16, 1, tzinfo=UTC))
    assert first.applied and second.applied
    # 16:01 UTC and 15:59 UTC next day are the same Shanghai day.
    third = check_in(second.progress, lm, datetime(2027, 1, 11, 15, 59, tzinfo=UTC))
    rejected(third, second.progress, Reason.ALREADY_TODAY)


def test_unlock_after_locks_until_enough_distinct_checkins() -> None:
    target = LOCKED[0]
    need = target.unlock_after
    progress = Progress()
    assert pin_state(CAMPAIGN, progress, target, T0) is PinState.LOCKED
    rejected(check_in(progress, target, T0), progress, Reason.LOCKED)
    # Checking in at the same landmark on many days counts once.
    for day in range(need + 1):
        out = check_in(progress, OPEN[0], T0 + timedelta(days=day))
        assert out.applied
        progress = out.progress
    assert distinct_checkins(progress) == 1
    if need > 1:
        assert pin_state(CAMPAIGN, progress, target, T0 + timedelta(days=9)) is PinState.LOCKED
    progress = with_checkins(need)
    later = T0 + timedelta(hours=3)
    assert distinct_checkins(progress) == need
    assert pin_state(CAMPAIGN, progress, target, later) is PinState.AVAILABLE
    assert check_in(progress, target, later).applied


def test_every_locked_landmark_opens_at_its_threshold() -> None:
    for lm in LOCKED:
        below = with_checkins(lm.unlock_after - 1) if lm.unlock_after > 1 else Progress()
        at = T0 + timedelta(hours=5)
        assert pin_state(CAMPAIGN, below, lm, at) is PinState.LOCKED, lm.id
        enough = with_checkins(lm.unlock_after)
        assert pin_state(CAMPAIGN, enough, lm, at) is PinState.AVAILABLE, lm.id


def test_implausible_rate_is_rejected() -> None:
    limit = CAMPAIGN.meta.max_checkins_per_hour
    progress = Progress()
    start = shanghai(2027, 1, 12, 9, 0)
    step = timedelta(minutes=50) / limit  # all `limit` check-ins inside 50 minutes
    for i in range(limit):
        at = start + step * i
        lm = next(
            lm for lm in CAMPAIGN.city.landmarks if pin_state(CAMPAIGN, progress, lm, at) is PinState.AVAILABLE
        )
        out = check_in(progress, lm, at)
        assert out.applied, (i, out.reason)
        progress = out.progress
    at = start + timedelta(minutes=55)
    spare = next(lm for lm in CAMPAIGN.city.landmarks if pin_state(CAMPAIGN, progress, lm, at) is PinState.AVAILABLE)
    rejected(check_in(progress, spare, at), progress, Reason.TOO_FAST)
    # Once the first check-in is more than an hour old, the window has room again.
    later = start + timedelta(hours=1, minutes=1)
    assert check_in(progress, spare, later).applied


# ---------------------------------------------------------------------------------------------
# months and tiers


def test_month_boundary_follows_shanghai() -> None:
    instant = datetime(2027, 1, 31, 16, 30, tzinfo=UTC)  # 2027-02-01 00:30 in Shanghai
    assert month_key(instant, OFFSET) == "2027-02"
    assert month_key(instant - timedelta(minutes=31), OFFSET) == "2027-01"
    start, end = month_bounds("2027-02", OFFSET)
    assert start == datetime(2027, 1, 31, 16, 0, tzinfo=UTC)
    assert end == datetime(2027, 2, 28, 16, 0, tzinfo=UTC)
    assert month_bounds("2026-12", OFFSET) == (
        datetime(2026, 11, 30, 16, 0, tzinfo=UTC),
        datetime(2026, 12, 31, 16, 0, tzinfo=UTC),
    )


def test_a_grant_just_after_local_midnight_counts_for_the_new_month() -> None:
    task = CAMPAIGN.tasks[0]
    at = datetime(2027, 1, 31, 16, 30, tzinfo=UTC)
    out = apply(CAMPAIGN, Progress(), TaskDone(task.id), Context(at))
    assert out.applied
    jan = datetime(2027, 1, 31, 15, 0, tzinfo=UTC)
    feb = datetime(2027, 2, 15, 4, 0, tzinfo=UTC)
    assert month_steps(CAMPAIGN, out.progress, jan) == 0
    assert month_steps(CAMPAIGN, out.progress, feb) == task.steps
    assert summarize(CAMPAIGN, out.progress, feb).month == "2027-02"


def test_month_steps_reset_next_month_but_total_keeps_growing() -> None:
    progress = with_checkins(3, start=shanghai(2027, 1, 20, 10))
    jan_steps = sum(expected_steps(lm, CheckinMode.SCAN) for lm in OPEN[:3])
    jan = summarize(CAMPAIGN, progress, shanghai(2027, 1, 31, 23, 59))
    assert jan.month == "2027-01"
    assert jan.month_steps == jan.total_steps == jan_steps
    feb = summarize(CAMPAIGN, progress, shanghai(2027, 2, 1, 0, 0))
    assert feb.month == "2027-02"
    assert feb.month_steps == 0
    assert feb.total_steps == jan_steps
    assert feb.tier is None and feb.next_tier == CAMPAIGN.tiers[0]
    assert feb.steps_to_next == CAMPAIGN.tiers[0].threshold
    assert feb.checked_in_ever == frozenset(lm.id for lm in OPEN[:3])
    assert feb.checked_in_today == frozenset()


def grants_of(steps: int, at: datetime = T0) -> Progress:
    return Progress(grants=(Grant("test", steps, at),))


def test_tiers_reached_next_and_steps_to_next() -> None:
    tiers = CAMPAIGN.tiers
    for i, tier in enumerate(tiers):
        below = summarize(CAMPAIGN, grants_of(tier.threshold - 1), T0)
        assert below.next_tier == tier
        assert below.tier == (tiers[i - 1] if i else None)
        assert below.steps_to_next == 1
        exact = summarize(CAMPAIGN, grants_of(tier.threshold), T0)
        assert exact.tier == tier
        nxt = tiers[i + 1] if i + 1 < len(tiers) else None
        assert exact.next_tier == nxt
        assert exact.steps_to_next == (nxt.threshold - tier.threshold if nxt else 0)
    top = summarize(CAMPAIGN, grants_of(tiers[-1].threshold * 3), T0)
    assert top.tier == tiers[-1] and top.next_tier is None and top.steps_to_next == 0
    assert tier_for(tiers, 0) == (None, tiers[0])


def test_tier_is_reached_by_playing() -> None:
    first = CAMPAIGN.tiers[0]
    progress, at, earned = Progress(), T0, 0
    for task in sorted(CAMPAIGN.tasks, key=lambda t: -t.steps):
        out = apply(CAMPAIGN, progress, TaskDone(task.id), Context(at))
        assert out.applied
        progress, earned = out.progress, earned + task.steps
        if earned >= first.threshold:
            break
    summary = summarize(CAMPAIGN, progress, at)
    assert summary.month_steps == earned >= first.threshold
    assert summary.tier is not None and summary.tier.threshold <= earned


# ---------------------------------------------------------------------------------------------
# tasks, shares, collectibles


def test_task_monthly_limit_resets_next_month() -> None:
    task = max(CAMPAIGN.tasks, key=lambda t: t.monthly_limit)
    progress = Progress()
    start = shanghai(2027, 1, 31, 20, 0)
    for i in range(task.monthly_limit):
        out = apply(CAMPAIGN, progress, TaskDone(task.id), Context(start + timedelta(minutes=i)))
        assert out.applied and out.steps == task.steps
        progress = out.progress
    last_jan = shanghai(2027, 1, 31, 23, 59)
    rejected(apply(CAMPAIGN, progress, TaskDone(task.id), Context(last_jan)), progress, Reason.TASK_LIMIT)
    status = next(s for s in summarize(CAMPAIGN, progress, last_jan).tasks_by_theme[task.theme] if s.task == task)
    assert status.complete and status.done_this_month == task.monthly_limit
    first_feb = shanghai(2027, 2, 1, 0, 0)
    feb = apply(CAMPAIGN, progress, TaskDone(task.id), Context(first_feb))
    assert feb.applied and feb.steps == task.steps
    status = next(s for s in summarize(CAMPAIGN, feb.progress, first_feb).tasks_by_theme[task.theme] if s.task == task)
    assert status.done_this_month == 1 and status.complete == (task.monthly_limit == 1)


@pytest.mark.parametrize("task", CAMPAIGN.tasks, ids=lambda t: t.id)
def test_every_task_grants_its_steps_up_to_its_limit(task: Task) -> None:
    progress = Progress()
    for i in range(task.monthly_limit):
        out = apply(CAMPAIGN, progress, TaskDone(task.id), Context(T0 + timedelta(hours=i)))
        assert out.applied and out.steps == task.steps
        progress = out.progress
    assert month_steps(CAMPAIGN, progress, T0) == task.steps * task.monthly_limit
    out = apply(CAMPAIGN, progress, TaskDone(task.id), Context(T0 + timedelta(days=1)))
    rejected(out, progress, Reason.TASK_LIMIT)


def test_summary_groups_every_task_by_theme() -> None:
    summary = summarize(CAMPAIGN, Progress(), T0)
    grouped = [s.task for statuses in summary.tasks_by_theme.values() for s in statuses]
    assert sorted(t.id for t in grouped) == sorted(t.id for t in CAMPAIGN.tasks)
    assert all(s.task.theme is theme for theme, ss in summary.tasks_by_theme.items() for s in ss)
    assert not any(s.complete for ss in summary.tasks_by_theme.values() for s in ss)


def test_unknown_task() -> None:
    start = Progress()
    rejected(apply(CAMPAIGN, start, TaskDone("win-the-lottery"), Context(T0)), start, Reason.UNKNOWN_TASK)


def test_share_once_per_shanghai_day() -> None:
    first = apply(CAMPAIGN, Progress(), Share(), Context(shanghai(2027, 1, 10, 8, 0)))
    assert first.applied and first.steps == CAMPAIGN.meta.share_steps
    again = apply(CAMPAIGN, first.progress, Share("wechat"), Context(shanghai(2027, 1, 10, 23, 59)))
    rejected(again, first.progress, Reason.SHARED_TODAY)
    next_day = apply(CAMPAIGN, first.progress, Share(), Context(shanghai(2027, 1, 11, 0, 0)))
    assert next_day.applied
    assert month_steps(CAMPAIGN, next_day.progress, T0) == 2 * CAMPAIGN.meta.share_steps


def test_collect_twice_is_rejected() -> None:
    common = COMMONS[0]
    first = apply(CAMPAIGN, Progress(), Collect(common.id), Context(T0))
    assert first.applied and first.steps == 0
    assert [o.collectible_id for o in first.progress.collectibles] == [common.id]
    again = apply(CAMPAIGN, first.progress, Collect(common.id), Context(T0 + timedelta(days=40)))
    rejected(again, first.progress, Reason.ALREADY_OWNED)
    start = Progress()
    rejected(apply(CAMPAIGN, start, Collect("unicorn"), Context(T0)), start, Reason.UNKNOWN_COLLECTIBLE)


def test_limited_serial_is_kept_and_others_have_none() -> None:
    assert LIMITED.supply is not None
    serial = LIMITED.supply // 2
    out = apply(CAMPAIGN, Progress(), Collect(LIMITED.id, serial=serial), Context(T0))
    assert out.applied
    (owned,) = out.progress.collectibles
    assert (owned.collectible_id, owned.serial, owned.at) == (LIMITED.id, serial, T0)
    common = apply(CAMPAIGN, out.progress, Collect(COMMONS[0].id, serial=7), Context(T0))
    assert common.progress.collectibles[-1].serial is None


def test_not_an_action_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        apply(CAMPAIGN, Progress(), "check in please", Context(T0))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# naive datetimes


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2027, 1, 10, 10, 0)
    with pytest.raises(ValueError, match="aware"):
        Context(naive)
    with pytest.raises(ValueError):
        summarize(CAMPAIGN, Progress(), naive)
    with pytest.raises(ValueError):
        month_steps(CAMPAIGN, Progress(), naive)
    with pytest.raises(ValueError):
        pin_state(CAMPAIGN, Progress(), OPEN[0], naive)
    for fn in (local_date, month_key):
        with pytest.raises(ValueError):
            fn(naive, OFFSET)
    with pytest.raises(ValueError):
        require_aware(naive)
    assert require_aware(T0) is T0


def test_spawn_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        choose_spawn(CAMPAIGN, with_checkins(HIDDEN.spawn.min_checkins), datetime(2027, 1, 10, 20, 0), (0.0, 0.0))


# ---------------------------------------------------------------------------------------------
# spawn rules


def evening(hour: int, minute: int = 0) -> datetime:
    return shanghai(2027, 1, 12, hour, minute) if hour < 24 else shanghai(2027, 1, 13, hour - 24, minute)


def test_hidden_item_needs_min_checkins() -> None:
    start, _ = HIDDEN.spawn.hours or (0, 24)
    now = evening(start)
    gate = HIDDEN.spawn.chance / 2
    few = with_checkins(HIDDEN.spawn.min_checkins - 1)
    assert not eligible(HIDDEN, CAMPAIGN, few, now, gate)
    assert choose_spawn(CAMPAIGN, few, now, (gate, 0.0)) not in (HIDDEN, None)
    enough = with_checkins(HIDDEN.spawn.min_checkins)
    assert eligible(HIDDEN, CAMPAIGN, enough, now, gate)
    assert choose_spawn(CAMPAIGN, enough, now, (gate, 0.0)) == HIDDEN


def test_hidden_item_only_within_its_local_hours() -> None:
    start, end = HIDDEN.spawn.hours or (0, 24)
    progress = with_checkins(HIDDEN.spawn.min_checkins)
    gate = 0.0
    assert not eligible(HIDDEN, CAMPAIGN, progress, evening(start - 1, 59), gate)
    assert eligible(HIDDEN, CAMPAIGN, progress, evening(start), gate)
    assert eligible(HIDDEN, CAMPAIGN, progress, evening(end - 1, 59), gate)
    assert not eligible(HIDDEN, CAMPAIGN, progress, evening(end), gate)
    # The hours are Shanghai hours: the same instant read in UTC is not what counts.
    inside_utc = evening(start)
    assert inside_utc.hour != start
    assert eligible(HIDDEN, CAMPAIGN, progress, inside_utc.astimezone(campaign_tz(-300)), gate)


def test_hidden_item_respects_its_chance() -> None:
    progress = with_checkins(HIDDEN.spawn.min_checkins)
    now = evening((HIDDEN.spawn.hours or (0, 24))[0])
    assert eligible(HIDDEN, CAMPAIGN, progress, now, HIDDEN.spawn.chance - 1e-9)
    assert not eligible(HIDDEN, CAMPAIGN, progress, now, HIDDEN.spawn.chance)
    fallback = choose_spawn(CAMPAIGN, progress, now, (HIDDEN.spawn.chance, 0.0))
    assert fallback is not None and fallback.rarity is Rarity.COMMON


def test_wrap_around_hours() -> None:
    night = HIDDEN.model_copy(update={"spawn": SpawnRule(hours=(22, 2))})
    progress = Progress()
    assert eligible(night, CAMPAIGN, progress, evening(23), 0.0)
    assert eligible(night, CAMPAIGN, progress, evening(25), 0.0)
    assert not eligible(night, CAMPAIGN, progress, evening(26), 0.0)
    assert not eligible(night, CAMPAIGN, progress, evening(12), 0.0)


def test_limited_is_skipped_when_sold_out() -> None:
    need = max(LIMITED.spawn.min_checkins, 1)
    progress = with_checkins(min(need, len(OPEN)))
    assert distinct_checkins(progress) >= LIMITED.spawn.min_checkins
    # Daytime, so the hidden item is out of its hours; a roll that passes the limited item's chance.
    noon = shanghai(2027, 1, 12, 12, 0)
    gate = LIMITED.spawn.chance / 2
    assert choose_spawn(CAMPAIGN, progress, noon, (gate, 0.0)) == LIMITED
    assert choose_spawn(CAMPAIGN, progress, noon, (gate, 0.0), supply_left={LIMITED.id: 5}) == LIMITED
    sold_out = choose_spawn(CAMPAIGN, progress, noon, (gate, 0.0), supply_left={LIMITED.id: 0})
    assert sold_out is not None and sold_out.rarity is Rarity.COMMON


def test_special_items_share_the_pick_by_weight() -> None:
    need = max(HIDDEN.spawn.min_checkins, LIMITED.spawn.min_checkins)
    progress = with_checkins(need)
    now = evening((HIDDEN.spawn.hours or (0, 24))[0])
    gate = min(HIDDEN.spawn.chance, LIMITED.spawn.chance) / 2
    specials = [c for c in CAMPAIGN.collectibles if c.rarity is not Rarity.COMMON]
    total = sum(c.spawn.weight for c in specials)
    share_first = specials[0].spawn.weight / total
    assert choose_spawn(CAMPAIGN, progress, now, (gate, share_first - 1e-6)) == specials[0]
    assert choose_spawn(CAMPAIGN, progress, now, (gate, share_first + 1e-6)) == specials[1]


def test_common_pick_is_deterministic_and_weighted() -> None:
    progress = Progress()
    now = shanghai(2027, 1, 12, 12, 0)
    gate = 0.99  # above every special chance, below the commons' chance of 1.0
    total = sum(c.spawn.weight for c in COMMONS)
    edge = 0.0
    for c in COMMONS:
        low, edge = edge, edge + c.spawn.weight / total
        mid = (low + edge) / 2
        assert choose_spawn(CAMPAIGN, progress, now, (gate, mid)) == c
        assert choose_spawn(CAMPAIGN, progress, now, (gate, mid)) == c, "same rolls, same item"
    # Over a fine grid of picks, each common's share matches its weight.
    grid = [i / 1000 for i in range(1000)]
    counts = {c.id: 0 for c in COMMONS}
    for pick in grid:
        chosen = choose_spawn(CAMPAIGN, progress, now, (gate, pick))
        assert chosen is not None
        counts[chosen.id] += 1
    for c in COMMONS:
        assert counts[c.id] / len(grid) == pytest.approx(c.spawn.weight / total, abs=0.002)


def test_owned_items_do_not_spawn_again() -> None:
    now = shanghai(2027, 1, 12, 12, 0)
    progress = Progress()
    for c in COMMONS:
        out = apply(CAMPAIGN, progress, Collect(c.id), Context(now))
        progress = out.progress
    assert choose_spawn(CAMPAIGN, progress, now, (0.99, 0.5)) is None
    one_left = replace(progress, collectibles=progress.collectibles[1:])
    assert choose_spawn(CAMPAIGN, one_left, now, (0.99, 0.99)) == COMMONS[0]


# ---------------------------------------------------------------------------------------------
# properties

instants = st.datetimes(
    min_value=datetime(2026, 12, 1), max_value=datetime(2027, 3, 31), timezones=st.just(UTC)
)


@st.composite
def actions(draw: st.DrawFn) -> tuple[object, str | None]:
    kind = draw(st.sampled_from(["checkin", "task", "share", "collect"]))
    if kind == "checkin":
        lm = draw(st.sampled_from(CAMPAIGN.city.landmarks))
        mode = draw(st.sampled_from(sorted(lm.modes)))
        good = draw(st.booleans())
        action, device = action_for(lm, mode)
        if not good:
            action = CheckIn(lm.id, mode, quiz_choice=None, scan_verified=False)
            device = None
        return action, device
    if kind == "task":
        return TaskDone(draw(st.sampled_from(CAMPAIGN.tasks)).id), None
    if kind == "collect":
        return Collect(draw(st.sampled_from(CAMPAIGN.collectibles)).id), None
    return Share(), None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(instants, actions()), max_size=40))
def test_month_steps_equal_the_grants_of_that_month(plan: list[tuple[datetime, tuple[object, str | None]]]) -> None:
    progress = Progress()
    for at, (action, device) in sorted(plan, key=lambda p: p[0]):
        before = progress
        out = apply(CAMPAIGN, progress, action, Context(at, device_landmark=device))  # type: ignore[arg-type]
        if out.applied:
            new = out.progress.grants[len(before.grants) :]
            assert out.steps == sum(g.steps for g in new) >= 0
        else:
            assert out.progress is before and out.reason is not None
        progress = out.progress
    assert all(g.steps >= 0 for g in progress.grants)
    days = {(c.landmark_id, c.day) for c in progress.checkins}
    assert len(days) == len(progress.checkins), "never two check-ins at a landmark on one local day"
    for at, _ in plan:
        month = at.astimezone(SHANGHAI).strftime("%Y-%m")
        expected = sum(g.steps for g in progress.grants if g.at.astimezone(SHANGHAI).strftime("%Y-%m") == month)
        summary = summarize(CAMPAIGN, progress, at)
        assert summary.month == month
        assert summary.month_steps == expected >= 0
        assert summary.total_steps == sum(g.steps for g in progress.grants)
        assert summary.steps_to_next >= 0


@settings(max_examples=80, deadline=None)
@given(
    lm=st.sampled_from(OPEN),
    first=instants,
    delay=st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=24)),
    mode_a=st.sampled_from(list(CheckinMode)),
    mode_b=st.sampled_from(list(CheckinMode)),
)
def test_the_same_checkin_never_pays_twice_on_one_local_day(
    lm: Landmark, first: datetime, delay: timedelta, mode_a: CheckinMode, mode_b: CheckinMode
) -> None:
    one = check_in(Progress(), lm, first, mode_a)
    assert one.applied
    second_at = first + delay
    two = check_in(one.progress, lm, second_at, mode_b)
    same_day = local_date(first, OFFSET) == local_date(second_at, OFFSET)
    assert two.applied is not same_day
    if same_day:
        assert two.reason is Reason.ALREADY_TODAY
        assert month_steps(CAMPAIGN, two.progress, first) == one.steps


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(UTC)))
def test_calendar_matches_asia_shanghai(instant: datetime) -> None:
    local = instant.astimezone(SHANGHAI)
    assert local_date(instant, OFFSET) == local.date()
    key = month_key(instant, OFFSET)
    assert key == local.strftime("%Y-%m")
    start, end = month_bounds(key, OFFSET)
    assert start <= instant < end
    assert start.astimezone(SHANGHAI).day == 1 and start.astimezone(SHANGHAI).hour == 0
    assert month_key(end, OFFSET) != key and month_key(end - timedelta(microseconds=1), OFFSET) == key
