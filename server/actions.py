"""Applies client actions with the shared rules, one short transaction each, idempotent by action_id.

Per action: lock the player (PostgreSQL ``FOR UPDATE``; SQLite writers are serialised by
BEGIN IMMEDIATE), return the stored result if the action_id was seen (409 when its body differs),
else load the ledger, decide with ``game.rules.progress.apply`` plus the server-only checks (the
offline-credit window, rate rules by credited and by receive time, the spawn roll and its caps,
limited supply), append the new records and the result row.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from game.rules.calendar import local_date
from game.rules.content import Campaign, CheckinMode, Collectible, Rarity
from game.rules.progress import (
    Action,
    CheckIn,
    Collect,
    Context,
    Outcome,
    Progress,
    Reason,
    Share,
    TaskDone,
    apply,
)
from game.rules.spawn import choose_spawn, eligible, rules_eligible
from server import queries as q
from server.accounts import PlayerRef
from server.context import AppContext, Device
from server.db import TxFactory, raw_write_tx
from server.errors import ApiError
from server.ledger import cached_progress, load_progress, persist_delta, progress_from_rows, remember_progress
from server.queries import Raw, Stmt, driver_integrity_errors
from server.schemas import (
    ActionIn,
    ActionResult,
    ActionStatus,
    CheckinAction,
    CollectAction,
    ItemOut,
    QuizAction,
    ScanAction,
    ShareAction,
    plausible_utc,
)
from server.settings import Settings

log = logging.getLogger(__name__)


class ServerReason(StrEnum):
    """Rejection reasons decided by the server on top of ``game.rules.progress.Reason``."""

    SOLD_OUT = "sold_out"
    NOT_ELIGIBLE = "not_eligible"
    ACTION_CONFLICT = "action_id_conflict"
    IMPLAUSIBLE_RATE = Reason.TOO_FAST.value  # same wire value as the per-player rule
    CLIENT_TIME = "client_time_out_of_range"
    SERVER_ROLL = "server_roll_required"
    NOTHING_EMERGED = "nothing_emerged"
    SCAN_CAP = "scan_checkin_cap_reached"


_RACES = (IntegrityError, *driver_integrity_errors())
_SPECIAL = (Rarity.LIMITED, Rarity.HIDDEN)
_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)


@dataclass
class Decision:
    result: ActionResult
    progress: Progress


def credit_window(device: Device, now: datetime, settings: Settings) -> tuple[datetime, datetime]:
    """[earliest, latest] client_time credited for this device now (the offline-credit policy).

    Latest: server time plus ``client_skew_s`` (a device clock a little ahead). Earliest: the
    device's enrolment (itself a contact; counted from when its code was issued; not for the embedded
    server, see ``Settings.enrolment_floor``), its previous contact minus ``credit_max_age_s`` (30 days:
    an event laptop syncs long after the fact, but not from before it was last seen by more than
    that), and ``credit_not_before`` (the campaign start), whichever is latest.
    """
    max_age = timedelta(seconds=settings.credit_max_age_s)
    floors = []
    if device.enrolled_at is not None and settings.enrolment_floor:
        floors.append(device.enrolled_at)
    if device.prev_seen_at is not None:
        floors.append(device.prev_seen_at - max_age)
    if settings.credit_not_before is not None:
        floors.append(settings.credit_not_before)
    earliest = max(floors) if floors else now - max_age
    return earliest, now + timedelta(seconds=settings.client_skew_s)


def credit_time(client_time: datetime, now: datetime, device: Device, settings: Settings) -> datetime | None:
    """The instant an action is credited at: its ``client_time`` (a clock up to ``client_skew_s``
    ahead is credited at ``now``), or None when outside ``credit_window`` or 2000-2099 (the action
    is then rejected with ``client_time_out_of_range``). The day (one check-in per landmark per
    day), the month (steps and tiers), spawn hours and the credited-time rate rules are judged at it.
    """
    return _credited(plausible_utc(client_time), now, device, settings)


def _credited(at: datetime | None, now: datetime, device: Device, settings: Settings) -> datetime | None:
    if at is None:
        return None
    earliest, latest = credit_window(device, now, settings)
    if at < earliest or at > latest:
        return None
    return min(at, now)


def fingerprint(action: ActionIn) -> str:
    """sha256 of the action's body (its instant in UTC): the same action_id must carry the same body."""
    doc = action.model_dump(mode="json")
    utc = plausible_utc(action.client_time)
    doc["client_time"] = utc.isoformat() if utc is not None else doc["client_time"]
    text = "|".join(f"{k}={doc[k]}" for k in sorted(doc))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def rule_action(action: ActionIn) -> Action:
    match action:
        case CheckinAction():
            return CheckIn(action.landmark_id, action.mode, action.quiz_choice, action.scan_verified)
        case QuizAction():
            return CheckIn(action.landmark_id, CheckinMode.LEARN, quiz_choice=action.choice)
        case CollectAction():
            return Collect(action.collectible_id)
        case ShareAction():
            return Share(action.channel)
    raise TypeError(f"unknown action {action!r}")


def _take_serial(db: Raw, campaign_id: str, collectible_id: str) -> int | None:
    """Atomically take one unit; the serial is ``total - remaining_after`` (1..total). None = sold out."""
    # UPDATE supply SET remaining = remaining - 1 WHERE ... AND remaining > 0 RETURNING total, remaining
    row = db.one(q.TAKE_ONE, {"campaign_id": campaign_id, "collectible_id": collectible_id})
    return None if row is None else row[0] - row[1]


def _retry_later(seconds: float, what: str) -> ApiError:
    retry = str(max(1, math.ceil(seconds)))
    return ApiError(
        429, "rate_limited", f"{what}; nothing was stored for this action, send it again in {retry} s",
        {"Retry-After": retry},
    )


class ActionProcessor:
    """Decides actions for one player on behalf of one device."""

    def __init__(self, ctx: AppContext, device: Device, player_id: str, tx: TxFactory | None = None) -> None:
        """``tx`` opens each action's transaction (default: its own ``raw_write_tx``; in a
        ``server.db.GroupCommit``, a savepoint of the group's transaction)."""
        self.ctx = ctx
        self.tx: TxFactory = tx or (lambda: raw_write_tx(ctx.engine))
        self.settings = ctx.settings
        self.device = device
        self.player_id = player_id
        self.player: PlayerRef | None = None
        self.campaign: Campaign | None = None
        self.latest: Progress | None = None
        self.results: list[ActionResult] = []

    # ---- transaction shell ---------------------------------------------------------------

    def _enter(
        self, db: Raw, action: ActionIn, at: datetime, now: datetime
    ) -> tuple[PlayerRef, Campaign, Sequence[Any] | None, Progress, Sequence[int] | None]:
        """Everything the decision reads, in one round trip on PostgreSQL (pipelined, in order):
        the access check (404 unless this device created or claimed the player) with the row
        lock, the stored (player_id, result, fingerprint) if the action id was seen, the player's
        ledger (unless cached) and, for check-ins, the rate counts (``queries.RATE_COUNTS``)."""
        action_id = str(action.action_id)
        cached = cached_progress(db, self.player_id)
        # PostgreSQL: a cached progress is used if the player's ledger revision is still its own.
        candidate = db.cache.get(self.player_id) if db.pg and db.cache is not None else None
        reads: list[tuple[Stmt, dict[str, Any]]] = [
            (q.PLAYER_FOR_DEVICE, {"player_id": self.player_id, "device_id": self.device.id, "action_id": action_id})
        ]
        if candidate is not None:
            reads.append((q.LEDGER_IF_CHANGED, {"p": self.player_id, "rev": candidate[0]}))
        elif cached is None:
            reads.append((q.LEDGER, {"p": self.player_id}))
        counts = isinstance(action, CheckinAction | QuizAction)
        if counts:
            window = timedelta(seconds=self.settings.device_checkin_window_s)
            reads.append(
                (q.RATE_COUNTS, {
                    "device_id": self.device.id, "player_id": self.player_id, "since": db.ts(at - window),
                    "until": db.ts(at), "limit": self.settings.device_checkins_per_window,
                    "recv_since": db.ts(now - window), "hour_ago": db.ts(now - _HOUR),
                })
            )
        results = db.fetch(reads)
        row = results[0][0] if results[0] else None
        if row is None:
            raise ApiError(404, "player_not_found", "no such player for this device")
        if self.player is None or self.campaign is None:
            loaded = self.ctx.catalog.find(row[1])
            if loaded is None:
                raise ApiError(404, "unknown_campaign", f"no campaign {row[1]!r}")
            self.player, self.campaign = PlayerRef(row[0], row[1]), loaded.campaign
        seen = None if row[2] is None else (row[2], row[3], row[4])
        if db.pg:
            db.revs[self.player_id] = row[5]
        if candidate is not None and candidate[0] == row[5]:
            progress = candidate[1]
        else:
            progress = cached if cached is not None else progress_from_rows(db, results[1])
        rates = results[-1][0] if counts and results[-1] else None
        return self.player, self.campaign, seen, progress, rates

    def run(self, action: ActionIn) -> ActionResult:
        action_id = str(action.action_id)
        body = fingerprint(action)
        for _attempt in range(4):
            try:
                with self.tx() as db:
                    now = self.settings.clock()
                    client_time = plausible_utc(action.client_time)
                    at = _credited(client_time, now, self.device, self.settings)
                    player, campaign, seen, progress, rates = self._enter(db, action, at or now, now)
                    if seen is not None:
                        # The committed progress is already at hand: the response needs no re-read.
                        self.latest = progress
                        remember_progress(db, player.id, progress)
                        return self._duplicate(action, body, seen[0], db.from_json(seen[1]), seen[2])
                    if at is None:
                        decision = Decision(
                            self._result(action, ActionStatus.REJECTED, ServerReason.CLIENT_TIME), progress
                        )
                    else:
                        decision = self._decide(db, campaign, action, progress, at, now, rates)
                    db.run(
                        q.INSERT_ACTION,
                        {
                            "action_id": action_id,
                            "player_id": player.id,
                            "device_id": self.device.id,
                            "kind": action.kind,
                            "status": decision.result.status.value,
                            "reason": decision.result.reason,
                            "result": db.model_json(decision.result, exclude_defaults=True),
                            "client_time": db.ts(client_time),
                            "server_time": db.ts(now),
                            "fingerprint": body,
                        },
                    )
                    remember_progress(db, player.id, decision.progress)
                self.latest = decision.progress
                return decision.result
            except _RACES:
                # A concurrent request won a unique constraint (same action_id or same record;
                # on PostgreSQL the writes are sent with the COMMIT, so it can surface there):
                # everything rolled back, so decide again from the committed state.
                log.info("action %s raced; retrying", action_id)
        raise ApiError(409, "conflict", "the action kept conflicting with concurrent writes; retry")

    def _duplicate(self, action: ActionIn, body: str, owner: str, stored: dict, stored_body: str | None) -> ActionResult:
        """The stored outcome of a resent action; 409 ``action_id_conflict`` when the id was used
        for another body or another player (rows from before fingerprints compare by player only)."""
        if self.player is None or owner != self.player.id or (stored_body is not None and stored_body != body):
            raise ApiError(
                409, ServerReason.ACTION_CONFLICT.value,
                f"action_id {action.action_id} was already used for a different action",
            )
        original = ActionResult.model_validate(stored)
        return original.model_copy(update={"status": ActionStatus.DUPLICATE, "original_status": original.status})

    # ---- decisions -----------------------------------------------------------------------

    def _result(self, action: ActionIn, status: ActionStatus, reason: str | None = None, **kw: object) -> ActionResult:
        return ActionResult(action_id=str(action.action_id), kind=action.kind, status=status, reason=reason, **kw)  # type: ignore[arg-type]

    def _rejected(self, action: ActionIn, reason: str, ctx: Context) -> ActionResult:
        return self._result(action, ActionStatus.REJECTED, reason, credited_at=ctx.now)

    def _decide(
        self, db: Raw, campaign: Campaign, action: ActionIn, progress: Progress, at: datetime, now: datetime,
        rates: Sequence[int] | None,
    ) -> Decision:
        """``at``: the credited time; ``now``: server time; ``rates``: ``queries.RATE_COUNTS``."""
        ctx = Context(now=at, device_landmark=self.device.landmark_id)
        if isinstance(action, CollectAction):
            return self._collect(db, campaign, action, progress, ctx)
        if isinstance(action, ScanAction):
            return self._scan(db, campaign, action, progress, ctx, now)
        outcome = apply(campaign, progress, rule_action(action), ctx)
        if not outcome.applied:
            return Decision(self._result(action, ActionStatus.REJECTED, outcome.reason, credited_at=at), progress)
        if rates is not None:
            credited, received, player_hour = rates
            limit = self.settings.device_checkins_per_window
            if received >= limit:
                # By receive time: a back-dated queue cannot spread itself over past windows.
                raise _retry_later(self.settings.device_checkin_window_s, "too many check-ins from this device")
            if player_hour >= campaign.meta.max_checkins_per_hour:
                raise _retry_later(3600, "too many check-ins for this player in the last hour")
            if credited >= limit:
                # This device already has the plausible maximum of check-ins in the window that ends
                # at the credited time (a synced offline day is judged by when it happened).
                log.warning(
                    "implausible check-in rate from device",
                    extra={"device_id": self.device.id, "player_id": self.player_id,
                           "landmark_id": action.landmark_id},  # type: ignore[union-attr]
                )
                return Decision(
                    self._result(action, ActionStatus.REJECTED, ServerReason.IMPLAUSIBLE_RATE, credited_at=at),
                    progress,
                )
        if self._scan_capped(campaign, progress, action, ctx):
            return Decision(self._result(action, ActionStatus.REJECTED, ServerReason.SCAN_CAP, credited_at=at), progress)
        self._persist(db, campaign, progress, outcome, action, now)
        return Decision(
            self._result(action, ActionStatus.APPLIED, steps=outcome.steps, credited_at=at), outcome.progress
        )

    def _scan_capped(self, campaign: Campaign, progress: Progress, action: ActionIn, ctx: Context) -> bool:
        """A scan-mode check-in away from the landmark's own kiosk: the device says it saw the
        poster, which the server cannot check, so the pack caps how many a player makes per day."""
        if not isinstance(action, CheckinAction) or action.mode is not CheckinMode.SCAN:
            return False
        if self.device.landmark_id == action.landmark_id:
            return False
        today = local_date(ctx.now, campaign.meta.utc_offset_minutes)
        done = sum(1 for c in progress.checkins if c.mode is CheckinMode.SCAN and c.day == today)
        return done >= campaign.meta.caps.scan_checkins_per_player_day

    def _persist(
        self, db: Raw, campaign: Campaign, before: Progress, outcome: Outcome, action: ActionIn,
        now: datetime | None = None,
    ) -> None:
        persist_delta(
            db,
            player_id=self.player_id,
            campaign_id=campaign.id,
            device_id=self.device.id,
            before=before,
            after=outcome.progress,
            share_channel=action.channel if isinstance(action, ShareAction) else "qr",
            received_at=now,
        )

    def _grant_item(
        self, db: Raw, campaign: Campaign, progress: Progress, item_id: str, ctx: Context
    ) -> tuple[Outcome, int | None] | None:
        """Give one item (taking a serial if limited). None when it is sold out."""
        item = campaign.collectible(item_id)
        assert item is not None
        serial = None
        if item.rarity is Rarity.LIMITED:
            serial = _take_serial(db, campaign.id, item.id)
            if serial is None:
                return None
        outcome = apply(campaign, progress, Collect(item.id, serial), ctx)
        if not outcome.applied:  # pragma: no cover - pre-checked by the caller
            raise RuntimeError(f"collect unexpectedly rejected: {outcome.reason}")
        return outcome, serial

    def _collect(
        self, db: Raw, campaign: Campaign, action: CollectAction, progress: Progress, ctx: Context
    ) -> Decision:
        """A common item the device showed emerging (granted locally for an instant kiosk).
        Limited and hidden items only come from the server's roll (``scan``)."""
        item = campaign.collectible(action.collectible_id)
        if item is None:
            return Decision(self._rejected(action, Reason.UNKNOWN_COLLECTIBLE, ctx), progress)
        if item.rarity in _SPECIAL:
            return Decision(self._rejected(action, ServerReason.SERVER_ROLL, ctx), progress)
        if any(o.collectible_id == item.id for o in progress.collectibles):
            return Decision(self._rejected(action, Reason.ALREADY_OWNED, ctx), progress)
        # The spawn rules are enforced here, not trusted from the client (roll 0.0 = the chance gate passes).
        if not eligible(item, campaign, progress, ctx.now, 0.0):
            return Decision(self._rejected(action, ServerReason.NOT_ELIGIBLE, ctx), progress)
        return self._hand_out(db, campaign, action, progress, ctx, item)

    def _hand_out(
        self, db: Raw, campaign: Campaign, action: ActionIn, progress: Progress, ctx: Context, item: Collectible
    ) -> Decision:
        """Grant ``item`` (a serial if limited); sold out: rejected ``sold_out`` with the consolation."""
        granted = self._grant_item(db, campaign, progress, item.id, ctx)
        if granted is not None:
            outcome, serial = granted
            self._persist(db, campaign, progress, outcome, action)
            return Decision(
                self._result(
                    action, ActionStatus.APPLIED, collectible=ItemOut(collectible_id=item.id, serial=serial),
                    credited_at=ctx.now,
                ),
                outcome.progress,
            )
        consolation = None
        after = progress
        if item.consolation and not any(o.collectible_id == item.consolation for o in progress.collectibles):
            given = self._grant_item(db, campaign, progress, item.consolation, ctx)
            if given is not None:
                outcome, serial = given
                self._persist(db, campaign, progress, outcome, action)
                consolation = ItemOut(collectible_id=item.consolation, serial=serial)
                after = outcome.progress
        return Decision(
            self._result(
                action, ActionStatus.REJECTED, ServerReason.SOLD_OUT, consolation=consolation, credited_at=ctx.now
            ),
            after,
        )

    def _scan(
        self, db: Raw, campaign: Campaign, action: ScanAction, progress: Progress, ctx: Context, now: datetime
    ) -> Decision:
        """What emerged from a scan: the spawn rules rolled with the server's RNG at the credited
        time, with the items a cap (``SpawnCaps``) has closed left out. Every roll is recorded."""
        at = ctx.now
        day = local_date(at, campaign.meta.utc_offset_minutes)
        caps = campaign.meta.caps
        row = db.one(
            q.ROLL_COUNTS,
            {
                "player_id": self.player_id, "device_id": self.device.id, "campaign_id": campaign.id,
                "day": db.day(day), "day_ago": db.ts(now - _DAY), "hour_before": db.ts(at - _HOUR),
                "at": db.ts(at), "recv_hour": db.ts(now - _HOUR),
            },
        )
        attempts, device_specials, day_limited = row if row is not None else (0, 0, 0)
        closed: set[Rarity] = set()
        if attempts >= caps.limited_attempts_per_player_day or (
            caps.limited_grants_per_day is not None and day_limited >= caps.limited_grants_per_day
        ):
            closed.add(Rarity.LIMITED)
        if device_specials >= caps.special_grants_per_device_hour:
            closed.update(_SPECIAL)
        exclude = {c.id for c in campaign.collectibles if c.rarity in closed}
        pool = rules_eligible(campaign, progress, at)
        attempt = any(c.rarity is Rarity.LIMITED and c.id not in exclude for c in pool)
        rng = self.settings.rng
        item = choose_spawn(campaign, progress, at, (rng(), rng()), exclude=exclude)
        if item is None:
            decision = Decision(self._rejected(action, ServerReason.NOTHING_EMERGED, ctx), progress)
        else:
            decision = self._hand_out(db, campaign, action, progress, ctx, item)
        got = decision.result.collectible
        rarity = None
        if got is not None:
            handed = campaign.collectible(got.collectible_id)
            rarity = handed.rarity.value if handed is not None else None
        db.run(
            q.INSERT_ROLL,
            {
                "player_id": self.player_id, "device_id": self.device.id, "campaign_id": campaign.id,
                "day": db.day(day), "at": db.ts(at), "received_at": db.ts(now), "limited_attempt": int(attempt),
                "collectible_id": got.collectible_id if got is not None else None, "rarity": rarity,
            },
        )
        return decision


def apply_task(
    conn: Connection, player: PlayerRef, campaign: Campaign, task_id: str, now: datetime
) -> tuple[Outcome, Progress]:
    """A partner-reported task (inside the caller's transaction). Returns (outcome, progress after)."""
    db = Raw(conn)
    db.one(q.PLAYER_LOCK, {"player_id": player.id})  # FOR UPDATE on PostgreSQL
    progress = load_progress(db, player.id)
    outcome = apply(campaign, progress, TaskDone(task_id), Context(now=now))
    if outcome.applied:
        persist_delta(
            db, player_id=player.id, campaign_id=campaign.id, device_id="partner", before=progress, after=outcome.progress
        )
    return outcome, outcome.progress
