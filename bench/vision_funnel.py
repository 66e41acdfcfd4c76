"""Where the detector loses a view: a stage-by-stage funnel over bench/vision_general.py's views.

For every positive view of a split (the generalisation set's own frames, from
``vision_general.mark_frames``) the detector runs once, as in the bench, with its stages wrapped
(no debug code in the detector) to record the mean corner error (frame px) of

- ``kinds``: the best hypothesis error of each generator (card, moments, ink, edge, prior, colour,
  features, region_features, shape), summed up per size band as ``generators_by_size``;
- ``raw``: the best pose hypothesis of any generator (regions, edges, ink, priors, colour search,
  local features and the shape matcher; the shape matcher's poses are computed for every view,
  also when the detector did not need them);
- ``coarse``: the best pose after the coarse (32-px ECC) alignment, among those the run made;
- ``fine``: the best pose the run verified (after a fine alignment), with its verification score;
- ``cf_*``: the coarse and fine alignment (and score) from the best raw hypothesis, counterfactually;
- ``truth``: the verification score of the true pose after a fine alignment from it (what
  verification says of the near-true pose, against ``accept_score``);
- ``outcome``: right (<= 5 px), wrong pose, or missed.

A missed view is put at the first stage that lost it:
``hyp`` (no hypothesis within reach: raw error > max(REACH_PX, REACH_FRAC x apparent size)),
``rank`` (the coarse and fine alignment from the best hypothesis would have verified within 5 px,
but the run did not align it),
``coarse`` (from the best hypothesis, the coarse alignment does not come within reach),
``fine`` (it does, and the fine alignment does not come within 5 px),
``verify`` (a pose within 5 px scored below accept_score),
``conclude`` (a pose within 5 px verified, and the conclusion, turn choice or uniqueness check refused it).

Usage: python bench/vision_funnel.py [--split train|val] [--quick] [--families seal,ring]
                                     [--set knob=value ...] [--out bench/results/vision_funnel_val.json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.machine import machine_info  # noqa: E402
from bench.vision_general import (  # noqa: E402
    CORRECT_PX,
    add_tuning_arguments,
    chosen_families,
    mark_frames,
    parse_sets,
    size_band,
)
from bench.vision_general_marks import SPLITS, glyph_list, make_marks, photos  # noqa: E402
from game.vision import MarkerDetector  # noqa: E402
from game.vision.align import ic_refine  # noqa: E402
from game.vision.detector import DetectorConfig  # noqa: E402
from game.vision.geometry import long_side, mean_corner_error, project, ref_corners  # noqa: E402

REACH_PX = 10.0  # a hypothesis this close (mean corner error) counts as within alignment's reach ...
REACH_FRAC = 0.15  # ... or this close relative to the view's apparent size
STAGES = ("right", "wrong", "hyp", "rank", "coarse", "fine", "verify", "conclude")


class Probe:
    """Wraps one detector's stages and records the poses passing through them for one frame."""

    def __init__(self, det: MarkerDetector) -> None:
        self.det = det
        self.reset(None)
        self._wrap("_ranked", self._on_ranked)
        self._wrap("_coarse", self._on_coarse)
        self._wrap("_verified_score", self._on_verified)
        for name in ("_features", "_region_features"):
            gen = getattr(det, name, None)
            if gen is not None:
                orig = gen.pose
                gen.pose = lambda *a, _o=orig, _n=name, **k: self._note_raw(_o(*a, **k), _n.strip("_"))
        if getattr(det, "_colour_search", None) is not None:
            cs = det._colour_search
            orig_cs = cs.hypotheses
            cs.hypotheses = lambda *a, **k: self._note_many(orig_cs(*a, **k))

    def reset(self, truth: np.ndarray | None) -> None:
        self.truth = truth
        self.raw: list[tuple[float, np.ndarray]] = []
        self.kinds: dict[str, float] = {}  # best error of each generator
        self.coarse: list[float] = []
        self.verified: list[tuple[float, float]] = []  # (error, score)
        self.recording = True

    def err(self, h: np.ndarray | None) -> float:
        """Mean corner error against the truth, or against a turn of it the mark matches itself under."""
        if h is None or self.truth is None:
            return math.inf
        return min(self.errs(h))

    def errs(self, h: np.ndarray) -> list[float]:
        """Errors against the truth first, then against its self-matching turns (``h_true @ ref_h``)."""
        assert self.truth is not None
        out = []
        for t in [self.truth, *(self.truth @ m.ref_h for m in self.det._self_matches)]:
            e = mean_corner_error(h, t, *self.det.ref.size)
            out.append(e if math.isfinite(e) else math.inf)
        return out

    def _wrap(self, name: str, hook) -> None:
        orig = getattr(self.det, name)
        setattr(self.det, name, lambda *a, **k: hook(orig, *a, **k))

    def note(self, h: np.ndarray, kind: str) -> None:
        e = self.err(h)
        self.raw.append((e, h))
        self.kinds[kind] = min(e, self.kinds.get(kind, math.inf))

    def _note_raw(self, h, kind):
        if self.recording and h is not None:
            self.note(h, kind)
        return h

    def _note_many(self, scored):
        if self.recording:
            for _, h in scored:
                self.note(h, "colour")
        return scored

    def _on_ranked(self, orig, ctx, raw):
        if self.recording:
            for _, h, kind in raw:
                self.note(h, kind)
        return orig(ctx, raw)

    def _on_coarse(self, orig, ctx, h0):
        res = orig(ctx, h0)
        if self.recording and res is not None:
            self.coarse.append(self.err(res[0]))
        return res

    def _on_verified(self, orig, ctx, h, *a, **k):
        s = orig(ctx, h, *a, **k)
        if self.recording:
            self.verified.append((self.err(h), s))
        return s


def raw_shape(det: MarkerDetector, truth: np.ndarray, h: np.ndarray | None) -> dict:
    """How the best raw hypothesis is off: centre shift (share of the size), scale ratio, turn (deg)."""
    if h is None:
        return {"raw_shift": None, "raw_scale": None, "raw_turn": None}
    c = ref_corners(*det.ref.size)
    qt, qh = project(truth, c), project(h, c)
    size = long_side(qt)
    shift = float(np.linalg.norm(qh.mean(0) - qt.mean(0))) / size
    area = abs(cv2.contourArea(qh.astype(np.float32))) / max(1e-6, abs(cv2.contourArea(qt.astype(np.float32))))
    et, eh = qt - qt.mean(0), qh - qh.mean(0)  # turn: best rotation between the centred quads
    ang = math.degrees(math.atan2(float((et[:, 0] * eh[:, 1] - et[:, 1] * eh[:, 0]).sum()), float((et * eh).sum())))
    return {"raw_shift": shift, "raw_scale": math.sqrt(area), "raw_turn": ang}


def funnel_view(probe: Probe, img: np.ndarray, truth: np.ndarray, apparent: float) -> dict:
    det = probe.det
    cfg = det.config
    probe.reset(truth)
    ctx = det.context(img)
    found = det.detect_ctx(ctx)
    probe.recording = False
    shape = det._shape
    if shape is not None:  # the shape matcher's poses, also where the run did not need them
        hs = shape.hypotheses(shape.levels(ctx.pyr, ctx.search_scale), top=cfg.shape_hypotheses)
        for _, h in hs:
            probe.note(h, "shape")
    # Verification of the near-true pose: the fine alignment from the truth, then the score.
    res = ic_refine(ctx.pyr, det._ic, truth, det.ref.size, (1,), iters=cfg.fine_iters)
    truth_score = det._verified_score(ctx, res[0]) if res is not None else 0.0
    truth_err = probe.err(res[0]) if res is not None else math.inf
    err = probe.errs(found.homography)[0] if found is not None else math.inf
    raw, h_raw = min(probe.raw, key=lambda t: t[0], default=(math.inf, None))
    # Counterfactual: the detector's coarse and fine alignment from the best raw hypothesis.
    cf_coarse = cf_fine = math.inf
    cf_score = 0.0
    if h_raw is not None:
        c = det._coarse(ctx, h_raw)
        start = c[0] if c is not None and c[1] >= cfg.min_coarse_cc else h_raw
        cf_coarse = probe.err(c[0]) if c is not None else math.inf
        f = ic_refine(ctx.pyr, det._ic, start, det.ref.size, (1,), iters=cfg.fine_iters)
        if f is not None:
            cf_fine, cf_score = probe.err(f[0]), det._verified_score(ctx, f[0])
    coarse = min(probe.coarse, default=math.inf)
    near = [s for e, s in probe.verified if e <= CORRECT_PX]
    fine = min((e for e, _ in probe.verified), default=math.inf)
    reach = max(REACH_PX, REACH_FRAC * apparent)
    if found is not None:
        stage = "right" if err <= CORRECT_PX else "wrong"
    elif raw > reach:
        stage = "hyp"
    elif fine > CORRECT_PX and cf_fine <= CORRECT_PX and cf_score >= cfg.accept_score:
        stage = "rank"  # aligning the best hypothesis would have verified: it was not aligned
    elif fine > CORRECT_PX and cf_coarse > reach:
        stage = "coarse"
    elif fine > CORRECT_PX:
        stage = "fine"
    elif not near or max(near) < cfg.accept_score:
        stage = "verify"
    else:
        stage = "conclude"
    return {**raw_shape(det, truth, h_raw), "raw_err": raw, "coarse_err": coarse, "cf_coarse_err": cf_coarse, "cf_fine_err": cf_fine,
            "cf_score": cf_score, "turn_err": err if found is None else min(probe.errs(found.homography)), "fine_err": fine,
            "near_score": max(near, default=None), "truth_score": truth_score, "truth_fit_err": truth_err,
            "err": err if found is not None else None, "stage": stage,
            "kinds": {k: v for k, v in probe.kinds.items() if math.isfinite(v)}}


def summary(rows: list[dict], key: str) -> dict:
    out: dict = {}
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups[r[key]].append(r)
    for k, rs in sorted(groups.items()):
        c = Counter(r["stage"] for r in rs)
        acc = [r for r in rs if r["truth_score"] >= r["accept"]]
        out[k] = {"n": len(rs), **{s: c.get(s, 0) for s in STAGES},
                  "truth_verifies": len(acc) / max(1, len(rs))}
    return out


def generators(rows: list[dict]) -> dict:
    """Per size band: views, and per generator the views where it put a hypothesis within reach."""
    out: dict = {}
    for band in sorted({r["size"] for r in rows}):
        rs = [r for r in rows if r["size"] == band]
        near: Counter = Counter()
        for r in rs:
            reach = max(REACH_PX, REACH_FRAC * r["apparent"])
            near.update(k for k, e in r["kinds"].items() if e <= reach)
        out[band] = {"n": len(rs), "hyp": sum(r["stage"] == "hyp" for r in rs), **dict(sorted(near.items()))}
    return out


def table(s: dict, name: str) -> str:
    lines = [f"{name:12s} {'n':>4s} " + " ".join(f"{x:>8s}" for x in STAGES) + "  truth>=acc"]
    for k, c in s.items():
        lines.append(f"{k:12s} {c['n']:>4d} " + " ".join(f"{c[x]:>8d}" for x in STAGES)
                     + f"  {c['truth_verifies']:>9.2f}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_tuning_arguments(ap, "9 views per mark (default 27)")
    args = ap.parse_args()
    families = chosen_families(args.families)
    config = DetectorConfig(**parse_sets(args.set))
    cv2.setNumThreads(1)
    n_pos = 9 if args.quick else 27
    t0, load0 = time.time(), os.getloadavg()
    glyphs = glyph_list()
    split_marks = [m for m in make_marks() if m.split == args.split]
    pool = photos(args.split)
    rows = []
    for mark in split_marks:
        if mark.family not in families:
            continue
        mi = split_marks.index(mark)
        pos, _ = mark_frames(mark, mi, pool, n_pos, 0, args.seed + SPLITS.index(args.split), glyphs)
        probe = Probe(MarkerDetector(mark.image, config))
        for img, hm, mode, apparent in pos:
            r = funnel_view(probe, img, hm, apparent)
            rows.append({"mark": mark.name, "family": mark.family, "nuisance": mode, "size": size_band(apparent),
                         "apparent": apparent, "accept": config.accept_score, **r})
        mine = Counter(r["stage"] for r in rows if r["mark"] == mark.name)
        print(f"{mark.name:28s} " + " ".join(f"{s}={mine[s]}" for s in STAGES if mine[s]), flush=True)
    rows_all = [dict(r, all="all") for r in rows]
    result = {"command": "python " + " ".join(sys.argv), "split": args.split, "quick": args.quick,
              "machine": machine_info(loadavg_start=load0, loadavg_end=os.getloadavg()),
              "config": parse_sets(args.set), "reach": [REACH_PX, REACH_FRAC],
              "overall": summary(rows_all, "all"), "by_family": summary(rows, "family"),
              "by_nuisance": summary(rows, "nuisance"), "by_size": summary(rows, "size"),
              "generators_by_size": generators(rows), "seconds": time.time() - t0, "rows": rows}
    print()
    for key, name in (("overall", "all"), ("by_family", "family"), ("by_nuisance", "nuisance"), ("by_size", "size")):
        print(table(result[key], name))
        print()
    print("views with a hypothesis within reach, by generator and size:")
    for band, c in result["generators_by_size"].items():
        print(f"{band:12s} " + " ".join(f"{k}={v}" for k, v in c.items()))
    print()
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1, default=lambda x: None if x is None else float(x)))
    print(f"{len(rows)} views, split {args.split}, {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
