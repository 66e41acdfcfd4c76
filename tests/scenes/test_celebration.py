"""A tier reached is celebrated once, with its sound cue; a new visitor's baseline is not celebrated."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pygame

from game.actions import Action, Kind
from game.app import App
from game.audio import Audio, Cue
from game.content import load_campaign
from game.rules.progress import TaskDone
from game.services import Services
from game.session import Session
from scenes.celebration import Celebrations, TierCelebration, TierWatcher
from tests.fakes import MemoryStore
from tests.scenes.harness import run_app

CAMPAIGN = "jade-rabbit-chongqing"
WHEN = datetime(2027, 1, 12, 4, 0, tzinfo=UTC)


def test_the_watcher_reports_each_newly_reached_tier_once() -> None:
    campaign = load_campaign(CAMPAIGN)
    session = Session(campaign, MemoryStore(), lambda: WHEN)
    watcher = TierWatcher(session)
    assert watcher.poll(session) is None
    assert session.attempt(TaskDone("open-ecny-wallet")).applied  # 200 steps: under the first tier
    assert watcher.poll(session) is None
    assert session.attempt(TaskDone("grow-monthly-balance")).applied  # 500: the first tier (300)
    tier = watcher.poll(session)
    assert tier is not None and tier.id == campaign.tiers[0].id
    assert watcher.poll(session) is None, "celebrated once"
    session.end_guest()
    assert watcher.poll(session) is None, "the next visitor starts from their own progress"


class Recorder(Audio):
    """The real Audio (dummy SDL driver), remembering which cues were sent to the mixer."""

    def __init__(self) -> None:
        super().__init__()
        self.played: list[Cue] = []

    def play(self, cue: Cue) -> bool:
        sent = super().play(cue)
        self.played.append(cue)
        return sent


def test_the_celebration_shows_plays_its_cue_and_closes_on_a_tap(tmp_path: Path) -> None:
    seen: dict[str, object] = {}

    def driver(app: App, services: Services) -> None:
        if app.frame == 1:
            services.extras["audio"] = seen["audio"] = Recorder()
            seen["celebrations"] = Celebrations(services)
        if app.frame == 3:
            services.session.attempt(TaskDone("grow-monthly-balance"))
        if "celebrations" in seen:
            seen.setdefault("tiers", [])
            tier = seen["celebrations"].tick(app.stack)  # type: ignore[attr-defined]
            if tier is not None:
                seen["tiers"].append(tier.id)  # type: ignore[attr-defined]
        if app.frame in (150, 168):
            seen[f"top_{app.frame}"] = app.stack.top

    script = [(160, Action(Kind.POINTER_DOWN, pos=(960, 540))), (161, Action(Kind.POINTER_UP, pos=(960, 540)))]
    run = run_app(tmp_path, MemoryStore(), scene="rewards", frames=170, grab=(40, 150), script=script,
                  on_frame=driver, lang="en", wait_for_art=False)
    first = run.services.campaign.tiers[0]
    assert seen["tiers"] == [first.id]
    assert isinstance(seen["top_150"], TierCelebration)
    assert seen["audio"].played == [Cue.TIER]  # type: ignore[attr-defined]
    before, during = (pygame.surfarray.array3d(run.frames[f]).astype(int) for f in (40, 150))
    assert np.abs(during - before).mean() > 20, "the overlay covers the screen"
    drawn = [key[0] for key in run.services.text._cache]
    assert first.name.en in drawn and any(first.reward.en in s for s in drawn)
    assert getattr(seen["top_168"], "name", None) == "rewards", "a tap closed it"
    pygame.quit()
