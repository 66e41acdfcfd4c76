"""Marker rating: scores, advice and the PNG report written by the CLI entry point."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from game.vision import rate_marker
from game.vision.cli import rate_marker_main


def test_campaign_logo_rates_as_line_art(logo: np.ndarray) -> None:
    r = rate_marker(logo)
    assert 0 <= r.score <= 100
    assert r.mode == "shape"
    assert any("low texture" in a for a in r.advice)
    assert set(r.components) >= {"size", "contrast", "texture", "asymmetry"}


def test_symmetric_and_small_marks_get_advice() -> None:
    img = np.full((120, 120, 3), 255, np.uint8)
    cv2.circle(img, (60, 60), 45, (30, 30, 200), 4, cv2.LINE_AA)
    cv2.line(img, (15, 60), (105, 60), (30, 30, 200), 4, cv2.LINE_AA)
    cv2.line(img, (60, 15), (60, 105), (30, 30, 200), 4, cv2.LINE_AA)
    r = rate_marker(img)
    text = " ".join(r.advice)
    assert "symmetric" in text and "add a mark" in text
    assert "too small" in text and "300" in text


def test_textured_poster_scores_higher_on_texture(logo: np.ndarray) -> None:
    poster = cv2.imread(str(Path(__file__).resolve().parents[2] / "bench/data/poster.png"))
    assert poster is not None
    assert rate_marker(poster).components["texture"] > rate_marker(logo).components["texture"]


def test_cli_writes_a_png_report(tmp_path: Path, logo: np.ndarray, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "logo.png"
    cv2.imwrite(str(src), logo)
    out = tmp_path / "report.png"
    assert rate_marker_main(str(src), str(out)) == 0
    report = cv2.imread(str(out))
    assert report is not None and report.shape[0] > 300 and report.shape[1] > 600
    assert "marker score" in capsys.readouterr().out
    # default report name sits next to the input
    assert rate_marker_main(str(src)) == 0
    assert (tmp_path / "logo.rating.png").is_file()


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert rate_marker_main(str(tmp_path / "missing.png")) == 2
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"xx")
    assert rate_marker_main(str(bad)) == 2
    tiny = tmp_path / "tiny.png"
    cv2.imwrite(str(tiny), np.zeros((8, 8, 3), np.uint8))
    assert rate_marker_main(str(tiny)) == 2
    assert capsys.readouterr().out.count("error:") == 3


def test_elongated_wordmark_gets_proportion_advice() -> None:
    wide = np.full((40, 600, 3), 245, np.uint8)
    cv2.putText(wide, "BANK OF THINGS", (10, 32), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (40, 30, 190), 3, cv2.LINE_AA)
    square = np.full((600, 600, 3), 245, np.uint8)
    cv2.putText(square, "BANK", (60, 330), cv2.FONT_HERSHEY_SIMPLEX, 4.0, (40, 30, 190), 12, cv2.LINE_AA)
    rw, rs = rate_marker(wide), rate_marker(square)
    assert any("elongated (15.0:1)" in a and "cm" in a for a in rw.advice)
    assert not any("elongated" in a for a in rs.advice)
    assert rw.components["proportions"] < 10 < rs.components["proportions"]


def test_hairline_strokes_get_detail_advice(logo: np.ndarray) -> None:
    from tests.vision.test_fine_polish import hairline_wordmark

    thin = rate_marker(hairline_wordmark())
    assert any(a.startswith("hairline strokes") and "128 px" in a for a in thin.advice), thin.advice
    assert not any(a.startswith("hairline") for a in rate_marker(logo).advice)


def test_plain_margin_gets_crop_advice(logo: np.ndarray) -> None:
    """The detector compares the whole reference: a wide plain margin must be on the print too."""
    ys, xs = np.nonzero(np.abs(logo.astype(np.int16) - logo[0, 0].astype(np.int16)).max(2) > 40)
    tight = np.ascontiguousarray(logo[ys.min():ys.max() + 1, xs.min():xs.max() + 1])
    wide = cv2.copyMakeBorder(tight, 150, 150, 150, 150, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    margin_advice = [a for a in rate_marker(wide).advice if a.startswith("plain margin")]
    assert len(margin_advice) == 1 and "crop it off" in margin_advice[0]
    assert "(2" in margin_advice[0] or "(1" in margin_advice[0]  # about 150 / 818 of the side
    assert not any(a.startswith("plain margin") for a in rate_marker(tight).advice)


def test_rating_names_the_detectors_mode(logo: np.ndarray) -> None:
    from game.vision import MarkerDetector

    root = Path(__file__).resolve().parents[2]
    for path in ("bench/data/poster.png", "bench/data/heldout/dusk-lake.png", "bench/data/heldout/tea-market.png"):
        img = cv2.imread(str(root / path))
        assert img is not None
        r = rate_marker(img)
        assert r.mode == "texture", path
        assert MarkerDetector(img).use_features
        assert any("texture mode" in a for a in r.advice)
    assert not MarkerDetector(logo).use_features


def test_trial_runs_the_detector_on_simulated_views(logo: np.ndarray) -> None:
    from game.vision.rating import trial_detection

    t = trial_detection(logo, views=8, seed=3)
    assert t.views == 8 and t.found + t.wrong <= t.views
    assert t.found >= 6  # the campaign logo is found in ~90 % of harder bench views
    assert trial_detection(logo, views=8, seed=3) == t  # seeded: the same views every time


def test_a_hard_photo_rates_below_the_poster_by_its_trial() -> None:
    root = Path(__file__).resolve().parents[2]
    poster = cv2.imread(str(root / "bench/data/poster.png"))
    night = cv2.imread(str(root / "bench/data/heldout/night-street.png"))
    assert poster is not None and night is not None
    rp, rl = rate_marker(poster), rate_marker(night)
    # Both look fine by the image measures (size, contrast, colour, edges); the detector does not.
    assert rl.components["trial"] < rp.components["trial"]
    assert rl.score < rp.score
    assert rl.components["trial"] <= 75.0
    # The advice names the trial when it finds fewer than three in four views (the dim, sparse
    # night street sits below that share), and the poster, found in nearly all, gets none.
    assert any("simulated handheld views" in a for a in rl.advice) == (rl.components["trial"] < 75.0)
    assert not any("simulated handheld views" in a for a in rp.advice)
