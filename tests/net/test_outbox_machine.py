"""The outbox and the replay against a model (hypothesis rule-based state machine).

The system: the real ``LocalStore`` (SQLite on disk), ``game.session.Session`` recording actions,
``LocalStore.next_batches`` + ``net.outbox.plan`` choosing each sync round (several players, new
ones created with the request), and ``settle_many`` + ``rebuild`` taking the server's verdicts. The
server is simulated by the model: it decides an action's outcome the first time it sees it and
answers ``duplicate`` with that outcome on every re-send; a whole answer may be lost; one player's
part may stop early (a rate limit: the rest of its actions undecided); an action may turn out to be
held under another server player (``action_id_conflict``). The store may be closed and reopened
(a crash) at any point.

The model is a list of recorded actions with their statuses. Invariants: nothing recorded is
lost or reordered, pending counts agree, a settled status never changes, an action the server
holds is never "rejected", each round's batches are the oldest pending actions of distinct players
(the first one's the oldest of all), and the local progress is the replay of every action not rejected, at its own time.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from game.content import load_campaign
from game.rules.content import CheckinMode
from game.rules.progress import Action, CheckIn, Context, Progress, Share, apply
from game.session import Session
from game.store import LocalStore, Settlement
from net.outbox import BATCH_LIMIT, plan, rebuild, verdicts

CAMPAIGN = load_campaign("jade-rabbit-chongqing")
OPEN = [lm for lm in CAMPAIGN.city.landmarks if lm.unlock_after == 0][:4]
ACTIONS: list[Action] = [CheckIn(lm.id, CheckinMode.LEARN, quiz_choice=lm.quiz.answer) for lm in OPEN] + [Share("qr")]
T0 = datetime(2027, 2, 10, 1, 0, tzinfo=UTC)


@dataclass
class Recorded:
    action_id: str
    local_id: str
    action: Action
    at: datetime
    status: str = "pending"


class OutboxMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # on tmpfs when there is one: the store fsyncs every transaction (synchronous=FULL)
        shm = Path("/dev/shm")
        self.dir = Path(tempfile.mkdtemp(prefix="outbox-machine-", dir=shm if shm.is_dir() else None))
        self.store = LocalStore.open(self.dir / "p.db")
        self.clock = T0
        self.session = Session(CAMPAIGN, self.store, lambda: self.clock)
        self.model: list[Recorded] = []
        self.server_outcome: dict[str, tuple[str, str | None]] = {}  # the first verdict, kept by the server

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # ---- the model's view ------------------------------------------------------------------------

    def replay(self, local_id: str) -> Progress:
        progress = Progress()
        for r in self.model:
            if r.local_id == local_id and r.status != "rejected":
                progress = apply(CAMPAIGN, progress, r.action, Context(now=r.at)).progress
        return progress

    # ---- rules -----------------------------------------------------------------------------------

    @rule(index=st.integers(0, len(ACTIONS) - 1), minutes=st.integers(7, 60 * 30))
    def play(self, index: int, minutes: int) -> None:
        self.clock += timedelta(minutes=minutes)
        action = ACTIONS[index]
        expected = apply(CAMPAIGN, self.replay(self.session.player_id), action, Context(now=self.clock))
        before = {e.action_id for e in self.store.entries(self.session.player_id)}
        outcome = self.session.attempt(action)
        assert outcome.applied == expected.applied
        if outcome.applied:
            [new] = [e for e in self.store.entries(self.session.player_id) if e.action_id not in before]
            self.model.append(Recorded(new.action_id, self.session.player_id, action, self.clock))

    @rule()
    def next_guest(self) -> None:
        self.session.end_guest()

    @rule()
    def crash_and_reopen(self) -> None:
        self.store.close()
        self.store = LocalStore.open(self.dir / "p.db")
        self.session = Session(CAMPAIGN, self.store, lambda: self.clock)

    @precondition(lambda self: any(r.status == "pending" for r in self.model))
    @rule(data=st.data(), players=st.integers(1, 4), max_actions=st.integers(1, 8))
    def sync_round(self, data: st.DataObject, players: int, max_actions: int) -> None:
        batches = self.store.next_batches(BATCH_LIMIT, players, max_actions=max_actions)
        parts = plan(batches, self.store.players_by_id([b[0].local_id for b in batches]))
        settlements = []
        for part in parts:
            results = []
            decided = data.draw(st.integers(0, len(part.entries)), label="decided before a rate limit")
            for entry in part.entries[:decided]:
                seen = self.server_outcome.get(entry.action_id)
                if seen is None:
                    first = data.draw(st.sampled_from(["applied", "rejected", "conflict"]))
                    seen = ("applied", None) if first == "applied" else (
                        ("rejected", "already_checked_in_today") if first == "rejected"
                        else ("rejected", "action_id_conflict"))
                    self.server_outcome[entry.action_id] = seen
                    results.append({"action_id": entry.action_id, "status": seen[0], "reason": seen[1]})
                else:
                    results.append({"action_id": entry.action_id, "status": "duplicate", "original_status": seen[0],
                                    "reason": seen[1]})
            verdict = [(v.action_id, v.status, v.reason, v.serial) for v in verdicts({"results": results})]
            created = f"srv-{part.local_id}" if part.server_id is None else None
            settlements.append(Settlement(part.local_id, verdict, None,
                                          lambda all_entries: rebuild(CAMPAIGN, all_entries, None), created,
                                          "CLAIMCODE" if created else None))
        if data.draw(st.booleans(), label="answer lost"):
            return  # the server decided; the client never heard
        self.store.settle_many(settlements)
        by_id = {r.action_id: r for r in self.model}
        for s in settlements:
            assert self.store.player(s.local_id).server_id is not None
            for action_id, status, reason, _ in s.results:
                r = by_id[action_id]
                if r.status == "pending":  # the first outcome is the one that counts
                    r.status = "duplicate" if reason == "action_id_conflict" else status

    # ---- invariants ------------------------------------------------------------------------------

    @invariant()
    def nothing_lost_or_reordered(self) -> None:
        entries = self.store.entries(limit=100_000)
        assert [(e.action_id, e.local_id, e.action, e.at) for e in entries] == [
            (r.action_id, r.local_id, r.action, r.at) for r in self.model]
        assert [e.status for e in entries] == [r.status for r in self.model]
        assert self.store.pending_count() == sum(r.status == "pending" for r in self.model)

    @invariant()
    def held_actions_are_never_rejected(self) -> None:
        for r in self.model:
            if self.server_outcome.get(r.action_id, ("", None))[1] == "action_id_conflict":
                assert r.status != "rejected"

    @invariant()
    def a_rounds_batches_are_the_oldest_pending_of_distinct_players(self) -> None:
        pending = self.store.entries(status="pending", limit=1000)
        batches = self.store.next_batches(BATCH_LIMIT, 3, max_actions=5)
        if not pending:
            assert batches == []
            return
        owners = [b[0].local_id for b in batches]
        assert owners[0] == pending[0].local_id and len(set(owners)) == len(owners)
        assert sum(len(b) for b in batches) <= 5
        for batch in batches:
            mine = [e.action_id for e in pending if e.local_id == batch[0].local_id]
            assert [e.action_id for e in batch] == mine[:len(batch)]

    @invariant()
    def local_progress_is_the_replay_of_what_was_not_rejected(self) -> None:
        for local_id in {r.local_id for r in self.model}:
            assert self.store.load_progress(local_id) == self.replay(local_id)


OutboxMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=30, deadline=None)
TestOutboxMachine = OutboxMachine.TestCase
