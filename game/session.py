"""The player's session: the pure rules applied to local progress, persisted through a store."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from game.rules.content import Campaign
from game.rules.progress import Action, Context, Outcome, Progress, Summary, apply, summarize

log = logging.getLogger(__name__)


class ProgressStore(Protocol):
    """What the session needs from local storage (game.store.LocalStore implements it)."""

    def new_player(self) -> str: ...
    def current_player(self) -> str | None: ...
    def set_current_player(self, local_id: str | None) -> None: ...
    def load_progress(self, local_id: str) -> Progress: ...
    def record(
        self, local_id: str, action: Action, outcome_progress: Progress, at: datetime, device_landmark: str | None
    ) -> str: ...
    def claim_code(self, local_id: str) -> str | None: ...


class Session:
    """Predicts outcomes with the shared rules and records applied actions for sync."""

    def __init__(
        self,
        campaign: Campaign,
        store: ProgressStore,
        now: Callable[[], datetime],
        device_landmark: str | None = None,
    ) -> None:
        self.campaign = campaign
        self.store = store
        self.now = now
        self.device_landmark = device_landmark
        self.player_id = store.current_player() or self._new_player()
        self.progress = store.load_progress(self.player_id)
        self.revision = 0  # bumps on every change so scenes can refresh cached drawings

    def _new_player(self) -> str:
        player = self.store.new_player()
        self.store.set_current_player(player)
        return player

    def context(self) -> Context:
        return Context(now=self.now(), device_landmark=self.device_landmark)

    def summary(self) -> Summary:
        return summarize(self.campaign, self.progress, self.now())

    def attempt(self, action: Action) -> Outcome:
        """Decide locally; if applied, persist it (and queue it for the server) atomically."""
        self.reload()  # the sync may have settled verdicts since the last frame: decide on those
        ctx = self.context()
        outcome = apply(self.campaign, self.progress, action, ctx)
        if outcome.applied:
            self.store.record(self.player_id, action, outcome.progress, ctx.now, ctx.device_landmark)
            self.progress = outcome.progress
            self.revision += 1
        log.info(
            "action %s", type(action).__name__,
            extra={"applied": outcome.applied, "reason": outcome.reason, "steps": outcome.steps},
        )
        return outcome

    def reload(self) -> None:
        """Take the store's view (authoritative snapshot + still-pending local actions)."""
        fresh = self.store.load_progress(self.player_id)
        if fresh != self.progress:
            self.progress = fresh
            self.revision += 1

    def end_guest(self) -> None:
        """Kiosk hand-off: the next visitor starts clean; this player's data stays queued for sync."""
        self.store.set_current_player(None)
        self.player_id = self._new_player()
        self.progress = self.store.load_progress(self.player_id)
        self.revision += 1

    def switch_to(self, local_id: str) -> None:
        """Continue as another stored player (a returning visitor showed their claim QR)."""
        self.store.set_current_player(local_id)
        self.player_id = local_id
        self.progress = self.store.load_progress(local_id)
        self.revision += 1
