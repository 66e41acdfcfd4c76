"""Applies client actions with the shared rules, one short transaction each, idempotent by action_id.

Per action: lock the player (PostgreSQL ``FOR UPDATE``; SQLite writers are serialised by
BEGIN IMMEDIATE), return the stored result if the action_id was seen, else load the ledger,
decide with ``game.rules.progress.apply`` plus the server-only checks (clock skew, device
plausibility, spawn eligibility, limited supply), append the new records and the result row.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from game.rules.content import Campaign, CheckinMode, Rarity
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
from game.rules.spawn import eligible
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


_RACES = (IntegrityError, *driver_integrity_errors())


@dataclass
class Decision:
    result: ActionResult
    progress: Progress


def credit_time(client_time: datetime, now: datetime, settings: Settings) -> datetime:
    """The instant an action is credited at: when it happened on the device (``client_time``) if
    that is plausible, else server time.

    Plausible: not after ``now`` (a device clock a little ahead is credited now), not older than
    ``settings.credit_max_age_s`` (event laptops sync days later; older queues and dead device
    clocks are credited at server time), not before ``settings.credit_not_before`` (the campaign
    start), and representable (2000-2099). The day (one check-in per landmark per day), the month
    (steps and tiers), spawn hours and the per-hour and per-device rates are all judged at it.
    """
    return _credited(plausible_utc(client_time), now, settings)


def _credited(at: datetime | None, now: datetime, settings: Settings) -> datetime:
    """``credit_time`` of a client time already through ``plausible_utc``."""
    if at is None or at >= now or now - at > timedelta(seconds=settings.credit_max_age_s):
        return now
    if settings.credit_not_before is not None and at < settings.credit_not_before:
        return now
    return at


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
        self, db: Raw, action: ActionIn, at: datetime
    ) -> tuple[PlayerRef, Campaign, Sequence[Any] | None, Progress, int | None]:
        """Everything the decision reads, in one round trip on PostgreSQL (pipelined, in order):
        the access check (404 unless this device created or claimed the player) with the row
        lock, the stored (player_id, result) if the action id was seen, the player's ledger
        (unless cached) and, for check-ins, the device's recent check-in count (plausibility)."""
        action_id = str(action.action_id)
        cached = cached_progress(db, self.player_id)
        reads: list[tuple[Stmt, dict[str, Any]]] = [
            (q.PLAYER_FOR_DEVICE, {"player_id": self.player_id, "device_id": self.device.id, "action_id": action_id})
        ]
        if cached is None:
            reads.append((q.LEDGER, {"p": self.player_id}))
        counts = isinstance(action, CheckinAction | QuizAction)
        if counts:
            since = at - timedelta(seconds=self.settings.device_checkin_window_s)
            limit = self.settings.device_checkins_per_window
            reads.append(
                (q.DEVICE_CHECKINS_WINDOW,
                 {"device_id": self.device.id, "since": db.ts(since), "until": db.ts(at), "limit": limit})
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
        seen = None if row[2] is None else (row[2], row[3])
        progress = cached if cached is not None else progress_from_rows(db, results[1])
        recent = results[-1][0][0] if counts and results[-1] else (0 if counts else None)
        return self.player, self.campaign, seen, progress, recent

    def run(self, action: ActionIn) -> ActionResult:
        action_id = str(action.action_id)
        for _attempt in range(4):
            try:
                with self.tx() as db:
                    now = self.settings.clock()
                    client_time = plausible_utc(action.client_time)
                    at = _credited(client_time, now, self.settings)
                    player, campaign, seen, progress, recent = self._enter(db, action, at)
                    if seen is not None:
                        # The committed progress is already at hand: the response needs no re-read.
                        self.latest = progress
                        return self._duplicate(action, seen[0], db.from_json(seen[1]))
                    decision = self._decide(db, campaign, action, progress, at, recent)
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

    def _duplicate(self, action: ActionIn, owner: str, stored: dict) -> ActionResult:
        if self.player is None or owner != self.player.id:
            return ActionResult(
                action_id=str(action.action_id), kind=action.kind, status=ActionStatus.REJECTED,
                reason=ServerReason.ACTION_CONFLICT,
            )
        original = ActionResult.model_validate(stored)
        return original.model_copy(update={"status": ActionStatus.DUPLICATE, "original_status": original.status})

    # ---- decisions -----------------------------------------------------------------------

    def _result(self, action: ActionIn, status: ActionStatus, reason: str | None = None, **kw: object) -> ActionResult:
        return ActionResult(action_id=str(action.action_id), kind=action.kind, status=status, reason=reason, **kw)  # type: ignore[arg-type]

    def _rejected(self, action: ActionIn, reason: str, ctx: Context) -> ActionResult:
        return self._result(action, ActionStatus.REJECTED, reason, credited_at=ctx.now)

    def _decide(
        self, db: Raw, campaign: Campaign, action: ActionIn, progress: Progress, at: datetime, recent: int | None
    ) -> Decision:
        """``at``: the credited time; ``recent``: the device's check-ins in the window ending then."""
        ctx = Context(now=at, device_landmark=self.device.landmark_id)
        if isinstance(action, CollectAction):
            return self._collect(db, campaign, action, progress, ctx)
        outcome = apply(campaign, progress, rule_action(action), ctx)
        if not outcome.applied:
            return Decision(self._result(action, ActionStatus.REJECTED, outcome.reason, credited_at=at), progress)
        if recent is not None and recent >= self.settings.device_checkins_per_window:
            # This device already has the plausible maximum of check-ins in the window that ends
            # at the credited time (a synced offline day is judged by when it happened).
            log.warning(
                "implausible check-in rate from device",
                extra={"device_id": self.device.id, "player_id": self.player_id, "landmark_id": action.landmark_id},
            )
            return Decision(
                self._result(action, ActionStatus.REJECTED, ServerReason.IMPLAUSIBLE_RATE, credited_at=at), progress
            )
        self._persist(db, campaign, progress, outcome, action)
        return Decision(
            self._result(action, ActionStatus.APPLIED, steps=outcome.steps, credited_at=at), outcome.progress
        )

    def _persist(self, db: Raw, campaign: Campaign, before: Progress, outcome: Outcome, action: ActionIn) -> None:
        persist_delta(
            db,
            player_id=self.player_id,
            campaign_id=campaign.id,
            device_id=self.device.id,
            before=before,
            after=outcome.progress,
            share_channel=action.channel if isinstance(action, ShareAction) else "qr",
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
        item = campaign.collectible(action.collectible_id)
        if item is None:
            return Decision(self._rejected(action, Reason.UNKNOWN_COLLECTIBLE, ctx), progress)
        if any(o.collectible_id == item.id for o in progress.collectibles):
            return Decision(self._rejected(action, Reason.ALREADY_OWNED, ctx), progress)
        # The spawn rules are enforced here, not trusted from the client (roll 0.0 = the chance gate passes).
        if not eligible(item, campaign, progress, ctx.now, 0.0):
            return Decision(self._rejected(action, ServerReason.NOT_ELIGIBLE, ctx), progress)
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
