"""Scan benchmark: the AR hunt scene at 1920×1080 logical over a 640×480 synthetic camera at 30 fps.

- ``frame_p50_ms`` / ``frame_p95_ms``: the frame's wall time (input, hunt update, drawing the
  camera frame, the figure, the HUD, and the present) while capture, detection and tracking run in
  their own threads. The loop is paced at 60 Hz like the real client (SDL dummy video driver, no GPU);
  the pacing sleep is not part of a frame's time (``frame_period_*`` is the loop's period with it).
- ``frame_cpu_p50_ms`` / ``frame_cpu_p95_ms``: the same frames in the main thread's CPU time
  (``time.thread_time``), which other processes on a shared machine cannot inflate the way they
  inflate wall time (the present on the dummy driver is a software copy of the 1080p canvas).
- ``latency_frames``: from the moment the vision worker takes a camera frame to the loop frame that
  draws it with its overlay, in 60 Hz loop frames (median; p95 alongside). A camera frame also
  waits up to one camera period (33 ms) in the capture slot before the worker takes it.
- ``overlay_err_p95_px``: the figure's anchor against the synthetic ground truth (camera px), every
  frame rendered in order (``game.scan.accuracy``).
- ``vision_ms_by_targets``: per-frame vision cost with 1, 4 and 16 poster targets, the logo's
  tracker included in each: the frame's ORB features are computed once and queried against one
  LSH index of all targets, so the cost does not grow linearly with the number of targets. It is
  measured as if the poster search ran on every frame (the scene runs it on every third), in wall
  time; ``vision_cpu_ms_by_targets`` is the same in process CPU time (OpenCV's own threads included).
  ``scene.worker_cpu_p50_ms`` is the vision worker thread's CPU per camera frame inside the scene.
Timings on a shared 2-core machine are noisy: the load average is recorded with them.
Usage: python bench/scan.py [--frames N] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.machine import machine_info  # noqa: E402

TARGETS = {"frame_p95_ms": 16.0, "overlay_err_p95_px": 3.0}
TARGET_COUNTS = (1, 4, 16)
LOOP_HZ = 60.0


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_scene(frames: int) -> dict[str, float]:
    """The scan scene in the real App loop, paced at 60 Hz, camera and vision in their threads."""
    import pygame

    from game.app import App, RunOptions
    from game.bootstrap import build_services
    from game.config import parse_args
    from scenes.factory import SceneFactory
    from scenes.scan import ScanScene
    from tests.fakes import MemoryStore

    warm = 60
    with tempfile.TemporaryDirectory() as tmp:
        config = parse_args(["--server", "offline", "--data-dir", tmp, "--seed", "1", "--camera", "synthetic",
                             "--windowed", "1920x1080"])
        pygame.init()
        holder: dict = {}

        def build_root() -> list:
            built = build_services(config, MemoryStore())
            factory = SceneFactory(built.services, built.art_job, built.icon, wait_for_art=False, unroll=False)
            scene = factory.make("scan")
            holder["scene"] = scene
            return [scene]

        app = App(RunOptions(window=(1920, 1080), headless=False, frames=frames + warm, fps=int(LOOP_HZ)), build_root)
        scene: ScanScene | None = None

        def keep(_dt: float) -> None:
            nonlocal scene
            scene = holder["scene"]
            worker = scene.worker
            if worker is not None:
                holder["processed"] = worker.processed
                holder["dropped"] = worker.source.dropped
            result = scene.result
            if result is not None and result.index != holder.get("index"):
                holder["index"] = result.index
                holder.setdefault("worker_cpu", []).append(result.vision_cpu_ms)

        app.on_frame = keep
        app.run()
        pygame.quit()
    assert scene is not None
    wall = [t * 1000 for t in app.work_times[warm:]]
    period = [t * 1000 for t in app.frame_times[warm:]]
    cpu = [t * 1000 for t in app.frame_cpu[warm:]]
    present = [t * 1000 for t in app.present_times[warm:]]
    present_cpu = [t * 1000 for t in app.present_cpu[warm:]]
    lat = [(shown - taken) * LOOP_HZ for taken, shown in scene.shown]
    seconds = sum(app.frame_times) or 1.0
    worker_cpu = holder.get("worker_cpu") or [float("nan")]
    return {
        "frames": len(wall),
        "frame_p50_ms": statistics.median(wall),
        "frame_p95_ms": _pct(wall, 0.95),
        "frame_max_ms": max(wall),
        "frame_period_p50_ms": statistics.median(period),
        "frame_period_p95_ms": _pct(period, 0.95),
        "cpu_p50_ms": statistics.median(cpu),
        "cpu_p95_ms": _pct(cpu, 0.95),
        "present_p50_ms": statistics.median(present),
        "present_cpu_p50_ms": statistics.median(present_cpu),  # the dummy driver's software present
        "latency_frames": statistics.median(lat) if lat else float("nan"),
        "latency_p95_frames": _pct(lat, 0.95) if lat else float("nan"),
        "camera_frames_shown": len(lat),
        "camera_fps_processed": holder.get("processed", 0) / seconds,
        "worker_cpu_p50_ms": statistics.median(worker_cpu),
        "worker_cpu_p95_ms": _pct(worker_cpu, 0.95),
        "figure_frames": scene.frames_shown,
    }


def vision_costs(frames: int) -> dict[str, dict[str, float]]:
    import cv2

    from game.content import campaign_dir, load_campaign
    from game.scan.build import poster_images, read_image
    from game.scan.targets import TargetIndex
    from game.vision import MarkerDetector, MarkerTracker
    from game.vision.synthetic import HandheldScene

    campaign = load_campaign("jade-rabbit-chongqing")
    folder = campaign_dir(campaign.id)
    logo = read_image(folder / campaign.brand.logo)
    posters = list(poster_images(campaign, folder).items())
    scene = HandheldScene(logo, (640, 480), 30.0, seed=1)
    clip = [scene.render(i)[0] for i in range(frames)]
    out: dict[str, dict[str, float]] = {}
    for n in TARGET_COUNTS:
        index = TargetIndex(dict(posters[:n]))
        tracker = MarkerTracker(MarkerDetector(logo))
        total, stage, cpu = [], [], []
        for i, img in enumerate(clip):
            t0, c0 = time.perf_counter(), time.process_time()
            tracker.update(img, i / 30.0)
            gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
            t1 = time.perf_counter()
            index.find(gray)
            t2, c2 = time.perf_counter(), time.process_time()
            total.append((t2 - t0) * 1000)
            stage.append((t2 - t1) * 1000)
            cpu.append((c2 - c0) * 1000)
        out[str(n)] = {"p50_ms": statistics.median(total), "p95_ms": _pct(total, 0.95),
                       "cpu_p50_ms": statistics.median(cpu), "cpu_p95_ms": _pct(cpu, 0.95),
                       "posters_p50_ms": statistics.median(stage), "posters_p95_ms": _pct(stage, 0.95)}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=1000, help="frames of the scene loop (default 1000)")
    parser.add_argument("--vision-frames", type=int, default=200, help="frames per target count")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scan.json")
    ns = parser.parse_args()
    if ns.frames < 10 or ns.vision_frames < 10:
        parser.error("--frames and --vision-frames must be at least 10")
    load_before = os.getloadavg()
    scene = run_scene(ns.frames)
    from game.content import campaign_dir, load_campaign
    from game.scan.accuracy import anchor_errors
    from game.scan.build import read_image

    campaign = load_campaign("jade-rabbit-chongqing")
    measured = anchor_errors(read_image(campaign_dir(campaign.id) / campaign.brand.logo), min(ns.frames, 300))
    vision = vision_costs(ns.vision_frames)
    result = {
        "frame_p50_ms": scene["frame_p50_ms"],
        "frame_p95_ms": scene["frame_p95_ms"],
        "frame_cpu_p50_ms": scene["cpu_p50_ms"],
        "frame_cpu_p95_ms": scene["cpu_p95_ms"],
        "overlay_err_p95_px": _pct(measured.errors, 0.95),
        "overlay_err_max_px": max(measured.errors),
        "overlay_tracked_frames": len(measured.errors),
        "overlay_visible_frames": measured.visible,
        "latency_frames": scene["latency_frames"],
        "vision_ms_by_targets": {k: v["p50_ms"] for k, v in vision.items()},
        "vision_cpu_ms_by_targets": {k: v["cpu_p50_ms"] for k, v in vision.items()},
        "vision_detail_by_targets": vision,
        "scene": scene,
        "targets": TARGETS,
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
        "machine": machine_info(),
    }
    ns.out.parent.mkdir(parents=True, exist_ok=True)
    ns.out.write_text(json.dumps(result, indent=2))
    print(f"scan scene, {scene['frames']} frames at 1920×1080 (target p95 ≤ {TARGETS['frame_p95_ms']:.0f} ms): "
          f"wall p50 {scene['frame_p50_ms']:.2f} ms, p95 {scene['frame_p95_ms']:.2f} ms; "
          f"main-thread CPU p50 {scene['cpu_p50_ms']:.2f} ms, p95 {scene['cpu_p95_ms']:.2f} ms "
          f"(present p50 {scene['present_cpu_p50_ms']:.2f} ms); "
          f"vision worker CPU per camera frame p50 {scene['worker_cpu_p50_ms']:.2f} ms")
    print(f"latency camera frame -> overlay on screen: {scene['latency_frames']:.2f} loop frames "
          f"(p95 {scene['latency_p95_frames']:.2f}); camera frames processed {scene['camera_fps_processed']:.1f}/s")
    print(f"overlay anchor error p95 {result['overlay_err_p95_px']:.2f} px, max {result['overlay_err_max_px']:.2f} px "
          f"over {len(measured.errors)}/{measured.visible} frames")
    for k, v in vision.items():
        print(f"vision per frame with {k:>2} targets: wall p50 {v['p50_ms']:.2f} ms, p95 {v['p95_ms']:.2f} ms; "
              f"CPU p50 {v['cpu_p50_ms']:.2f} ms, p95 {v['cpu_p95_ms']:.2f} ms "
              f"(posters stage wall p50 {v['posters_p50_ms']:.2f} ms)")
    print(f"load average {load_before} -> {result['loadavg_after']}; written to {ns.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
