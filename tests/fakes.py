"""In-memory fakes for tests that do not exercise real storage."""

from __future__ import annotations

import uuid
from datetime import datetime

from game.rules.progress import Action, Progress


class MemoryStore:
    """Implements game.session.ProgressStore in memory, recording what would be synced."""

    def __init__(self) -> None:
        self.players: dict[str, Progress] = {}
        self.current: str | None = None
        self.recorded: list[tuple[str, str, Action]] = []
        self.recovered_from = None

    def new_player(self) -> str:
        pid = f"local-{len(self.players) + 1}"
        self.players[pid] = Progress()
        return pid

    def current_player(self) -> str | None:
        return self.current

    def set_current_player(self, local_id: str | None) -> None:
        self.current = local_id

    def load_progress(self, local_id: str) -> Progress:
        return self.players[local_id]

    def record(
        self, local_id: str, action: Action, outcome_progress: Progress, at: datetime, device_landmark: str | None
    ) -> str:
        action_id = str(uuid.uuid4())
        self.players[local_id] = outcome_progress
        self.recorded.append((local_id, action_id, action))
        return action_id

    def claim_code(self, local_id: str) -> str | None:
        return None

    def close(self) -> None:
        pass
