"""Held-out vision benchmark: logos the detector was never tuned on, and nuisances bench/vision.py lacks.

bench/vision.py tunes and measures on five targets. This script reuses its scene generator and
scoring (``make_single_frames``, ``eval_single``: same poses, clutter, blur, glare, fingers,
same 5 px bar, ours against the ORB baseline) on

- ``heldout``: five marks drawn by bench/make_heldout_targets.py (bench/data/heldout), of kinds
  the bench does not contain: filled navy/black geometry, a thin green wordmark, a low-contrast
  gold outline on white, a mark on a violet card, a low-saturation grey mark;
- ``bench``: the five tuned bench targets, for the nuisance comparison;
- ``photos``: three photo-like textured targets (a landscape, a shop shelf in muted tones, a
  street at night), also from bench/make_heldout_targets.py, unlike the bench's flat-shape poster.

Nuisances (``--nuisance``, comma-separated; each is applied to the SAME rendered frames, so the
rows are paired):

- ``none``: the frames as bench/vision.py renders them;
- ``cast``: a white-balance error over the whole frame, per-channel gains in BGR, half of the
  frames warm (tungsten, up to 0.75/1.0/1.25) and half cool (daylight/shade, up to 1.2/1.0/0.8),
  at a random strength of 60-100 %;
- ``jpeg``: JPEG compression at quality 60-85 (cv2.imencode), as webcams and phone uploads do;
- ``cast+jpeg``: both (cast first, then compression);
- ``shade``: light falling off across the scene (a lamp to one side): a gain from 1.3 down to
  0.5 along a random direction over 400 px, centred on the frame;
- ``dim``: the whole frame at 0.45 of its exposure (a dim lobby, a slow auto-exposure);
- ``bright``: overexposed, 1.5 x + 10 (pale surfaces clip to white);
- ``defocus``: a Gaussian blur of sigma 1.5 px (a fixed-focus webcam, a print held too close).

Usage:  python bench/vision_heldout.py [--quick] [--set heldout|bench|photos|both|all]
        [--nuisance none,cast+jpeg] [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.machine import machine_info  # noqa: E402
from bench.vision import TARGETS as BENCH_TARGETS  # noqa: E402
from bench.vision import eval_single, load, make_single_frames  # noqa: E402

HELDOUT_DIR = ROOT / "bench/data/heldout"
HELDOUT_NAMES = ("navy-pillars", "green-thin", "gold-outline", "violet-card", "grey-knot")
PHOTO_NAMES = ("dusk-lake", "tea-market", "night-street")
NUISANCES = ("none", "cast", "jpeg", "cast+jpeg", "shade", "dim", "bright", "defocus")
WARM = np.array([0.75, 1.0, 1.25], np.float32)  # BGR gains of an uncorrected tungsten cast
COOL = np.array([1.2, 1.0, 0.8], np.float32)  # BGR gains of a bluish daylight/shade cast


def heldout_targets(names: tuple[str, ...] = HELDOUT_NAMES) -> dict[str, Path]:
    """The held-out reference paths (run bench/make_heldout_targets.py first if missing)."""
    paths = {n: HELDOUT_DIR / f"{n}.png" for n in names}
    missing = [str(p) for p in paths.values() if not p.exists()]
    if missing:
        raise SystemExit(f"missing {missing}: run python bench/make_heldout_targets.py")
    return paths


def colour_cast(img: np.ndarray, rng: np.random.Generator, warm: bool) -> np.ndarray:
    """Per-channel gains (white-balance error) at 60-100 % of the warm or cool cast."""
    full = WARM if warm else COOL
    s = np.float32(rng.uniform(0.6, 1.0))
    gains = 1.0 + s * (full - 1.0)
    return np.clip(img.astype(np.float32) * gains[None, None, :], 0, 255).astype(np.uint8)


def jpeg(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """JPEG round trip at quality 60-85."""
    q = int(rng.integers(60, 86))
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, q])
    if not ok:
        raise RuntimeError("cv2.imencode failed")
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def shade(img: np.ndarray, rng: np.random.Generator, lo: float = 0.5, hi: float = 1.3, span: float = 400.0) -> np.ndarray:
    """A gain falling from ``hi`` to ``lo`` over ``span`` px along a random direction (clamped beyond)."""
    h, w = img.shape[:2]
    a = rng.uniform(0.0, 2.0 * np.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = np.clip(((xx - w / 2) * np.cos(a) + (yy - h / 2) * np.sin(a)) / span + 0.5, 0.0, 1.0)
    gain = hi + (lo - hi) * t
    return np.clip(img.astype(np.float32) * gain[..., None], 0, 255).astype(np.uint8)


def apply_nuisance(img: np.ndarray, mode: str, rng: np.random.Generator, index: int) -> np.ndarray:
    """Apply one nuisance mode to a whole rendered frame (even indices warm, odd cool)."""
    if mode == "none":
        return img
    if mode == "shade":
        return shade(img, rng)
    if mode == "dim":
        return np.clip(img.astype(np.float32) * 0.45, 0, 255).astype(np.uint8)
    if mode == "bright":
        return np.clip(img.astype(np.float32) * 1.5 + 10.0, 0, 255).astype(np.uint8)
    if mode == "defocus":
        return cv2.GaussianBlur(img, (0, 0), 1.5)
    out = img
    if "cast" in mode:
        out = colour_cast(out, rng, warm=index % 2 == 0)
    if "jpeg" in mode:
        out = jpeg(out, rng)
    return out


def with_nuisance(frames: dict[str, dict[str, list]], mode: str, seed: int) -> dict[str, dict[str, list]]:
    """The same frames with ``mode`` applied (ground truth unchanged); seeded per target and mode."""
    out: dict[str, dict[str, list]] = {}
    for ti, (name, fr) in enumerate(frames.items()):
        rng = np.random.default_rng((seed, ti, NUISANCES.index(mode)))
        pos = [(apply_nuisance(img, mode, rng, i), hm) for i, (img, hm) in enumerate(fr["pos"])]
        neg = [apply_nuisance(img, mode, rng, i) for i, img in enumerate(fr["neg"])]
        out[name] = {"pos": pos, "neg": neg}
    return out


def run_set(label: str, refs: dict[str, np.ndarray], modes: list[str], n_pos: int, n_neg: int,
            seed: int) -> dict[str, dict]:
    """Evaluate every target of one set under every nuisance mode; print a table row per target."""
    t0 = time.perf_counter()
    frames = make_single_frames(refs, n_pos, n_neg, seed)
    print(f"[{label}] rendered {len(refs)} x ({n_pos} + {n_neg}) frames in {time.perf_counter() - t0:.1f} s",
          flush=True)
    result: dict[str, dict] = {}
    for mode in modes:
        fr = with_nuisance(frames, mode, seed)
        per: dict[str, dict] = {}
        pooled = {lab: {"ok": 0, "n": 0, "wrong": 0, "fp": 0, "nn": 0, "errs": [], "ms": []}
                  for lab in ("ours", "baseline")}
        for name, ref in refs.items():
            r = eval_single(name, ref, fr[name])
            for lab in ("ours", "baseline"):
                p = pooled[lab]
                errs = r[lab].pop("errs")
                all_ms = r[lab].pop("all_ms")
                r[lab]["median_ms"] = statistics.median(all_ms)
                p["ms"] += all_ms
                p["ok"] += len(errs)
                p["errs"] += errs
                p["n"] += r[lab]["n_pos"]
                p["wrong"] += round(r[lab]["wrong_pose_rate"] * r[lab]["n_pos"])
                p["fp"] += round(r[lab]["false_positive_rate"] * r[lab]["n_neg"])
                p["nn"] += r[lab]["n_neg"]
            per[name] = r
            print(f"[{label}/{mode}] {row(name, r['ours'], r['baseline'])}", flush=True)
        summary = {}
        for lab, p in pooled.items():
            summary[lab] = {"recall": p["ok"] / max(1, p["n"]),
                            "mean_corner_err_px": float(np.mean(p["errs"])) if p["errs"] else None,
                            "wrong_pose_rate": p["wrong"] / max(1, p["n"]),
                            "false_positive_rate": p["fp"] / max(1, p["nn"]),
                            "fp": p["fp"], "n_neg": p["nn"],
                            "median_ms": statistics.median(p["ms"]) if p["ms"] else None}
        print(f"[{label}/{mode}] {row('ALL', summary['ours'], summary['baseline'])}", flush=True)
        result[mode] = {"per_target": per, "summary": summary}
    return result


def row(name: str, o: dict, b: dict) -> str:
    """One markdown table row: recall / corner err / wrong / fp / ms for ours and the baseline."""
    def cells(r: dict) -> str:
        err = r.get("mean_corner_err_px")
        ms = r.get("median_ms")
        return (f"{r['recall']:.3f} | {'-' if err is None else f'{err:.2f}'} | {r['wrong_pose_rate']:.3f} | "
                f"{r['false_positive_rate']:.3f} | {'-' if ms is None else f'{ms:.1f}'}")
    return f"| {name} | {cells(o)} | {cells(b)} |"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="30 positives + 30 negatives per target")
    ap.add_argument("--set", choices=("heldout", "bench", "photos", "both", "all"), default="heldout",
                    help="both = heldout + bench; all = heldout + bench + photos")
    ap.add_argument("--nuisance", default="none,cast+jpeg", help=f"comma-separated subset of {NUISANCES}")
    ap.add_argument("--seed", type=int, default=23, help="scene seed (bench/vision.py uses 7)")
    ap.add_argument("--targets", default="", help="comma-separated name prefixes to keep (scenes are seeded by "
                    "the target's position, so a subset gets different frames than the full set)")
    ap.add_argument("--out", default="", help="write the full results as JSON here")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    modes = [m.strip() for m in args.nuisance.split(",") if m.strip()]
    bad = [m for m in modes if m not in NUISANCES]
    if bad:
        raise SystemExit(f"unknown nuisance {bad}; use {NUISANCES}")
    n_pos, n_neg = (30, 30) if args.quick else (80, 150)
    sets: dict[str, dict[str, Path]] = {}
    if args.set in ("heldout", "both", "all"):
        sets["heldout"] = heldout_targets()
    if args.set in ("bench", "both", "all"):
        sets["bench"] = dict(BENCH_TARGETS)
    if args.set in ("photos", "all"):
        sets["photos"] = heldout_targets(PHOTO_NAMES)
    print("| target | ours recall | ours err px | ours wrong | ours fp | ours ms | base recall | base err px | "
          "base wrong | base fp | base ms |")
    out: dict[str, dict] = {"command": " ".join(sys.argv), "opencv": cv2.__version__, "threads": 1,
                            "n_pos": n_pos, "n_neg": n_neg, "seed": args.seed}
    t0 = time.perf_counter()
    for label, paths in sets.items():
        refs = {k: load(p) for k, p in paths.items()}
        if args.targets:
            keep = [t.strip() for t in args.targets.split(",")]
            refs = {k: v for k, v in refs.items() if any(k.startswith(s) for s in keep)}
        out[label] = run_set(label, refs, modes, n_pos, n_neg, args.seed)
    out["seconds"] = time.perf_counter() - t0
    out["machine"] = machine_info(threads=1)
    if args.out:
        Path(args.out).write_text(json.dumps(out, indent=2))
        print(f"wrote {args.out}")
    print(f"done in {out['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
