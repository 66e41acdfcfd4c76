"""Where a frame's detection time goes: thread CPU per detector stage, on views and negatives.

Runs ``MarkerDetector`` over the generalisation set's frames (bench/vision_general.py: same
marks, photographs, poses and nuisances) with its stages wrapped by a profiler that charges each
stage its own (exclusive) thread CPU time: a stage's time excludes the stages it calls, so the
columns of a frame add up to its detection time. It also records which stage's hypothesis first
verified on each frame (the stage a detection came from).

Prints, per frame kind (views found, views missed, negatives) and per family kind (line art,
textured), the mean thread CPU per stage and the share of frames that ran it; and the stages
detections came from.

Usage:  python bench/vision_profile.py [--split val] [--quick] [--families seal,poster]
                                      [--set knob=value ...] [--out bench/results/vision_profile_val.json]
Tune on train and val only.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.machine import machine_info  # noqa: E402
from bench.vision_general import CORRECT_PX, add_tuning_arguments, chosen_families, mark_frames, parse_sets  # noqa: E402
from bench.vision_general_marks import SPLITS, glyph_list, make_marks, photos  # noqa: E402
from game.vision import candidates, detector, reference  # noqa: E402
from game.vision import colour_search as colour_search_mod  # noqa: E402
from game.vision import features as features_mod  # noqa: E402
from game.vision import shape_match as shape_mod  # noqa: E402
from game.vision.detector import DetectorConfig, MarkerDetector  # noqa: E402
from game.vision.geometry import mean_corner_error  # noqa: E402


class StageProfiler:
    """Exclusive thread CPU per labelled call, and the stage whose pose first verified."""

    def __init__(self, accept: float) -> None:
        self.accept = accept
        self.stack: list[list] = []  # [label, start, child time]
        self.times: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.kinds: dict[int, str] = {}  # id(pose) -> the generator that made it
        self.source: str | None = None
        self._patched: list[tuple[object, str, object]] = []

    def reset(self) -> None:
        self.times.clear()
        self.calls.clear()
        self.kinds.clear()
        self.source = None

    def wrap(self, owner: object, name: str, label: str,
             after: Callable[[tuple, dict, object], None] | None = None) -> None:
        fn = getattr(owner, name)
        prof = self

        def wrapped(*args, **kwargs):
            lab = label(args, kwargs) if callable(label) else label
            frame = [lab, time.thread_time(), 0.0]
            prof.stack.append(frame)
            try:
                out = fn(*args, **kwargs)
            finally:
                prof.stack.pop()
                total = time.thread_time() - frame[1]
                prof.times[lab] += total - frame[2]
                prof.calls[lab] += 1
                if prof.stack:
                    prof.stack[-1][2] += total
            if after is not None:
                after(args, kwargs, out)
            return out

        self._patched.append((owner, name, fn))
        setattr(owner, name, wrapped)

    def unpatch(self) -> None:
        for owner, name, fn in reversed(self._patched):
            setattr(owner, name, fn)
        self._patched.clear()

    def stage(self) -> str:
        """The innermost detector stage on the stack below the current call."""
        for lab, *_ in reversed(self.stack):
            if lab.startswith("stage:"):
                return lab[6:]
        return "?"


def install(prof: StageProfiler) -> None:
    """Wrap the detector's stages (module functions where the detector looks them up)."""
    D = MarkerDetector
    prof.wrap(D, "detect", "detect:rest")
    prof.wrap(D, "context", "context+pyramid")
    prof.wrap(detector, "brightest_block", "light:dim check")
    prof.wrap(detector, "bright_patch", "light:bright patch")
    prof.wrap(reference.ReferenceModel, "likelihoods", "cues:colour likelihoods")
    prof.wrap(detector, "cue_maps", "cues:half-size maps")

    def note_kinds(args, kwargs, out) -> None:
        for _, h, kind in out:
            prof.kinds[id(h)] = kind

    for owner, name, label in ((detector, "card_hypotheses", "hyp:card regions"),
                               (detector, "recut_card_hypotheses", "hyp:card regions cut"),
                               (detector, "ink_hypotheses", "hyp:ink blobs"),
                               (detector, "outline_hypotheses", "hyp:outlines (rest)")):
        prof.wrap(owner, name, label, after=note_kinds)
    prof.wrap(candidates, "tone_split_quads", "hyp:card tone split")
    prof.wrap(candidates, "edge_quads", "hyp:edge outlines")
    prof.wrap(candidates, "texture_quads", "hyp:busy patches")
    prof.wrap(D, "_ranked", "rank:quick score")

    def note_coarse(args, kwargs, out) -> None:
        if out is not None:
            prof.kinds[id(out[0])] = prof.kinds.get(id(args[2]), prof.stage())

    prof.wrap(D, "_coarse", "align:coarse ECC", after=note_coarse)

    def note_finish(args, kwargs, out) -> None:
        before = args[3]
        if (prof.source is None and out is not None and out[0] >= prof.accept
                and (before is None or before[0] < prof.accept)):
            st = prof.stage()
            prof.source = prof.kinds.get(id(args[2]), st) if st == "main" else st

    prof.wrap(D, "_finish", "align:fine+verify", after=note_finish)
    prof.wrap(detector, "ic_refine", "align:IC")
    prof.wrap(D, "_verified_score", "verify")
    prof.wrap(D, "_view_blur", "verify:blur bank")
    prof.wrap(D, "_colour_agreement", "verify:ink colour")
    prof.wrap(D, "_detect_once", lambda a, k: "stage:wb retry" if k.get("colour_only") else "stage:main")
    prof.wrap(D, "_shape_searched", "stage:shape")
    prof.wrap(shape_mod.ShapeMatcher, "levels", "shape:response maps")
    prof.wrap(shape_mod.ShapeMatcher, "hypotheses", "shape:search")
    prof.wrap(D, "_colour_searched", "stage:colour search")
    prof.wrap(colour_search_mod.ColourTemplateSearch, "_peaks", "colour:correlation")
    prof.wrap(D, "_featured", "stage:features")
    prof.wrap(features_mod.FeatureHypotheses, "pose", "features:match")
    prof.wrap(D, "_concluded", "stage:conclude")
    prof.wrap(D, "_unrivalled", "stage:uniqueness")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_tuning_arguments(ap, "9 views + 3 negatives per mark (default 27 + 9)")
    args = ap.parse_args()
    families = chosen_families(args.families)
    config = DetectorConfig(**parse_sets(args.set))
    cv2.setNumThreads(1)
    n_pos, n_neg = (9, 3) if args.quick else (27, 9)
    load_before = os.getloadavg()
    t0 = time.time()
    glyphs = glyph_list()
    split_marks = [m for m in make_marks() if m.split == args.split]
    pool = photos(args.split)
    prof = StageProfiler(config.accept_score)
    rows: list[dict] = []
    for mark in (m for m in split_marks if m.family in families):
        mi = split_marks.index(mark)
        pos, neg = mark_frames(mark, mi, pool, n_pos, n_neg, args.seed + SPLITS.index(args.split), glyphs)
        det = MarkerDetector(mark.image, config)
        size = (mark.image.shape[1], mark.image.shape[0])
        kind = "textured" if det.use_features else "line art"
        install(prof)
        try:
            for img, hm, mode in [(p[0], p[1], p[2]) for p in pos] + [(n[0], None, n[1]) for n in neg]:
                prof.reset()
                c0 = time.thread_time()
                d = det.detect(img)
                cpu = (time.thread_time() - c0) * 1000.0
                right = d is not None and hm is not None and mean_corner_error(d.homography, hm, *size) <= CORRECT_PX
                outcome = ("neg" if hm is None else "found" if right else "wrong" if d is not None else "missed")
                rows.append({"mark": mark.name, "family": mark.family, "kind": kind, "nuisance": mode,
                             "outcome": outcome, "cpu_ms": cpu, "source": prof.source if d is not None else None,
                             "stages": {k: v * 1000.0 for k, v in prof.times.items()}})
        finally:
            prof.unpatch()
        done = [r for r in rows if r["mark"] == mark.name]
        print(f"{mark.name:32s} {sum(r['outcome'] == 'found' for r in done)}/{len(pos)} "
              f"median {statistics.median(r['cpu_ms'] for r in done):.1f} ms", flush=True)
    result = {"command": "python " + " ".join(sys.argv),
              "machine": machine_info(loadavg_start=load_before, loadavg_end=os.getloadavg()),
              "split": args.split, "quick": args.quick, "config": parse_sets(args.set),
              "seconds": time.time() - t0, "rows": rows}
    report(rows)
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1, default=float))
    return 0


def report(rows: list[dict]) -> None:
    labels = sorted({k for r in rows for k in r["stages"]})
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in rows:
        outcome = "views" if r["outcome"] != "neg" else "negatives"
        groups[("all", outcome)].append(r)
        groups[(r["kind"], r["outcome"])].append(r)
    keys = sorted(groups)
    print()
    print(f"{'stage (mean ms / share of frames)':28s} " + " ".join(f"{k[0][:8] + ':' + k[1][:9]:>19s}" for k in keys))
    print(f"{'frames':28s} " + " ".join(f"{len(groups[k]):>19d}" for k in keys))
    print(f"{'median cpu ms':28s} " + " ".join(
        f"{statistics.median(r['cpu_ms'] for r in groups[k]):>19.1f}" for k in keys))
    print(f"{'mean cpu ms':28s} " + " ".join(f"{statistics.fmean(r['cpu_ms'] for r in groups[k]):>19.1f}" for k in keys))
    for lab in labels:
        cells = []
        for k in keys:
            rs = groups[k]
            vals = [r["stages"].get(lab, 0.0) for r in rs]
            ran = sum(lab in r["stages"] for r in rs) / len(rs)
            cells.append(f"{statistics.fmean(vals):>11.2f} /{ran:>5.0%}")
        print(f"{lab:28s} " + " ".join(f"{c:>19s}" for c in cells))
    print()
    by_source: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows:
        if r["source"] is not None:
            by_source[(r["source"], r["outcome"])] += 1
    print("detections by the stage whose pose first verified (outcome: count)")
    for src in sorted({s for s, _ in by_source}):
        print(f"  {src:24s} " + ", ".join(f"{o}: {n}" for (s, o), n in sorted(by_source.items()) if s == src))


if __name__ == "__main__":
    raise SystemExit(main())
