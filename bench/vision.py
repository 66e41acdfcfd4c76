"""Vision benchmark: our MarkerDetector/MarkerTracker against the OpenCV sample pipeline.

The baseline is the pipeline of OpenCV's samples/python/plane_tracker.py: ORB (1000 features),
2-NN Hamming matching with Lowe's ratio test (0.75), at least 10 matches, RANSAC homography
(3 px) and at least 10 inliers. Both run on the same frames in the same process, on one core
(cv2.setNumThreads(1)).

Scenes are made here, seeded: the campaign logo, three more targets of our own design
(bench/data: lantern, medallion, kite wordmark) and one textured poster, each at random handheld
poses inside the envelope (8-40 cm wide print, 30-150 cm away, 65 deg HFOV, tilt <= 50 deg,
roll <= 40 deg), over cluttered backgrounds with red distractors, with exposure changes, motion
blur, noise, glare and fingers. Negatives are frames with no target, half of them showing one of
the OTHER targets (similar red line art) instead.

Usage:  python bench/vision.py [--quick] [--out bench/results/vision.json]
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
from game.vision import MarkerDetector, MarkerTracker  # noqa: E402
from game.vision.geometry import mean_corner_error, project, ref_corners  # noqa: E402
from game.vision.synthetic import (  # noqa: E402
    HandheldScene,
    clutter_background,
    random_effects,
    random_pose,
    render,
)

TARGETS = {
    "campaign-rabbit": ROOT / "assets/campaigns/jade-rabbit-chongqing/logo.png",
    "lantern": ROOT / "bench/data/lantern.png",
    "medallion": ROOT / "bench/data/medallion.png",
    "kite-wordmark": ROOT / "bench/data/kite-wordmark.png",
    "poster (textured)": ROOT / "bench/data/poster.png",
}
TEXTURED = "poster (textured)"
FRAME = (640, 480)
CORRECT_PX = 5.0


class FeatureBaseline:
    """Local features + Lowe's ratio test (0.75) + RANSAC (3 px), at least 10 matches and 10 inliers.

    The pipeline of OpenCV's samples/python/plane_tracker.py, reduced to one target; ``features``
    is any cv2.Feature2D (ORB with Hamming distance, SIFT with L2).
    """

    def __init__(self, reference_bgr: np.ndarray, features: cv2.Feature2D, norm: int) -> None:
        self.features = features
        self.matcher = cv2.BFMatcher(norm)
        self.kps, self.des = features.detectAndCompute(cv2.cvtColor(reference_bgr, cv2.COLOR_BGR2GRAY), None)
        self.size = (reference_bgr.shape[1], reference_bgr.shape[0])

    def detect(self, frame_bgr: np.ndarray) -> np.ndarray | None:
        kps, des = self.features.detectAndCompute(cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY), None)
        if des is None or len(kps) < 10 or self.des is None or len(self.kps) < 2:
            return None
        pairs = self.matcher.knnMatch(des, self.des, k=2)
        good = [m[0] for m in pairs if len(m) == 2 and m[0].distance < 0.75 * m[1].distance]
        if len(good) < 10:
            return None
        p0 = np.float32([self.kps[m.trainIdx].pt for m in good])
        p1 = np.float32([kps[m.queryIdx].pt for m in good])
        h, status = cv2.findHomography(p0, p1, cv2.RANSAC, 3.0)
        if h is None or status is None or int(status.sum()) < 10:
            return None
        return h


class OrbBaseline(FeatureBaseline):
    """samples/python/plane_tracker.py: ORB (1000 features) + ratio test + RANSAC."""

    def __init__(self, reference_bgr: np.ndarray) -> None:
        super().__init__(reference_bgr, cv2.ORB_create(nfeatures=1000), cv2.NORM_HAMMING)


class SiftBaseline(FeatureBaseline):
    """SIFT + ratio test + RANSAC."""

    def __init__(self, reference_bgr: np.ndarray) -> None:
        super().__init__(reference_bgr, cv2.SIFT_create(), cv2.NORM_L2)


def load(path: Path) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise SystemExit(f"cannot read {path}")
    return img


def positive_view(ref: np.ndarray, rng: np.random.Generator,
                  size: tuple[int, int] = FRAME) -> tuple[np.ndarray, np.ndarray]:
    """One view of ``ref`` on clutter with red distractors, and its true homography (the next from ``rng``)."""
    bg = clutter_background(rng, size, red_distractors=int(rng.integers(3, 10)))
    _, hm = random_pose(rng, (ref.shape[1], ref.shape[0]), size)
    return render(ref, hm, bg, random_effects(rng), rng), hm


def make_single_frames(refs: dict[str, np.ndarray], n_pos: int, n_neg: int, seed: int,
                       size: tuple[int, int] = FRAME) -> dict[str, dict[str, list]]:
    """Positive frames (with ground truth) and negatives per target."""
    names = list(refs)
    out: dict[str, dict[str, list]] = {}
    for ti, name in enumerate(names):
        ref = refs[name]
        rng = np.random.default_rng((seed, ti))
        pos = [positive_view(ref, rng, size) for _ in range(n_pos)]
        neg = []
        for i in range(n_neg):
            bg = clutter_background(rng, size, red_distractors=int(rng.integers(3, 12)))
            if i % 2 == 1:  # another target in view instead of ours
                other = refs[names[(ti + 1 + (i // 2) % (len(names) - 1)) % len(names)]]
                _, hm = random_pose(rng, (other.shape[1], other.shape[0]), size)
                neg.append(render(other, hm, bg, random_effects(rng), rng))
            else:
                neg.append(render(ref, None, bg, random_effects(rng), rng))
        out[name] = {"pos": pos, "neg": neg}
    return out


def ms(f, *a):
    t0 = time.perf_counter()
    r = f(*a)
    return r, (time.perf_counter() - t0) * 1000.0


def eval_single(name: str, ref: np.ndarray, frames: dict[str, list]) -> dict[str, dict]:
    rsize = (ref.shape[1], ref.shape[0])
    ours = MarkerDetector(ref)
    base = OrbBaseline(ref)
    res = {}
    for label, fn in (("ours", lambda f: (lambda d: None if d is None else d.homography)(ours.detect(f))),
                      ("baseline", base.detect)):
        errs, times, wrong, fp = [], [], 0, 0
        for img, hm in frames["pos"]:
            h, t = ms(fn, img)
            times.append(t)
            if h is None:
                continue
            e = mean_corner_error(h, hm, *rsize)
            if e <= CORRECT_PX:
                errs.append(e)
            else:
                wrong += 1
        neg_times = []
        for img in frames["neg"]:
            h, t = ms(fn, img)
            neg_times.append(t)
            fp += h is not None
        n = len(frames["pos"])
        res[label] = {
            "recall": len(errs) / max(1, n),
            "mean_corner_err_px": float(np.mean(errs)) if errs else None,
            "wrong_pose_rate": wrong / max(1, n),
            "false_positive_rate": fp / max(1, len(frames["neg"])),
            "n_pos": n, "n_neg": len(frames["neg"]),
            "median_ms_pos": statistics.median(times), "median_ms_neg": statistics.median(neg_times),
            "all_ms": times + neg_times,
            "errs": errs,
        }
    return res


def corners_of(h: np.ndarray, rsize: tuple[int, int]) -> np.ndarray:
    return project(h, ref_corners(*rsize))


def eval_tracking(ref: np.ndarray, n_frames: int, seed: int) -> dict:
    """Handheld sequence with dropouts: loss, track time, lag, re-acquisition; still: jitter."""
    rsize = (ref.shape[1], ref.shape[0])
    det = MarkerDetector(ref)
    scene = HandheldScene(ref, FRAME, 30.0, seed, "handheld", dropouts=True)
    trk = MarkerTracker(det)
    visible = lost = wrong = held_hidden = 0
    track_ms, detect_ms = [], []
    est, truth_c, idx_ok = [], [], []
    reacq: list[int] = []
    since_back: int | None = None
    prev_visible = True
    for i in range(n_frames):
        img, hm = scene.render(i)
        was_tracking = trk.tracking
        d, t = ms(trk.update, img, i / 30.0)
        (track_ms if was_tracking and d is not None and d.mode == "track" else detect_ms).append(t)
        if hm is None:
            held_hidden += d is not None
            prev_visible = False
            continue
        if not prev_visible:
            since_back = 0
        prev_visible = True
        visible += 1
        ok = d is not None and mean_corner_error(d.homography, hm, *rsize) <= CORRECT_PX * 2
        if d is None:
            lost += 1
        elif not ok:
            wrong += 1
        if since_back is not None:
            if ok and d is not None and d.mode != "hold":
                reacq.append(since_back)
                since_back = None
            else:
                since_back += 1
        if d is not None:
            est.append(corners_of(d.homography, rsize))
            truth_c.append(corners_of(hm, rsize))
            idx_ok.append(i)
    if since_back is not None:
        reacq.append(since_back)
    lag = estimate_lag(np.array(est), np.array(truth_c), np.array(idx_ok))
    # Still target: jitter = std over time of each smoothed corner coordinate (after warm-up).
    still = HandheldScene(ref, FRAME, 30.0, seed + 1000, "still")
    trk2 = MarkerTracker(det)
    cs = []
    n_still = max(60, n_frames // 3)
    for i in range(n_still):
        img, _ = still.render(i)
        d = trk2.update(img, i / 30.0)
        if d is not None and i >= 15:
            cs.append(d.corners.astype(np.float64))
    jitter = float(np.mean(np.std(np.array(cs), axis=0))) if len(cs) > 10 else None
    return {
        "frames": n_frames, "visible_frames": visible,
        "loss_rate": lost / max(1, visible), "wrong_pose_rate": wrong / max(1, visible),
        "held_while_hidden": held_hidden,
        "median_track_ms": statistics.median(track_ms) if track_ms else None,
        "track_frames": len(track_ms),
        "median_redetect_ms": statistics.median(detect_ms) if detect_ms else None,
        "lag_frames": lag, "reacquire_frames": reacq,
        "jitter_px": jitter, "still_frames_tracked": len(cs), "still_frames": n_still - 15,
    }


def estimate_lag(est: np.ndarray, truth: np.ndarray, idx: np.ndarray) -> float | None:
    """The delay (frames, 0.05 steps) that best aligns the estimated corners with the truth."""
    if len(est) < 30:
        return None
    tv = truth.reshape(len(truth), -1)
    ev = est.reshape(len(est), -1)
    best, best_lag = None, None
    for lag in np.arange(-2.0, 4.0001, 0.05):
        # estimate at frame i ~ truth at frame i - lag (interpolated on the tracked frames)
        tq = idx - lag
        valid = (tq >= idx[0]) & (tq <= idx[-1])
        if valid.sum() < 20:
            continue
        interp = np.stack([np.interp(tq[valid], idx, tv[:, k]) for k in range(tv.shape[1])], 1)
        err = float(np.mean(np.linalg.norm((ev[valid] - interp).reshape(-1, 4, 2), axis=2)))
        if best is None or err < best:
            best, best_lag = err, float(lag)
    return best_lag


def eval_720p(ref: np.ndarray, n: int, seed: int) -> dict:
    det = MarkerDetector(ref)
    rsize = (ref.shape[1], ref.shape[0])
    rng = np.random.default_rng((seed, 720))
    size = (1280, 720)
    times, ok = [], 0
    for _ in range(n):
        bg = clutter_background(rng, size)
        _, hm = random_pose(rng, rsize, size)
        img = render(ref, hm, bg, random_effects(rng), rng, supersample=1)
        d, t = ms(det.detect, img)
        times.append(t)
        # 720p errors are judged at 640-equivalent pixels
        if d is not None and mean_corner_error(d.homography, hm, *rsize) * 0.5 <= CORRECT_PX:
            ok += 1
    return {"frames": n, "recall": ok / n, "median_detect_ms": statistics.median(times)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller run (~1 min)")
    ap.add_argument("--out", default=str(ROOT / "bench/results/vision.json"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--targets", default="", help="comma-separated subset of target names")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    n_pos, n_neg, n_track = (30, 60, 150) if args.quick else (80, 150, 300)
    refs = {k: load(p) for k, p in TARGETS.items()}
    if args.targets:
        keep = [t.strip() for t in args.targets.split(",")]
        refs = {k: v for k, v in refs.items() if any(k.startswith(s) for s in keep)}
    t_start = time.perf_counter()
    frames = make_single_frames(refs, n_pos, n_neg, args.seed)
    print(f"rendered scenes in {time.perf_counter() - t_start:.1f} s", flush=True)
    per_target: dict[str, dict] = {}
    all_ms = {"ours": [], "baseline": []}
    pooled = {"ours": {"ok": 0, "n": 0, "fp": 0, "nn": 0, "errs": []},
              "baseline": {"ok": 0, "n": 0, "fp": 0, "nn": 0, "errs": []}}
    for name, ref in refs.items():
        r = eval_single(name, ref, frames[name])
        for lab in ("ours", "baseline"):
            all_ms[lab] += r[lab].pop("all_ms")
            errs = r[lab].pop("errs")
            p = pooled[lab]
            p["ok"] += len(errs)
            p["n"] += r[lab]["n_pos"]
            p["fp"] += round(r[lab]["false_positive_rate"] * r[lab]["n_neg"])
            p["nn"] += r[lab]["n_neg"]
            p["errs"] += errs
        print(f"{name:>18}: ours recall {r['ours']['recall']:.3f} fp {r['ours']['false_positive_rate']:.3f} "
              f"{r['ours']['median_ms_pos']:.1f} ms | baseline recall {r['baseline']['recall']:.3f} "
              f"fp {r['baseline']['false_positive_rate']:.3f} {r['baseline']['median_ms_pos']:.1f} ms", flush=True)
        per_target[name] = r
    tracking: dict[str, dict] = {}
    for ti, (name, ref) in enumerate(refs.items()):
        tr = eval_tracking(ref, n_track, args.seed * 100 + ti)
        tracking[name] = tr
        print(f"{name:>18}: track loss {tr['loss_rate']:.3f} wrong {tr['wrong_pose_rate']:.3f} "
              f"track {tr['median_track_ms']} ms lag {tr['lag_frames']} reacq {tr['reacquire_frames']} "
              f"jitter {tr['jitter_px']}", flush=True)
    hd = eval_720p(next(iter(refs.values())), 15 if args.quick else 40, args.seed)
    print(f"720p: recall {hd['recall']:.3f} median detect {hd['median_detect_ms']:.1f} ms", flush=True)

    def summary(lab: str) -> dict:
        p = pooled[lab]
        return {"recall": p["ok"] / max(1, p["n"]),
                "mean_corner_err_px": float(np.mean(p["errs"])) if p["errs"] else None,
                "false_positive_rate": p["fp"] / max(1, p["nn"]),
                "median_detect_ms": statistics.median(all_ms[lab]),
                "textured_recall": per_target.get(TEXTURED, {}).get(lab, {}).get("recall")}

    trs = list(tracking.values())
    track_ms = [t["median_track_ms"] for t in trs if t["median_track_ms"] is not None]
    reacq = [x for t in trs for x in t["reacquire_frames"]]
    lags = [t["lag_frames"] for t in trs if t["lag_frames"] is not None]
    jit = [t["jitter_px"] for t in trs if t["jitter_px"] is not None]
    vis = sum(t["visible_frames"] for t in trs)
    result = {
        "command": "python bench/vision.py" + (" --quick" if args.quick else ""),
        "machine": machine_info(threads=1, loadavg=os.getloadavg()),
        "frame": list(FRAME), "correct_px": CORRECT_PX,
        "summary": {
            "ours": summary("ours") | {
                "median_track_ms": statistics.median(track_ms) if track_ms else None,
                "tracking_loss_rate": sum(t["loss_rate"] * t["visible_frames"] for t in trs) / max(1, vis),
                "tracking_wrong_rate": sum(t["wrong_pose_rate"] * t["visible_frames"] for t in trs) / max(1, vis),
                "jitter_px_max": max(jit) if jit else None,
                "lag_frames_max": max(lags) if lags else None,
                "reacquire_frames_max": max(reacq) if reacq else None,
                "detect_720p_median_ms": hd["median_detect_ms"], "recall_720p": hd["recall"],
            },
            "baseline": summary("baseline"),
        },
        "per_target": per_target,
        "tracking": tracking,
        "hd_720p": hd,
        "seconds": time.perf_counter() - t_start,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    s = result["summary"]
    print(json.dumps(s, indent=2))
    print(f"wrote {out} in {result['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
