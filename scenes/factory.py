"""Builds scenes by name, so scenes can ask for others without importing each other."""

from __future__ import annotations

from collections.abc import Callable

import pygame

from game.jobs import Job
from game.scene import Scene
from game.services import Services
from scenes.album import AlbumScene
from scenes.attract import AttractScene
from scenes.card import CardScene
from scenes.map import MapScene
from scenes.rewards import RewardsScene


class SceneFactory:
    def __init__(
        self,
        services: Services,
        art_job: Job,
        icon: Callable[[str, int], pygame.Surface] | None = None,
        *,
        wait_for_art: bool = False,
        unroll: bool = True,
    ) -> None:
        self.s = services
        self.art_job = art_job
        self.icon = icon
        self.wait_for_art = wait_for_art
        self.unroll = unroll

    def make(self, name: str) -> Scene:
        if name == "attract":
            return AttractScene(self.s, lambda: self.make("map"))
        if name == "map":
            return MapScene(self.s, self.art_job, self.make, wait_for_art=self.wait_for_art, unroll=self.unroll)
        if name == "rewards":
            return RewardsScene(self.s)
        if name == "album":
            return AlbumScene(self.s)
        if name.startswith("card:"):
            landmark = self.s.campaign.landmark(name.split(":", 1)[1])
            if landmark is None:
                raise ValueError(f"unknown landmark {name.split(':', 1)[1]!r} in campaign {self.s.campaign.id!r}")
            return CardScene(self.s, landmark, self.icon)
        raise ValueError(f"unknown scene {name!r}")

    def initial(self, name: str) -> list[Scene]:
        """The stack for a start scene: overlays and sub-screens open over the map."""
        if name in ("attract", "map"):
            return [self.make(name)]
        return [self.make("map"), self.make(name)]
