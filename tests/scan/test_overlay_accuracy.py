"""The figure's anchor, projected from the pose the scene computes, against the synthetic ground truth
(see ``game.scan.accuracy``)."""

from __future__ import annotations

import numpy as np

from game.content import campaign_dir, load_campaign
from game.scan.accuracy import anchor_errors
from game.scan.build import read_image


def test_overlay_anchor_p95_within_3px_of_ground_truth() -> None:
    campaign = load_campaign("jade-rabbit-chongqing")
    logo = read_image(campaign_dir(campaign.id) / campaign.brand.logo)
    measured = anchor_errors(logo, 150)
    assert len(measured.errors) >= 0.8 * measured.visible, "the logo is tracked on most frames where it is in view"
    p95 = float(np.percentile(measured.errors, 95))
    assert p95 <= 3.0, f"p95 anchor error {p95:.2f} px"
    assert max(measured.errors) <= 4.5
