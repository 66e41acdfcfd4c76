"""The hidden rabbit's spawn rule (after dark, three check-ins, a chance roll) through the scan scene."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

from game.app import App
from game.content import load_campaign
from game.rules.content import CheckinMode, Collectible, Rarity
from game.rules.progress import CheckIn
from game.services import Services
from game.session import Session
from game.store import LocalStore
from scenes.scan import ScanScene
from tests.scenes.harness import run_app

CAMPAIGN = load_campaign("jade-rabbit-chongqing")


def emerged(tmp_path: Path, now: str, checkins: int) -> Collectible | None:
    store = LocalStore.open(tmp_path / "progress.db")
    session = Session(CAMPAIGN, store, lambda: datetime.fromisoformat(now))
    for lm in [lm for lm in CAMPAIGN.city.landmarks if lm.unlock_after == 0 and lm.quiz][:checkins]:
        assert session.attempt(CheckIn(lm.id, CheckinMode.LEARN, quiz_choice=lm.quiz.answer)).applied  # type: ignore[union-attr]
    lucky = next(k for k in range(1000) if random.Random(k).random() < 0.2)  # under the 35 % chance
    seen: dict[str, Collectible | None] = {}

    def watch(app: App, services: Services) -> None:
        if app.frame == 0:
            services.rng.seed(lucky)  # the scene's injected roll
        top = app.stack.top
        if isinstance(top, ScanScene) and top.hunt.item is not None:
            seen.setdefault("item", top.hunt.item)

    run_app(tmp_path, store, scene="scan", extra_args=["--camera", "synthetic", "--now", now], frames=40,
            wait_for_art=False, on_frame=watch)
    store.close()
    assert "item" in seen, "the logo was found and something emerged"
    return seen["item"]


def test_hidden_rabbit_emerges_at_night_after_three_checkins(tmp_path: Path) -> None:
    item = emerged(tmp_path, "2027-01-10T20:30:00+08:00", 3)
    assert item is not None and item.id == "moon-gate-rabbit"


def test_hidden_rabbit_stays_hidden_by_day(tmp_path: Path) -> None:
    item = emerged(tmp_path, "2027-01-10T11:00:00+08:00", 3)
    assert item is not None and item.rarity is not Rarity.HIDDEN


def test_hidden_rabbit_needs_three_checkins(tmp_path: Path) -> None:
    item = emerged(tmp_path, "2027-01-10T20:30:00+08:00", 1)
    assert item is not None and item.rarity is not Rarity.HIDDEN
