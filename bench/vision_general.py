"""Generalisation set: marks and photographs the detector was never tuned on (issue 28).

Sixty marks drawn from a seed (bench/vision_general_marks.py: seals, rings, stroke animals, thin
wordmarks of random glyphs of the bundled fonts, textured posters; six ink colours; nearly
symmetric seals and rings) are split by mark into train / val / test (6 / 3 / 3 per family), and
the real photographs behind them (scikit-image's sample photos) are split the same way, so a
test view shows a test mark over a test photograph.

Views are handheld: tilt up to 60 deg about any axis, any in-plane rotation, 40-400 px apparent
size (long side of the quad, log-uniform), anywhere in a 640x480 frame, with 0-3 red line-art
distractor cards beside the mark. Each view gets one nuisance, in turn: none, motion blur,
defocus, sensor noise, JPEG, colour cast, glare, dim light, a thumb over the mark. Negatives show
the split's photographs with 2-5 red line-art distractor cards and no mark, with the same
nuisances.

Every detector runs on the same frames in the same process on one thread: ours (MarkerDetector),
ORB-1000 + ratio test + RANSAC (bench/vision.py's baseline) and SIFT + ratio test + RANSAC. A
detection counts as right within 5 px mean corner error; anything else reported on a view is a
wrong pose, and anything reported on a negative a false detection.

Tune on train and val only; run --split test once per round.

Usage:  python bench/vision_general.py [--split val] [--quick] [--methods ours,orb,sift]
                                      [--set knob=value ...] [--out bench/results/vision_general_val.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.machine import machine_info  # noqa: E402
from bench.vision import OrbBaseline, SiftBaseline  # noqa: E402
from bench.vision_general_marks import (  # noqa: E402
    FAMILIES,
    PHOTOS,
    SPLITS,
    Mark,
    distractor,
    glyph_list,
    make_marks,
    photos,
)
from game.vision import MarkerDetector  # noqa: E402
from game.vision.detector import DetectorConfig  # noqa: E402
from game.vision.geometry import long_side, mean_corner_error, project, ref_corners  # noqa: E402
from game.vision.synthetic import Effects, render  # noqa: E402

FRAME = (640, 480)
CORRECT_PX = 5.0
NUISANCES = ("none", "motion", "defocus", "noise", "jpeg", "cast", "glare", "dim", "thumb")
FOCAL = FRAME[0] / (2 * math.tan(math.radians(65.0) / 2))  # 65 deg horizontal field of view
WARM = np.float32([0.70, 0.92, 1.18])  # BGR gains
COOL = np.float32([1.18, 1.0, 0.78])


def camera_homography(ref_size: tuple[int, int], tilt_deg: float, axis_deg: float, roll_deg: float,
                      distance: float, centre: tuple[float, float]) -> np.ndarray:
    """Reference px -> frame px for a print of long side 1 seen by a pinhole camera."""
    w, h = ref_size
    s = 1.0 / max(w, h)
    to_plane = np.array([[s, 0, -w / 2 * s], [0, s, -h / 2 * s], [0, 0, 1]])
    a, t, r = math.radians(axis_deg), math.radians(tilt_deg), math.radians(roll_deg)
    axis = np.array([math.cos(a), math.sin(a), 0.0])
    tilt, _ = cv2.Rodrigues(axis * t)
    roll, _ = cv2.Rodrigues(np.array([0.0, 0.0, r]))
    rot = tilt @ roll
    k = np.array([[FOCAL, 0, FRAME[0] / 2], [0, FOCAL, FRAME[1] / 2], [0, 0, 1]])
    tx = (centre[0] - FRAME[0] / 2) * distance / FOCAL
    ty = (centre[1] - FRAME[1] / 2) * distance / FOCAL
    hm = k @ np.column_stack([rot[:, 0], rot[:, 1], [tx, ty, distance]]) @ to_plane
    return hm / hm[2, 2]


def handheld_pose(rng: np.random.Generator, ref_size: tuple[int, int]) -> tuple[np.ndarray, float]:
    """A homography with the whole quad inside the frame, and its apparent size (long side, px)."""
    while True:
        want = math.exp(rng.uniform(math.log(40), math.log(400)))
        tilt = float(rng.uniform(0, 60))
        axis, roll = float(rng.uniform(0, 360)), float(rng.uniform(0, 360))
        hm = camera_homography(ref_size, tilt, axis, roll, 1.0, (FRAME[0] / 2, FRAME[1] / 2))
        d = long_side(project(hm, ref_corners(*ref_size))) / want
        centre = (float(rng.uniform(0, FRAME[0])), float(rng.uniform(0, FRAME[1])))
        hm = camera_homography(ref_size, tilt, axis, roll, d, centre)
        q = project(hm, ref_corners(*ref_size))
        if q[:, 0].min() >= 2 and q[:, 1].min() >= 2 and q[:, 0].max() <= FRAME[0] - 2 and q[:, 1].max() <= FRAME[1] - 2:
            return hm, long_side(q)


def background(rng: np.random.Generator, pool: list[np.ndarray]) -> np.ndarray:
    """A random crop of one photograph, resized to the frame, maybe mirrored."""
    img = pool[int(rng.integers(len(pool)))]
    h, w = img.shape[:2]
    k = rng.uniform(0.5, 1.0)
    cw, ch = min(w, int(max(w, h * 4 / 3) * k)), min(h, int(max(h, w * 3 / 4) * k))
    cw, ch = max(32, cw), max(24, ch)
    x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
    out = cv2.resize(img[y:y + ch, x:x + cw], FRAME, interpolation=cv2.INTER_AREA)
    return cv2.flip(out, 1) if rng.integers(2) else out


def add_distractors(img: np.ndarray, rng: np.random.Generator, n: int, glyphs: list[str]) -> np.ndarray:
    for _ in range(n):
        card = distractor(rng, glyphs)
        hm, _ = handheld_pose(rng, (card.shape[1], card.shape[0]))
        img = render(card, hm, img, Effects(noise=0.0), rng, supersample=1)
    return img


def defocus(img: np.ndarray, radius: float) -> np.ndarray:
    r = math.ceil(radius)
    k = np.zeros((2 * r + 1, 2 * r + 1), np.float32)
    cv2.circle(k, (r, r), max(1, round(radius)), 1.0, -1, cv2.LINE_AA)
    return cv2.filter2D(img, -1, k / k.sum())


def nuisance_effects(mode: str, rng: np.random.Generator) -> Effects:
    """The render-time part of a nuisance (blur, glare and the thumb depend on where the mark is)."""
    gain, bias = float(rng.uniform(0.85, 1.1)), float(rng.uniform(-10, 10))
    if mode == "motion":
        return Effects(gain, bias, blur_len=float(rng.uniform(4, 12)), blur_angle=float(rng.uniform(0, 180)))
    if mode == "noise":
        return Effects(gain, bias, noise=float(rng.uniform(6, 12)))
    if mode == "glare":
        return Effects(gain, bias, glare=float(rng.uniform(100, 180)))
    if mode == "dim":
        return Effects(float(rng.uniform(0.3, 0.45)), 0.0, noise=3.0)
    if mode == "thumb":
        return Effects(gain, bias, finger=float(rng.uniform(0.15, 0.3)))
    return Effects(gain, bias)


def post(img: np.ndarray, mode: str, rng: np.random.Generator, index: int) -> np.ndarray:
    """The frame-wide part of a nuisance."""
    if mode == "defocus":
        return defocus(img, float(rng.uniform(1.5, 3.5)))
    if mode == "jpeg":
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(30, 70))])
        if not ok:
            raise RuntimeError("cv2.imencode failed")
        return cv2.imdecode(buf, cv2.IMREAD_COLOR)
    if mode == "cast":
        full = WARM if index % 2 == 0 else COOL
        gains = 1.0 + np.float32(rng.uniform(0.6, 1.0)) * (full - 1.0)
        return np.clip(img.astype(np.float32) * gains, 0, 255).astype(np.uint8)
    return img


def mark_frames(mark: Mark, index: int, pool: list[np.ndarray], n_pos: int, n_neg: int, seed: int,
                glyphs: list[str]) -> tuple[list, list]:
    """Positives (frame, truth, nuisance, apparent px) and negatives (frame, nuisance) of one mark."""
    rng = np.random.default_rng((seed, index))
    size = (mark.image.shape[1], mark.image.shape[0])
    pos, neg = [], []
    for i in range(n_pos):
        mode = NUISANCES[(i + index) % len(NUISANCES)]
        bg = add_distractors(background(rng, pool), rng, int(rng.integers(0, 4)), glyphs)
        hm, apparent = handheld_pose(rng, size)
        img = post(render(mark.image, hm, bg, nuisance_effects(mode, rng), rng), mode, rng, i)
        pos.append((img, hm, mode, apparent))
    for i in range(n_neg):
        mode = NUISANCES[(i + index) % len(NUISANCES)]
        bg = add_distractors(background(rng, pool), rng, int(rng.integers(2, 6)), glyphs)
        img = post(render(mark.image, None, bg, nuisance_effects(mode, rng), rng), mode, rng, i)
        neg.append((img, mode))
    return pos, neg


def homographies(detector: MarkerDetector):
    """The detector as a frame -> homography (or None) function, like the baselines."""
    def detect(frame: np.ndarray) -> np.ndarray | None:
        d = detector.detect(frame)
        return None if d is None else d.homography
    return detect


def timed(fn, img: np.ndarray) -> tuple[np.ndarray | None, float, float]:
    """fn(img), its wall time and its thread CPU time (ms): CPU time is less distorted by a loaded machine."""
    t0, c0 = time.perf_counter(), time.thread_time()
    h = fn(img)
    return h, (time.perf_counter() - t0) * 1000.0, (time.thread_time() - c0) * 1000.0


def size_band(px: float) -> str:
    return "40-80" if px < 80 else "80-160" if px < 160 else "160-400"


def summarise(rows: list[dict], key: str | None) -> dict:
    """Per method (and per value of ``key``): recall, wrong poses, false detections, median ms."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        groups[(r["method"], r[key] if key else "all")].append(r)
    out: dict = defaultdict(dict)
    for (method, k), rs in sorted(groups.items()):
        pos = [r for r in rs if r["kind"] == "pos"]
        neg = [r for r in rs if r["kind"] == "neg"]
        out[method][k] = {
            "n_pos": len(pos), "n_neg": len(neg),
            "recall": sum(r["right"] for r in pos) / max(1, len(pos)),
            "wrong": sum(r["reported"] and not r["right"] for r in pos),
            "false": sum(r["reported"] for r in neg),
            "median_ms": statistics.median(r["ms"] for r in rs) if rs else None,
            "median_cpu_ms": statistics.median(r["cpu_ms"] for r in rs) if rs else None,
            "mean_err_px": (statistics.fmean(r["err"] for r in pos if r["right"])
                            if any(r["right"] for r in pos) else None),
        }
    return out


def chosen_families(text: str) -> list[str]:
    """The families a comma-separated --families value names (all when empty); exit 2 on a wrong one."""
    families = [f for f in text.split(",") if f] or list(FAMILIES)
    if any(f not in FAMILIES for f in families):
        print(f"error: --families must name some of {', '.join(FAMILIES)}: {text!r}")
        raise SystemExit(2)
    return families


def add_tuning_arguments(ap: argparse.ArgumentParser, quick_help: str) -> None:
    """The arguments of the benches that look inside the detector on the tuning splits (never test)."""
    ap.add_argument("--split", choices=[s for s in SPLITS if s != "test"], default="val")
    ap.add_argument("--quick", action="store_true", help=quick_help)
    ap.add_argument("--families", default="", help="comma-separated subset of " + ",".join(FAMILIES))
    ap.add_argument("--set", action="append", default=[], metavar="KNOB=VALUE")
    ap.add_argument("--seed", type=int, default=28)
    ap.add_argument("--out", default="")


def parse_sets(items: list[str]) -> dict:
    fields = {f.name: f for f in dataclasses.fields(DetectorConfig)}
    out = {}
    for item in items:
        key, _, raw = item.partition("=")
        if key not in fields or not raw:
            print(f"error: unknown DetectorConfig knob or missing value: {item!r}")
            raise SystemExit(2)
        default = getattr(DetectorConfig(), key)
        if isinstance(default, bool):
            out[key] = raw.lower() in ("1", "true", "yes", "on")
        elif isinstance(default, int):
            out[key] = int(float(raw))
        elif isinstance(default, float):
            out[key] = float(raw)
        elif default is None or isinstance(default, tuple):
            out[key] = None if raw == "None" else json.loads(raw)
        else:
            out[key] = type(default)(raw)
    return out


def table(s: dict, key_name: str) -> str:
    methods = list(s)
    keys = list(next(iter(s.values())))
    head = f"{key_name:16s} " + " ".join(f"{m[-34:]:>34s}" for m in methods)
    lines = [head, f"{'':16s} " + " ".join(f"{'recall wrong false cpu-ms':>34s}" for _ in methods)]
    for k in keys:
        cells = []
        for m in methods:
            c = s[m][k]
            cells.append(f"{c['recall']:>12.3f} {c['wrong']:>5d} {c['false']:>5d}/{c['n_neg']:<3d} {c['median_cpu_ms']:>6.1f}")
        lines.append(f"{k:16s} " + " ".join(f"{x:>34s}" for x in cells))
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=SPLITS, default="val")
    ap.add_argument("--quick", action="store_true", help="9 views + 3 negatives per mark (default 27 + 9)")
    ap.add_argument("--methods", default="ours,orb,sift", help="comma-separated subset of ours,orb,sift")
    ap.add_argument("--set", action="append", default=[], metavar="KNOB=VALUE",
                    help="a DetectorConfig value for 'ours' (repeatable)")
    ap.add_argument("--ablate", action="append", default=[], metavar="KNOB=VALUE[,KNOB=VALUE]",
                    help="also run 'ours' with these values, as method ours:KNOB=VALUE (repeatable)")
    ap.add_argument("--families", default="", help="comma-separated subset of " + ",".join(FAMILIES))
    ap.add_argument("--seed", type=int, default=28)
    ap.add_argument("--out", default="", help="write the results as JSON here")
    ap.add_argument("--merge", nargs="+", default=[], metavar="JSON",
                    help="instead of running, merge the rows of runs split by --families into one result")
    args = ap.parse_args()
    if args.merge:
        return merge(args.merge, args.out)
    methods = [m for m in args.methods.split(",") if m]
    if not methods or any(m not in ("ours", "orb", "sift") for m in methods):
        print(f"error: --methods must name ours, orb or sift: {args.methods!r}")
        return 2
    families = chosen_families(args.families)
    config = DetectorConfig(**parse_sets(args.set))
    variants = {f"ours:{a}": dataclasses.replace(config, **parse_sets(a.split(","))) for a in args.ablate}
    cv2.setNumThreads(1)
    n_pos, n_neg = (9, 3) if args.quick else (27, 9)
    t0 = time.time()
    load_before = os.getloadavg()
    glyphs = glyph_list()
    split_marks = [m for m in make_marks() if m.split == args.split]
    marks = [m for m in split_marks if m.family in families]
    pool = photos(args.split)
    rows: list[dict] = []
    for mark in marks:
        # A mark's frames depend on its place in the split, not on the families chosen: a run
        # split by family over several processes (--families, --merge) sees the same frames.
        mi = split_marks.index(mark)
        pos, neg = mark_frames(mark, mi, pool, n_pos, n_neg, args.seed + SPLITS.index(args.split), glyphs)
        size = (mark.image.shape[1], mark.image.shape[0])
        dets = {}
        if "ours" in methods:
            dets["ours"] = homographies(MarkerDetector(mark.image, config))
        for name, cfg in variants.items():
            dets[name] = homographies(MarkerDetector(mark.image, cfg))
        if "orb" in methods:
            dets["orb"] = OrbBaseline(mark.image).detect
        if "sift" in methods:
            dets["sift"] = SiftBaseline(mark.image).detect
        for method, fn in dets.items():
            for img, hm, mode, apparent in pos:
                h, ms, cpu = timed(fn, img)
                err = mean_corner_error(h, hm, *size) if h is not None else math.inf
                rows.append({"method": method, "mark": mark.name, "family": mark.family, "kind": "pos",
                             "nuisance": mode, "size": size_band(apparent), "reported": h is not None,
                             "right": err <= CORRECT_PX, "err": err if h is not None else None, "ms": ms, "cpu_ms": cpu})
            for img, mode in neg:
                h, ms, cpu = timed(fn, img)
                rows.append({"method": method, "mark": mark.name, "family": mark.family, "kind": "neg",
                             "nuisance": mode, "size": "-", "reported": h is not None, "right": False,
                             "err": None, "ms": ms, "cpu_ms": cpu})
        done = [r for r in rows if r["mark"] == mark.name and r["method"] == methods[0] and r["kind"] == "pos"]
        print(f"{mark.name:32s} {methods[0]} {sum(r['right'] for r in done)}/{len(done)}", flush=True)
    result = {
        "command": "python " + " ".join(sys.argv),
        "machine": machine_info(loadavg_start=load_before, loadavg_end=os.getloadavg()), "split": args.split,
        "quick": args.quick, "config": {k: v for k, v in parse_sets(args.set).items()},
        "marks": [m.name for m in marks], "photos": list(PHOTOS[args.split]),
        "overall": summarise(rows, None), "by_family": summarise(rows, "family"),
        "by_nuisance": summarise(rows, "nuisance"), "by_size": summarise(rows, "size"),
        "seconds": time.time() - t0, "rows": rows,
    }
    report(result, args.out)
    print(f"{len(marks)} marks, split {args.split}, {time.time() - t0:.0f} s")
    return 0


def report(result: dict, out: str) -> None:
    print()
    for key, name in (("overall", "all"), ("by_family", "family"), ("by_nuisance", "nuisance"), ("by_size", "size")):
        print(table(result[key], name))
        print()
    if out:
        Path(out).write_text(json.dumps(result, indent=1, default=float))


def merge(paths: list[str], out: str) -> int:
    """One result from runs of the same split and methods over different families."""
    parts = [json.loads(Path(p).read_text()) for p in paths]
    if len({(p["split"], p["quick"]) for p in parts}) != 1 or any("rows" not in p for p in parts):
        print("error: --merge needs results of one split and size, written with their rows")
        return 2
    rows = [r for p in parts for r in p["rows"]]
    result = {
        "command": [p["command"] for p in parts], "machine": [p["machine"] for p in parts],
        "split": parts[0]["split"], "quick": parts[0]["quick"], "config": parts[0]["config"],
        "marks": [m for p in parts for m in p["marks"]], "photos": parts[0]["photos"],
        "overall": summarise(rows, None), "by_family": summarise(rows, "family"),
        "by_nuisance": summarise(rows, "nuisance"), "by_size": summarise(rows, "size"),
        "seconds": max(p["seconds"] for p in parts), "rows": rows,
    }
    report(result, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
