"""The share card: a PNG under the data dir whose QR code decodes (OpenCV's QR decoders, as the kiosks read them) to the
player's link, and the Share action performed once a day through the session."""

from __future__ import annotations

from pathlib import Path

import cv2
import pygame

from game.kiosk.handoff import decode_qr
from game.store import LocalStore
from scenes.share import ShareScene
from tests.scenes.harness import run_app


def test_share_card_png_qr_round_trip_and_the_share_action(tmp_path: Path) -> None:
    store = LocalStore.open(tmp_path / "progress.db")
    shared: dict[str, object] = {}

    def press_share(app: object, services: object) -> None:
        top = app.stack.top  # type: ignore[attr-defined]
        if isinstance(top, ShareScene) and "first" not in shared:
            shared["scene"] = top
            pos = (round(top.share.rect.center[0]), round(top.share.rect.center[1]))
            for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
                pygame.event.post(pygame.event.Event(kind, pos=pos, button=1))
            shared["first"] = True

    run = run_app(tmp_path, store, scene="share:lantern-rabbit", frames=8, wait_for_art=False, on_frame=press_share,
                  lang="en")
    scene = shared["scene"]
    assert isinstance(scene, ShareScene) and scene.path is not None
    assert scene.path.is_file() and scene.path.is_relative_to(tmp_path)
    image = cv2.imread(str(scene.path))
    assert image.shape[:2] == (1350, 1080)
    text = decode_qr(image)
    assert text == scene.url
    assert run.services.session.player_id in text
    # the screen says the card is saved, never where (no filesystem path on a kiosk's screen)
    drawn = run.services.text.cached_texts()
    assert run.services.t("share.saved") in drawn
    assert not any(scene.path.name in t or str(tmp_path) in t for t in drawn)
    # the Share action went through the session: steps once today, refused the second time
    progress = run.services.session.progress
    assert len(progress.shares) == 1
    assert any(g.source == "share" and g.steps == run.services.campaign.meta.share_steps for g in progress.grants)
    scene.do_share()
    assert scene.message == (run.services.t("reason.already_shared_today"), False)
    assert len(run.services.session.progress.shares) == 1
    store.close()
