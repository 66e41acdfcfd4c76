"""Scan check-ins: a landmark's poster seen by the scan scene (from a real video file through
cv2.VideoCapture) performs that landmark's *scan* check-in, with the seal; once a day."""

from __future__ import annotations

from pathlib import Path

from game.app import App
from game.content import campaign_dir, load_campaign
from game.rules.content import CheckinMode
from game.scan.build import read_image
from game.services import Services
from game.store import LocalStore
from scenes.scan import ScanScene
from tests.clips import write_handheld_clip
from tests.scenes.harness import run_app

CAMPAIGN = load_campaign("jade-rabbit-chongqing")


def poster_clip(path: Path, landmark_id: str, frames: int = 90) -> Path:
    """A hand-held view of the landmark's printed poster, written as an MJPG video."""
    lm = CAMPAIGN.landmark(landmark_id)
    assert lm is not None and lm.poster
    return write_handheld_clip(path, read_image(campaign_dir(CAMPAIGN.id) / lm.poster), frames, seed=2)


class SealWatch:
    def __init__(self) -> None:
        self.seals: list[str] = []
        self.messages: list[str] = []

    def __call__(self, app: App, services: Services) -> None:
        top = app.stack.top
        if isinstance(top, ScanScene):
            if top.seal is not None and top.seal.landmark not in self.seals:
                self.seals.append(top.seal.landmark)
            if top.message is not None and top.message[0] not in self.messages:
                self.messages.append(top.message[0])


def test_poster_scan_checks_in_once_a_day(tmp_path: Path) -> None:
    lm = next(lm for lm in CAMPAIGN.city.landmarks
              if lm.unlock_after == 0 and CheckinMode.SCAN in lm.modes and lm.poster)
    clip = poster_clip(tmp_path / "poster.avi", lm.id)
    store = LocalStore.open(tmp_path / "progress.db")
    first = SealWatch()
    run = run_app(tmp_path, store, scene="scan", extra_args=["--camera", str(clip)], frames=150,
                  wait_for_art=False, on_frame=first, lang="en")
    progress = run.services.session.progress
    scans = [c for c in progress.checkins if c.landmark_id == lm.id and c.mode is CheckinMode.SCAN]
    assert len(scans) == 1
    assert first.seals == [lm.id]
    assert sum(g.steps for g in progress.grants) == lm.modes[CheckinMode.SCAN]
    # the same poster again the same day: told, not counted twice
    again = SealWatch()
    run = run_app(tmp_path, store, scene="scan", extra_args=["--camera", str(clip)], frames=150,
                  wait_for_art=False, on_frame=again, lang="en")
    assert again.seals == []
    assert any(run.services.t("reason.already_checked_in_today") in m for m in again.messages)
    assert len(run.services.session.progress.checkins) == 1
    store.close()
