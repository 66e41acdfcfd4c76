"""The AR hunt end to end: the real app, headless, over the synthetic camera and a real LocalStore.

Input is real pygame mouse events through ``InputMapper``; where to tap is read off the scene (the
figure's drawn box), as a visitor would look before touching.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pygame

from game.app import App
from game.rules.content import Rarity
from game.rules.progress import Collect
from game.scan.hunt import Phase
from game.services import Services
from game.store import LocalStore
from scenes.album import AlbumScene
from scenes.scan import ScanScene
from tests.scenes.harness import run_app


@dataclass
class Watcher:
    """Taps the figure once it may be collected; remembers what the scene showed."""

    scene: ScanScene | None = None
    worker: object = None
    anchor_inside: list[bool] = field(default_factory=list)
    tapped_at: int | None = None
    _release: tuple[int, int] | None = None

    def __call__(self, app: App, services: Services) -> None:
        top = app.stack.top
        if not isinstance(top, ScanScene):
            return
        self.scene = top
        self.worker = top.worker or self.worker
        if self._release is not None:
            pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=self._release, button=1))
            self._release = None
            return
        anchor = top.figure_anchor()
        view = top.view()
        if anchor is not None and view is not None and top.result is not None and top.result.detection is not None:
            quad = view.to_screen(top.result.detection.corners).astype(np.float32)
            self.anchor_inside.append(cv2.pointPolygonTest(quad, (float(anchor[0]), float(anchor[1])), False) >= 0)
        if self.tapped_at is None and top.hunt.collectable and top.figure_box is not None:
            pos = top.figure_box.center
            pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
            self._release, self.tapped_at = pos, app.frame


def test_scan_finds_the_logo_shows_the_figure_and_collects_it(tmp_path: Path) -> None:
    store = LocalStore.open(tmp_path / "progress.db")
    watcher = Watcher()
    run = run_app(tmp_path, store, scene="scan", extra_args=["--camera", "synthetic"], frames=200,
                  wait_for_art=False, on_frame=watcher, grab=(150,))
    scene = watcher.scene
    assert scene is not None
    assert scene.synthetic, "with --camera synthetic the scene says it is the demo camera"
    assert scene.frames_shown > 0, "the figure was drawn over the tracked logo"
    assert watcher.anchor_inside and all(watcher.anchor_inside), "the figure stands inside the logo's outline"
    assert watcher.tapped_at is not None, "the figure became collectable"
    assert scene.hunt.phase is Phase.CAPTURED and scene.collected is not None
    item = scene.collected
    # the album shows it
    album = AlbumScene(run.services)
    assert item.id in album.owned()
    # stored progress and the outbox, read back from the file
    store.close()
    reopened = LocalStore.open(tmp_path / "progress.db")
    player = reopened.current_player()
    assert player is not None
    assert [o.collectible_id for o in reopened.load_progress(player).collectibles] == [item.id]
    queued = [e.action for e in reopened.entries(local_id=player, status="pending")]
    assert Collect(item.id) in queued
    reopened.close()
    # the camera was released with the scene and no frame outlives it
    assert scene.worker is None and scene.result is None and scene._frame_surf is None
    worker = watcher.worker
    assert worker is not None and not worker._thread.is_alive()  # type: ignore[attr-defined]
    assert worker.source.status == "ended"  # type: ignore[attr-defined]
    assert item.rarity is not Rarity.LIMITED or item.supply is not None


def test_scan_without_a_webcam_runs_the_demo_camera_with_its_notice(tmp_path: Path) -> None:
    """``--camera auto`` on a machine with no camera falls back to the synthetic one, and says so."""
    store = LocalStore.open(tmp_path / "progress.db")
    watcher = Watcher()
    run = run_app(tmp_path, store, scene="scan", extra_args=["--camera", "auto"], frames=40, wait_for_art=False,
                  on_frame=watcher, grab=(39,))
    store.close()
    scene = watcher.scene
    assert scene is not None and scene.synthetic
    assert watcher.worker is not None and watcher.worker.processed > 0  # type: ignore[attr-defined]
    notice = run.services.t("scan.demo_camera")
    assert notice != "scan.demo_camera"
    # the notice is drawn in the left panel: bright text pixels there
    frame = run.frames[39]
    panel = pygame.surfarray.array3d(frame)[0:240, 280:480]
    assert (panel.max(axis=2) > 200).sum() > 500


def test_the_aiming_guide_names_the_packs_logo_colour_or_the_bank_or_the_landmarks_poster(tmp_path: Path) -> None:
    """Both lines (Chinese and English) whatever the language shown; from the campaign pack."""
    import dataclasses

    store = LocalStore.open(tmp_path / "progress.db")
    try:
        run = run_app(tmp_path, store, scene="album", frames=1, wait_for_art=False, lang="en")
    finally:
        store.close()
    s = run.services
    assert ScanScene(s, lambda: None, lambda name: None).guide_lines() == (  # type: ignore[arg-type,return-value]
        "将红色标志对准镜头", "Hold the red logo up to the camera")
    brand = s.campaign.brand.model_copy(update={"logo_colour": None})
    plain = dataclasses.replace(s, campaign=s.campaign.model_copy(update={"brand": brand}))
    zh, en = ScanScene(plain, lambda: None, lambda name: None).guide_lines()  # type: ignore[arg-type,return-value]
    assert brand.name.zh in zh and brand.name.en in en and "red" not in en
    lm = next(lm for lm in s.campaign.city.landmarks if lm.poster)
    zh, en = ScanScene(s, lambda: None, lambda name: None, landmark=lm.id).guide_lines()  # type: ignore[arg-type,return-value]
    assert lm.name.zh in zh and lm.name.en in en and "poster" in en
