"""Builds scenes by name, so scenes can ask for others without importing each other."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import pygame

from game.jobs import Job
from game.rules.content import Landmark
from game.scene import Scene
from game.services import Services
from scenes.album import AlbumScene
from scenes.attract import AttractScene
from scenes.card import CardScene
from scenes.finish import FinishScene
from scenes.map import MapScene
from scenes.rewards import RewardsScene

log = logging.getLogger(__name__)


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
            return AttractScene(self.s, lambda: self.make("map"), lambda: self.make("scan"), self._painted)
        if name == "map" or name.startswith("map:"):
            focus = self._landmark(name).id if ":" in name else self.s.session.device_landmark  # a kiosk's own
            return MapScene(self.s, self.art_job, self.make, wait_for_art=self.wait_for_art, unroll=self.unroll,
                            focus=focus)
        if name == "rewards":
            return RewardsScene(self.s)
        if name == "finish":
            return FinishScene(self.s, lambda: self.make("attract"))
        if name in ("album", "album:scan"):
            return AlbumScene(self.s, self.make, over_scan=name == "album:scan")
        if name.startswith("share:"):
            from scenes.share import ShareScene  # the share card needs segno and OpenCV

            ident = name.split(":", 1)[1]
            if self.s.campaign.collectible(ident) is None:
                raise ValueError(f"unknown collectible {ident!r} in campaign {self.s.campaign.id!r}")
            return ShareScene(self.s, ident, self.scroll_piece)
        if name.startswith("card:"):
            return CardScene(self.s, self._landmark(name), self.icon, self.make)
        if name == "scan" or name.startswith("scan:"):
            from scenes.scan import ScanScene  # imports OpenCV: not on the cold start's path

            # scan:<landmark-id> (the card's scan tile): only that landmark's poster checks in
            landmark = self._landmark(name).id if ":" in name else None
            # headless runs take each processed camera frame in turn (reproducible screenshots and tests)
            return ScanScene(self.s, self._open_scan, self.make, lockstep=bool(self.s.extras.get("headless")
                                                                                  or self.s.extras.get("qa-camera")),
                             landmark=landmark)
        raise ValueError(f"unknown scene {name!r}")

    def _painted(self) -> object | None:
        """The painting once it is ready (None before, or if it failed: the map reports that)."""
        if not self.art_job.ready:
            return None
        try:
            return self.art_job.result()
        except RuntimeError:
            return None

    def scroll_piece(self) -> pygame.Surface | None:
        """A view of the painted scroll for the share card (None while it is still being painted)."""
        if not self.art_job.ready and not self.wait_for_art:
            return None
        try:
            art = self.art_job.result(timeout=30)
        except (RuntimeError, TimeoutError):
            return None
        from game.ui.share_card import scroll_view

        return scroll_view(art, self.s.session.progress)

    def _open_scan(self) -> object:
        from game.scan.build import open_scan_worker

        return open_scan_worker(self.s, seed=int(self.s.extras.get("seed", 0)))  # type: ignore[call-overload]

    def prewarm(self) -> bool:
        """Once the painting is ready, convert it for the map now (one stalled frame wherever the visitor
        is, usually the attract screen) rather than when the map opens and unrolls. True if done."""
        if not self.art_job.ready:
            return False
        started = time.perf_counter()
        MapScene(self.s, self.art_job, self.make, unroll=False)._take_finished_art()  # a failure: logged, not raised
        log.info("scroll prepared for the map", extra={"seconds": round(time.perf_counter() - started, 3)})
        return True

    def _landmark(self, name: str) -> Landmark:
        ident = name.split(":", 1)[1]
        landmark = self.s.campaign.landmark(ident)
        if landmark is None:
            raise ValueError(f"unknown landmark {ident!r} in campaign {self.s.campaign.id!r}")
        return landmark

    def initial(self, name: str) -> list[Scene]:
        """The stack for a start scene: overlays and sub-screens open over the map (a card over its landmark)."""
        if name == "attract" or name == "map" or name.startswith("map:"):
            return [self.make(name)]
        if name.startswith("card:"):
            return [self.make("map:" + name.split(":", 1)[1]), self.make(name)]
        return [self.make("map"), self.make(name)]
