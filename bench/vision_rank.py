"""Where near-true hypotheses sit in the detector's ranking (issue 28, ``_ranked`` / ``_detect_once``).

For every positive view (9 per mark, the generalisation set's own frames, as ``vision_funnel.py
--quick``) the detector runs once with ``_ranked`` wrapped; the colour and outline rankings are
merged as ``_detect_once`` merges them. A hypothesis is *near* when its mean corner error is within
the funnel's reach. Per view: the funnel's stage, the number of ranked hypotheses, the six best
(score, error, generator, index after ``dedupe`` or None when dropped) and the near ones.
``--rank-iters N`` scores each (deduplicated) hypothesis by the better of its quick correlation and
the correlation after N inverse-compositional 32-px iterations (the measured alternative ranking).

Usage: python bench/vision_rank.py [--split train|val] [--rank-iters 3] --out rows.json
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter

import cv2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from machine import machine_info
from vision_funnel import REACH_FRAC, REACH_PX, Probe, funnel_view
from vision_general import SPLITS, glyph_list, make_marks, mark_frames, photos

from game.vision.align import ic_refine
from game.vision.candidates import dedupe
from game.vision.detector import DetectorConfig, MarkerDetector


class RankProbe(Probe):
    """The funnel's probe, also keeping each ranking with the generator of every hypothesis."""

    def reset(self, truth) -> None:
        super().reset(truth)
        self.calls: list[list[tuple]] = []

    def _on_ranked(self, orig, ctx, raw):
        out = orig(ctx, raw)
        if self.recording:
            self.raw += [(self.err(h), h) for _, h, _ in raw]
            kind = {id(h): k for _, h, k in raw}
            self.calls.append([(s, self.err(h), kind.get(id(h), "?"), h) for s, h in out])
        return out


def aligned_ranking(det: MarkerDetector, iters: int):
    """``det._ranked`` scoring each deduplicated hypothesis after ``iters`` IC iterations at 32 px."""
    plain = det._ranked

    def ranked(ctx, raw):
        hs = dedupe([h for _, h, _ in raw], det.ref.size, len(raw))
        keep = {id(h) for h in hs}
        out = []
        for s, h0 in plain(ctx, [t for t in raw if id(t[1]) in keep]):
            r = ic_refine(ctx.pyr, det._ic, h0, det.ref.size, (0,), iters=iters)
            out.append((max(s, r[1]) if r is not None else s, h0))
        out.sort(key=lambda t: -t[0])
        return out
    return ranked


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=["train", "val"], default="train")
    ap.add_argument("--rank-iters", type=int, default=0)
    ap.add_argument("--seed", type=int, default=28)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    cv2.setNumThreads(1)
    config = DetectorConfig()
    t0, load0 = time.time(), os.getloadavg()
    glyphs = glyph_list()
    marks = [m for m in make_marks() if m.split == args.split]
    pool = photos(args.split)
    rows = []
    for mi, mark in enumerate(marks):
        pos, _ = mark_frames(mark, mi, pool, 9, 0, args.seed + SPLITS.index(args.split), glyphs)
        det = MarkerDetector(mark.image, config)
        if args.rank_iters > 0:
            det._ranked = aligned_ranking(det, args.rank_iters)
        probe = RankProbe(det)
        for img, hm, mode, apparent in pos:
            stage = funnel_view(probe, img, hm, apparent)["stage"]
            reach = max(REACH_PX, REACH_FRAC * apparent)
            merged = sorted([t for c in probe.calls[:2] for t in c], key=lambda t: -t[0])
            kept = dedupe([t[3] for t in merged if t[0] >= config.min_quick_score], det.ref.size, len(merged))
            index = {id(h): i for i, h in enumerate(kept)}
            row = [(round(s, 3), round(min(e, 999.0), 1), k, index.get(id(h))) for s, e, k, h in merged]
            rows.append({"mark": mark.name, "family": mark.family, "nuisance": mode, "apparent": apparent,
                         "stage": stage, "n": len(merged), "top": row[:6],
                         "near": [(i, *t) for i, t in enumerate(row) if t[1] <= reach][:5]})
    miss = [r for r in rows if r["stage"] != "right" and r["near"]]
    summary = {"views": len(rows), "stages": Counter(r["stage"] for r in rows),
               "misses_with_near": len(miss),
               "near_generator": Counter(r["near"][0][3] for r in miss),
               "near_rank": sorted(r["near"][0][0] for r in miss),
               "near_dedupe_index": Counter(str(r["near"][0][4]) for r in miss),
               "near_score_median": statistics.median([r["near"][0][1] for r in miss]) if miss else None,
               "top_score_median": statistics.median([r["top"][0][0] for r in miss]) if miss else None}
    print(json.dumps(summary, indent=1))
    with open(args.out, "w") as fh:
        json.dump({"command": "python " + " ".join(sys.argv), "machine": machine_info(loadavg_start=load0,
                   loadavg_end=os.getloadavg()), "seconds": time.time() - t0, "summary": summary, "rows": rows}, fh)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
