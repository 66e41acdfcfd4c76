"""What each optional detector stage buys, on the views it was added for (counterfactual evidence).

The unit tests assert only what a user relies on: a view is found within 5 px, or refused. Whether
a stage still earns its place ("with the option off, this view is lost") depends on the OpenCV
build and on the rest of the pipeline, so that comparison lives here and is measured, not asserted.

For every case: the bench-style frame (drawn as bench/vision.py and bench/vision_heldout.py draw
them: seeded stream, frame index), the default detector's result and the result with the option
switched off. A case "pays" when the default finds the view within 5 px and the variant does not.
Options the detector no longer has are reported as such.

Usage:  python bench/vision_options.py [--out bench/results/vision_options.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.machine import machine_info  # noqa: E402
from bench.vision import positive_view  # noqa: E402
from game.vision import MarkerDetector  # noqa: E402
from game.vision.detector import DetectorConfig  # noqa: E402
from game.vision.geometry import mean_corner_error  # noqa: E402

FRAME = (640, 480)
LOGO = "assets/campaigns/jade-rabbit-chongqing/logo.png"
# (option switched off, reference, stream, frame index): the views each stage was added for.
CASES: list[tuple[dict, str, tuple[int, int], int]] = [
    ({"blur_view_px": 0}, "bench/data/lantern.png", (7, 1), 33),
    ({"blur_view_px": 0}, "bench/data/medallion.png", (7, 2), 47),
    ({"blur_view_px": 0}, "bench/data/kite-wordmark.png", (7, 3), 66),
    ({"texture_search": 0}, "bench/data/poster.png", (7, 4), 2),
    ({"texture_search": 0}, "bench/data/poster.png", (7, 4), 46),
    ({"texture_search": 0}, "bench/data/poster.png", (7, 4), 51),
    ({"texture_search": 0}, "bench/data/heldout/tea-market.png", (23, 1), 19),
    ({"rival_check_below": 0.0}, "bench/data/heldout/tea-market.png", (23, 1), 25),
    ({"card_tone_split": 0.0}, "bench/data/medallion.png", (7, 2), 75),
    ({"card_tone_split": 0.0}, "bench/data/kite-wordmark.png", (7, 3), 26),
    ({"card_tone_split": 0.0}, "bench/data/lantern.png", (7, 1), 69),
]


def bench_frame(path: str, stream: tuple[int, int], index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ref = cv2.imread(str(ROOT / path), cv2.IMREAD_COLOR)
    rng = np.random.default_rng(stream)
    for _ in range(index + 1):  # the bench's stream of views for this target, up to the index-th
        img, hm = positive_view(ref, rng, FRAME)
    return ref, img, hm


def outcome(det: MarkerDetector, img: np.ndarray, truth: np.ndarray, size: tuple[int, int]) -> str:
    d = det.detect(img)
    if d is None:
        return "refused"
    err = mean_corner_error(d.homography, truth, *size)
    return "found" if err <= 5.0 else f"wrong ({err:.0f} px)"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="", help="write the results as JSON here")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    known = {f.name for f in dataclasses.fields(DetectorConfig)}
    rows = []
    t0 = time.time()
    for off, path, stream, index in CASES:
        name = ",".join(f"{k}={v}" for k, v in off.items())
        if not set(off) <= known:
            rows.append({"option": name, "path": path, "stream": stream, "index": index, "default": "-",
                         "off": "option removed", "pays": False})
            continue
        ref, img, truth = bench_frame(path, stream, index)
        size = (ref.shape[1], ref.shape[0])
        default = outcome(MarkerDetector(ref), img, truth, size)
        without = outcome(MarkerDetector(ref, DetectorConfig(**off)), img, truth, size)
        rows.append({"option": name, "path": path, "stream": stream, "index": index, "default": default,
                     "off": without, "pays": default == "found" and without != "found"})
    print(f"{'option off':32s} {'view':48s} {'default':14s} {'option off':14s}")
    for r in rows:
        view = f"{Path(r['path']).stem} {tuple(r['stream'])} #{r['index']}"
        print(f"{r['option']:32s} {view:48s} {r['default']:14s} {r['off']:14s}")
    print(f"{sum(r['pays'] for r in rows)} of {len(rows)} cases: the stage is what finds the view")
    if args.out:
        Path(args.out).write_text(json.dumps({"command": "python bench/vision_options.py", "machine": machine_info(),
                                              "cases": rows, "seconds": time.time() - t0}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
