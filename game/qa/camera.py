"""The scripted camera: one synthetic frame per game frame, of what the scenario says the camera shows.

A live camera (or the free-running synthetic one) delivers frames on its own clock, so which frame the
detector sees on which game frame depends on thread timing. In scripted, headless and replayed runs the
camera is this source instead: the QA driver calls ``advance(frame)`` at the start of every game frame, and
exactly one frame, rendered from the seed, the frame number and the subject, is published for it.

Subjects: ``"logo"`` (the campaign's logo, held by a hand: ``vision.synthetic.HandheldScene``),
``"poster:<landmark-id>"`` (that landmark's poster, held the same way) and ``"none"`` (the room, no marker).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

import numpy as np

from game.vision.sources import Frame, FrameSource
from game.vision.synthetic import HandheldScene, clutter_background

log = logging.getLogger(__name__)
FPS = 60.0  # one camera frame per game frame, timed as the game's fixed step
POSTER_POSE = {"width_cm": 30.0, "distance_cm": 45.0}  # a poster is bigger than a card, held closer


class ScriptedCamera(FrameSource):
    def __init__(self, images: Callable[[str], np.ndarray | None], subject: str = "logo",
                 size: tuple[int, int] = (640, 480), seed: int = 0, mirror: bool = False) -> None:
        """``images(subject)`` gives the picture for "logo" or "poster:<id>" (None: show the room)."""
        super().__init__(mirror, "scripted-camera")
        self.images = images
        self.size = size
        self.seed = seed
        self.subject = subject
        self._scenes: dict[str, HandheldScene | None] = {}
        self._room = clutter_background(np.random.default_rng(seed), size)

    def start(self) -> ScriptedCamera:
        """No capture thread: frames come from ``advance``."""
        self._set_status("ok")
        return self

    def show(self, subject: str) -> None:
        self.subject = subject

    def _scene(self, subject: str) -> HandheldScene | None:
        if subject not in self._scenes:
            image = None if subject == "none" else self.images(subject)
            if image is None and subject != "none":
                log.warning("scripted camera: nothing to show for %r; showing the room", subject)
            scene = HandheldScene(image, self.size, FPS, self.seed) if image is not None else None
            if scene is not None and subject.startswith("poster:"):
                scene._base = dataclasses.replace(scene._base, **POSTER_POSE)  # the wander stays the seed's
            self._scenes[subject] = scene
        return self._scenes[subject]

    def render(self, frame: int) -> tuple[np.ndarray, np.ndarray | None]:
        scene = self._scene(self.subject)
        if scene is None:
            return self._room.copy(), None
        return scene.render(frame)

    def advance(self, frame: int) -> None:
        """Publish the camera frame for game frame ``frame``."""
        if self._stop.is_set():
            return
        image, truth = self.render(frame)
        self._publish(Frame(image, frame / FPS, frame, truth, self.mirror))
