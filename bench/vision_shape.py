"""Does the LINE-2D style shape matcher (game/vision/shape_match.py) pay off as a hypothesis generator?

On the generalisation set's line-art marks (bench/vision_general.py: the same frames, marks and
photographs, same seeds), each frame is detected twice in the same process on one thread:

* ``base``: ``MarkerDetector`` without its shape search (``shape_hypotheses=0``);
* ``shape``: the same detector with the shape matcher's ``--top`` best poses added to its own
  hypotheses on every frame (``detect_ctx(ctx, priors=...)``: ranked, aligned and verified with
  them). The detector itself runs the shape search only when nothing else verified;
  ``bench/vision_general.py --ablate shape_hypotheses=0`` measures that.

It also reports how often one of those poses is near the truth (mean corner error below a tenth
of the view's size, which the alignment pulls in), by family, size, tilt (squashed below 0.7 along
some axis) and nuisance, and the matcher's own CPU time (thread time).

Usage:  python bench/vision_shape.py [--split val] [--quick] [--top 4] [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.machine import machine_info  # noqa: E402
from bench.vision_general import CORRECT_PX, mark_frames, size_band  # noqa: E402
from bench.vision_general_marks import SPLITS, glyph_list, make_marks, photos  # noqa: E402
from game.vision import DetectorConfig, MarkerDetector  # noqa: E402
from game.vision.geometry import mean_corner_error, project  # noqa: E402
from game.vision.shape_match import ShapeMatcher  # noqa: E402

NEAR = 0.1  # a hypothesis this close (mean corner error / view size) is within the alignment's reach


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=SPLITS, default="val")
    ap.add_argument("--quick", action="store_true", help="9 views + 3 negatives per mark (default 27 + 9)")
    ap.add_argument("--top", type=int, default=4, help="shape hypotheses added per frame")
    ap.add_argument("--seed", type=int, default=28)
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    if args.top < 1:
        print(f"error: --top must be at least 1: {args.top}")
        return 2
    cv2.setNumThreads(1)
    n_pos, n_neg = (9, 3) if args.quick else (27, 9)
    load_before = os.getloadavg()
    glyphs = glyph_list()
    split_marks = [m for m in make_marks() if m.split == args.split]
    pool = photos(args.split)
    rows: list[dict] = []
    for mi, mark in enumerate(split_marks):
        if mark.family == "poster":  # textured: the feature path's job
            continue
        pos, neg = mark_frames(mark, mi, pool, n_pos, n_neg, args.seed + SPLITS.index(args.split), glyphs)
        det = MarkerDetector(mark.image, DetectorConfig(shape_hypotheses=0))
        matcher = ShapeMatcher(det.ref.grey(det.ref.bgr))
        size = (mark.image.shape[1], mark.image.shape[0])
        items = [(img, hm, mode, app) for img, hm, mode, app in pos] + [(img, None, mode, 0.0) for img, mode in neg]
        for img, hm, mode, app in items:
            row = {"mark": mark.name, "family": mark.family, "nuisance": mode, "pos": hm is not None,
                   "size": size_band(app) if hm is not None else "-",
                   "tilt": tilt_band(hm, size) if hm is not None else "-"}
            for variant in ("base", "shape"):
                c0 = time.thread_time()
                ctx = det.context(img)
                hyps = matcher.hypotheses(matcher.levels(ctx.pyr), top=args.top) if variant == "shape" else []
                c1 = time.thread_time()
                found = det.detect_ctx(ctx, priors=[h for _, h in hyps])
                c2 = time.thread_time()
                err = mean_corner_error(found.homography, hm, *size) if found is not None and hm is not None else None
                row[variant] = {"reported": found is not None, "right": err is not None and err <= CORRECT_PX,
                                "cpu_ms": (c2 - c0) * 1e3, "generator_ms": (c1 - c0) * 1e3}
                if variant == "shape" and hm is not None:
                    row["near"] = any(mean_corner_error(h, hm, *size) <= NEAR * app for _, h in hyps)
            rows.append(row)
        mine = [r for r in rows if r["mark"] == mark.name and r["pos"]]
        print(f"{mark.name:28s} base {sum(r['base']['right'] for r in mine)}/{len(mine)}"
              f"  shape {sum(r['shape']['right'] for r in mine)}/{len(mine)}"
              f"  near {sum(r['near'] for r in mine)}", flush=True)
    tables = {key: summary(rows, key) for key in ("all", "family", "size", "tilt", "nuisance")}
    for key, t in tables.items():
        print(f"\n{key:10s} {'base right/n wrong false':>28s} {'shape right/n wrong false':>28s} {'near':>6s}")
        for k, c in t.items():
            print(f"{k:10s} {c['base']:>28s} {c['shape']:>28s} {c['near']:>6d}")
    cpu = {v: statistics.median(r[v]["cpu_ms"] for r in rows) for v in ("base", "shape")}
    gen = statistics.median(r["shape"]["generator_ms"] for r in rows)
    print(f"\nmedian CPU ms per frame: base {cpu['base']:.1f}, with shape hypotheses {cpu['shape']:.1f}"
          f" (the matcher alone {gen:.1f}); load {load_before} -> {os.getloadavg()}")
    if args.out:
        Path(args.out).write_text(json.dumps({
            "command": "python " + " ".join(sys.argv),
            "machine": machine_info(loadavg_start=load_before, loadavg_end=os.getloadavg()),
            "split": args.split, "quick": args.quick, "top": args.top, "tables": tables,
            "median_cpu_ms": cpu, "median_generator_cpu_ms": gen, "rows": rows}, indent=1))
    return 0


def tilt_band(hm: np.ndarray, size: tuple[int, int]) -> str:
    """"tilted" when the view is squashed below 0.7 along some axis at the mark's centre (about 45 deg of tilt)."""
    cx, cy = size[0] / 2.0, size[1] / 2.0
    p = project(hm, [(cx, cy), (cx + 1.0, cy), (cx, cy + 1.0)])
    sv = np.linalg.svd(np.stack([p[1] - p[0], p[2] - p[0]], 1), compute_uv=False)
    return "tilted" if sv[1] < 0.7 * sv[0] else "flat"


def summary(rows: list[dict], key: str) -> dict:
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault("all" if key == "all" else r[key], []).append(r)
    out = {}
    for k, rs in sorted(groups.items()):
        pos, neg = [r for r in rs if r["pos"]], [r for r in rs if not r["pos"]]
        cell = {}
        for v in ("base", "shape"):
            right = sum(r[v]["right"] for r in pos)
            wrong = sum(r[v]["reported"] and not r[v]["right"] for r in pos)
            false = sum(r[v]["reported"] for r in neg)
            cell[v] = f"{right}/{len(pos)} {wrong} {false}/{len(neg)}"
        cell["near"] = sum(r.get("near", False) for r in pos)
        out[k] = cell
    return out


if __name__ == "__main__":
    raise SystemExit(main())
