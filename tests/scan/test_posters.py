"""Posters: named by the pack and checked; one shared index finds the right landmark's poster."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from game.content import CAMPAIGNS_DIR, campaign_dir, load_campaign
from game.rules.content import ContentError
from game.scan.build import poster_images
from game.scan.targets import TargetIndex
from game.vision.synthetic import HandheldScene

CAMPAIGN = load_campaign("jade-rabbit-chongqing")


def test_every_landmark_of_the_default_campaign_has_its_own_poster() -> None:
    posters = [lm.poster for lm in CAMPAIGN.city.landmarks]
    assert all(posters) and len(set(posters)) == len(posters)
    images = poster_images(CAMPAIGN, campaign_dir(CAMPAIGN.id))
    kinds = {p.rsplit(".", 1)[1] for p in posters if p}
    assert kinds == {"png", "jpg"}, "some line art, some textured prints"
    assert all(img.shape[:2] == (800, 600) for img in images.values())


def test_a_missing_poster_file_names_the_field(tmp_path: Path) -> None:
    pack = Path(shutil.copytree(CAMPAIGNS_DIR / CAMPAIGN.id, tmp_path / CAMPAIGN.id))
    first = CAMPAIGN.city.landmarks[0]
    assert first.poster is not None
    (pack / first.poster).unlink()
    with pytest.raises(ContentError) as info:
        load_campaign(CAMPAIGN.id, tmp_path)
    assert any(i.file == "city.toml" and i.field == "city.landmarks[0].poster" and first.poster in i.problem
               for i in info.value.issues)


def test_shared_index_names_the_poster_in_view_and_never_another() -> None:
    images = poster_images(CAMPAIGN, campaign_dir(CAMPAIGN.id))
    index = TargetIndex(images)
    assert len(index) == 16
    right = wrong = views = 0
    for k, (landmark_id, image) in enumerate(images.items()):
        scene = HandheldScene(image, (640, 480), 30.0, seed=k)
        for i in range(0, 60, 15):
            frame, truth = scene.render(i)
            hits = index.find(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
            views += 1
            if not hits:
                continue
            if hits[0].target_id != landmark_id:
                wrong += 1
                continue
            right += 1
            h, w = image.shape[:2]
            centre = truth @ np.array([w / 2, h / 2, 1.0])
            found = hits[0].homography @ np.array([w / 2, h / 2, 1.0])
            assert np.linalg.norm(centre[:2] / centre[2] - found[:2] / found[2]) < 8.0
    assert wrong == 0
    assert right >= 0.4 * views, f"{right}/{views} views found"


def test_a_blank_target_is_refused() -> None:
    with pytest.raises(ValueError, match="too little texture"):
        TargetIndex({"blank": np.full((400, 300, 3), 240, np.uint8)})
