"""Webcam mirroring end to end: a real video file (written with cv2.VideoWriter, read back through
cv2.VideoCapture) of the bank's card held in the left half of the picture, played once as a
webcam plays (mirrored, like a selfie preview) and once as a file plays (not mirrored).

The card's place on screen is measured from the pixels the scene shows (the card against a plain
backdrop), independently of the tracker; the figure's anchor must stand on that card.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from game.app import App
from game.content import campaign_dir, load_campaign
from game.scan.build import read_image
from game.scan.camera import OpenedCamera
from game.services import Services
from game.store import LocalStore
from game.vision import open_source
from scenes.attract import AttractScene
from scenes.scan import VIEW_RECT, ScanScene
from tests.scenes.harness import run_app
from tests.scenes.test_scripted_run import Driver, Step

BACKDROP = (96, 112, 104)  # BGR: a plain wall behind the card
SIZE = (640, 480)


def card_video(path: Path, frames: int = 60) -> Path:
    """The logo card held in the left half of a 640×480 picture, drifting and tilting a little."""
    campaign = load_campaign("jade-rabbit-chongqing")
    logo = read_image(campaign_dir(campaign.id) / campaign.brand.logo)
    h, w = logo.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, SIZE)
    assert writer.isOpened()
    for i in range(frames):
        cx, cy, half = 165 + i * 0.5, 240, 95
        lean = 10 * np.sin(i / 9)
        dst = np.float32([[cx - half + lean, cy - half], [cx + half, cy - half + lean * 0.5],
                          [cx + half - lean * 0.3, cy + half], [cx - half, cy + half - lean * 0.4]])
        frame = np.full((SIZE[1], SIZE[0], 3), BACKDROP, np.uint8)
        cv2.warpPerspective(logo, cv2.getPerspectiveTransform(src, dst), SIZE, frame,
                            borderMode=cv2.BORDER_TRANSPARENT)
        writer.write(frame)
    writer.release()
    return path


def card_box_on_screen(pixels: np.ndarray) -> tuple[float, float, float, float]:
    """The card's bounding box (x0, y0, x1, y1) in screen pixels, from the displayed B,G,R,A image."""
    diff = np.abs(pixels[..., :3].astype(np.int16) - np.array(BACKDROP, np.int16)).max(axis=2)
    ys, xs = np.nonzero(diff > 48)
    assert len(xs) > 1000, "the card is not in the picture"
    return (VIEW_RECT[0] + float(xs.min()), VIEW_RECT[1] + float(ys.min()),
            VIEW_RECT[0] + float(xs.max()), VIEW_RECT[1] + float(ys.max()))


@pytest.mark.parametrize("mirror", [True, False], ids=["webcam-mirrored", "file-as-is"])
def test_the_figure_stands_on_the_card_in_a_mirrored_and_an_unmirrored_picture(tmp_path: Path, mirror: bool) -> None:
    clip = card_video(tmp_path / "card.avi")
    seen: list[tuple[np.ndarray, tuple[float, float, float, float]]] = []
    state: dict[str, object] = {}

    def attract_ready(app: App) -> bool:
        if not isinstance(app.stack.top, AttractScene) or app.frame < 3:  # laid out once drawn
            return False
        # the camera a webcam would give (cv2.VideoCapture over the file), mirrored or not
        services = app.stack.top.s
        services.extras["qa-camera"] = lambda: OpenedCamera(open_source(str(clip), mirror=mirror), False)
        return True

    driver = Driver([Step("attract: scan", attract_ready, lambda app: app.stack.top.tap_targets()["scan"])])  # type: ignore[union-attr]

    def on_frame(app: App, services: Services) -> None:
        driver(app, services)
        top = app.stack.top
        if isinstance(top, ScanScene) and top.result is not None and top.pose is not None:
            state["mirror"] = top.worker.mirror if top.worker is not None else None
            anchor = top.figure_anchor()
            if anchor is not None:
                seen.append((anchor, card_box_on_screen(top.result.pixels)))

    store = LocalStore.open(tmp_path / "progress.db")
    try:
        run_app(tmp_path, store, scene="attract", frames=70, wait_for_art=False, on_frame=on_frame, lang="en")
    finally:
        store.close()
    assert state.get("mirror") is mirror
    assert len(seen) >= 20, f"the card was tracked on {len(seen)} frames only"
    view_mid = VIEW_RECT[0] + VIEW_RECT[2] / 2
    for anchor, (x0, y0, x1, y1) in seen:
        width = x1 - x0
        centre_x = (x0 + x1) / 2
        # the card is held in the left half of the picture: a mirrored preview shows it on the right
        assert (centre_x > view_mid) is mirror
        # the figure stands on the card: near its middle across, below its centre (where its feet are)
        assert abs(anchor[0] - centre_x) <= 0.1 * width
        assert y0 + 0.5 * (y1 - y0) <= anchor[1] <= y1
