"""Sync benchmark: how fast a queued outbox drains, and what the sync costs the frame loop.

    .venv/bin/python bench/sync.py [--actions 10000] [--server process|embedded|both]

Records ``--actions`` real, valid actions offline through ``game.session.Session`` (players of 11
actions: ten learn check-ins in unlock order, the most the server takes from one player in an hour
of receive time, and a share; guests a minute apart; the client store on disk as in production),
then starts the sync exactly as ``main.py`` does (``net.wiring.WorkerSync`` with an enrolment code)
against a local server and runs a 60 Hz frame loop in the main thread until the outbox is empty.
Each frame does what ``main.py`` does for sync: ``poll`` (and ``session.reload()`` when it says so)
and the chip's ``status_text``.

The server runs in its own process (``process``: a kiosk's local server) or in this process
(``embedded``, the laptop default, sharing the GIL with the frame loop). Its clock is injected: the
first morning at the enrolment, then six days later, running in real time, for the drain, so every
action is credited at its own time. Its per-device rate knobs are raised to 100,000 requests and
100,000 check-ins a second (``server_settings``; by design the production defaults let one device's
check-ins in at 30 a minute of receive time, and every limit is still checked per action): this
measures the client's sync and the server's work per action, not the anti-farming limits.

Reported: the drain rate (actions/s from the worker's start to an empty outbox; budget ≥ 1,000),
the CPU seconds of the drain in this process and in the server's (and actions per CPU second),
and the frame loop's stall from sync (the time spent in those per-frame sync calls: p50/p99/max;
budget p99 ≤ 1 ms), with how late the frames woke (GIL contention from the worker, context only).
Writes bench/results/sync.json. Timing on a shared machine is noisy: the load average is recorded.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import machine_info  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "sync.json"
CAMPAIGN_ID = "jade-rabbit-chongqing"
T0 = datetime(2027, 2, 1, 1, 0, tzinfo=UTC)  # 09:00 in Chongqing
DRAIN_AT = T0 + timedelta(days=6, hours=12)
PER_PLAYER = 11
FRAME_S = 1 / 60


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def record_offline(store_path: Path, n: int) -> int:
    """Queue ``n`` valid actions (players of PER_PLAYER actions each); returns the players made."""
    from game.content import load_campaign
    from game.rules.content import CheckinMode
    from game.rules.progress import CheckIn, Share
    from game.session import Session
    from game.store import LocalStore

    campaign = load_campaign(CAMPAIGN_ID)
    order = sorted(campaign.city.landmarks, key=lambda lm: (lm.unlock_after, lm.id))
    store = LocalStore.open(store_path)
    clock = {"now": T0}
    session = Session(campaign, store, lambda: clock["now"])
    made, players = 0, 1
    while made < n:
        day = 0
        done_today: set[str] = set()
        player_actions = 0
        while player_actions < PER_PLAYER and made < n:
            checked = {c.landmark_id for c in session.progress.checkins}
            lm = next((lm for lm in order if lm.id not in done_today and lm.unlock_after <= len(checked)), None)
            if player_actions >= PER_PLAYER - 1:
                lm = None  # the share
            action = CheckIn(lm.id, CheckinMode.LEARN, quiz_choice=lm.quiz.answer) if lm else Share("qr")
            # players a minute apart (one device's guests come one after another)
            clock["now"] = T0 + timedelta(days=day, minutes=players + 7 * (len(done_today) + (lm is None)))
            outcome = session.attempt(action)
            if not outcome.applied:
                raise SystemExit(f"bench set-up: the rules refused {action}: {outcome.reason}")
            made += 1
            player_actions += 1
            if lm is None:
                day, done_today = day + 1, set()
            else:
                done_today.add(lm.id)
        if made < n:
            session.end_guest()
            players += 1
    store.close()
    return players


class ServerClock:
    """The server's clock: the first morning until ``advance``, then from DRAIN_AT on, in real time."""

    def __init__(self) -> None:
        self.since: float | None = None

    def advance(self) -> None:
        self.since = time.monotonic()

    def __call__(self) -> datetime:
        return T0 if self.since is None else DRAIN_AT + timedelta(seconds=time.monotonic() - self.since)


def server_settings(clock: ServerClock) -> object:
    """The server's settings: its clock, and its rate knobs raised (to 100,000 requests and check-ins
    a second per device: the bench measures the client's sync, not the anti-farming limits)."""
    from server.settings import Settings

    return Settings(clock=clock, credit_max_age_s=30 * 24 * 3600, rate_per_s=100_000.0, rate_burst=100_000,
                    device_checkins_per_window=100_000, device_checkin_window_s=1)


def serve(data_dir: str) -> None:
    """``--serve``: the local server in this process; its clock jumps to DRAIN_AT on a stdin line."""
    from server.embedded import start_embedded

    clock = ServerClock()
    server = start_embedded(Path(data_dir), CAMPAIGN_ID, settings=server_settings(clock))
    print(server.url, server.enrollment_code("laptop"), flush=True)
    sys.stdin.readline()
    clock.advance()
    print("advanced", time.process_time(), flush=True)
    sys.stdin.readline()
    print(time.process_time(), flush=True)  # this process's CPU seconds, for the drain's server CPU
    server.stop()


class LocalServer:
    """The server for the drain, in another process or in this one, with its clock under control."""

    def __init__(self, mode: str, data_dir: Path) -> None:
        self.mode = mode
        if mode == "process":
            self.proc = subprocess.Popen([sys.executable, __file__, "--serve", str(data_dir)], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True, cwd=ROOT)
            assert self.proc.stdout is not None
            self.url, self.code = self.proc.stdout.readline().split()
        else:
            from server.embedded import start_embedded

            self.clock = ServerClock()
            self.server = start_embedded(data_dir, CAMPAIGN_ID, settings=server_settings(self.clock))
            self.url, self.code = self.server.url, self.server.enrollment_code("laptop")

    def advance(self) -> None:
        if self.mode == "process":
            assert self.proc.stdin is not None and self.proc.stdout is not None
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
            self.cpu_at_advance = float(self.proc.stdout.readline().split()[1])
        else:
            self.clock.advance()

    def cpu_since_advance(self) -> float | None:
        """The server process's CPU seconds since ``advance`` (process mode; it stops the server's clock
        reading, so call it once, after the drain). None when the server shares this process."""
        if self.mode != "process":
            return None
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        self.stopping = True
        return float(self.proc.stdout.readline()) - self.cpu_at_advance

    def stop(self) -> None:
        if self.mode == "process":
            assert self.proc.stdin is not None
            if not getattr(self, "stopping", False):
                self.proc.stdin.write("\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        else:
            self.server.stop()


def enrol(store_path: Path, server: LocalServer) -> None:
    """Enrol the client (at the server's first day), as the sync would on its first contact."""
    import secrets

    from game.store import LocalStore
    from net.api import ApiClient

    store = LocalStore.open(store_path)
    key = secrets.token_urlsafe(24)
    store.set_meta("enroll_key", key)
    token = ApiClient(server.url).enroll(server.code, "bench", "laptop", None, key=key)["device_token"]
    store.set_meta("device_token", token)
    store.set_meta("server_identity", server.url)
    store.close()


def drain(store_path: Path, server: LocalServer, data_dir: Path) -> dict:
    from game.config import parse_args
    from game.content import load_campaign
    from game.i18n import Translator, load_tables
    from game.session import Session
    from game.store import LocalStore
    from net.wiring import WorkerSync

    campaign = load_campaign(CAMPAIGN_ID)
    store = LocalStore.open(store_path)
    total = store.pending_count()
    session = Session(campaign, store, lambda: DRAIN_AT)
    i18n = Translator(load_tables(), "en")
    config = parse_args(["--server", server.url, "--enroll-code", server.code, "--data-dir", str(data_dir),
                         "--headless"])
    sync_ms: list[float] = []
    late_ms: list[float] = []
    reloads = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    sync = WorkerSync(config, store, campaign)
    next_frame = time.perf_counter()
    frame = 0
    try:
        while True:
            now = time.perf_counter()
            if now < next_frame:
                time.sleep(next_frame - now)
            woke = time.perf_counter()
            late_ms.append((woke - next_frame) * 1000)
            next_frame = max(next_frame + FRAME_S, woke)
            t0 = time.perf_counter()
            if sync.poll(session.player_id):  # what main.py's on_frame does for sync
                session.reload()
                reloads += 1
            sync.status_text(i18n)  # the map's chip
            sync_ms.append((time.perf_counter() - t0) * 1000)
            frame += 1
            if frame % 6 == 0 and store.pending_count() == 0:
                break
            if time.perf_counter() - started > 600:
                raise SystemExit("the outbox did not drain within 600 s")
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    finally:
        sync.stop()
    server_cpu = server.cpu_since_advance()
    statuses = {e.status for e in store.entries(limit=1_000_000)}
    store.close()
    return {
        "actions": total,
        "drain_s": round(elapsed, 3),
        "actions_per_s": round(total / elapsed, 1),
        # CPU seconds of the drain: this process (client; with the embedded server, both) and the
        # server process; the rate per CPU second is less distorted by other load than the wall rate
        "client_cpu_s": round(cpu, 2),
        "server_cpu_s": None if server_cpu is None else round(server_cpu, 2),
        "actions_per_cpu_s": round(total / (cpu + (server_cpu or 0.0)), 1),
        "statuses": sorted(statuses),
        "frames": len(sync_ms),
        "reloads": reloads,
        "frame_sync_ms": {"p50": round(percentile(sync_ms, 0.5), 4), "p99": round(percentile(sync_ms, 0.99), 4),
                          "max": round(max(sync_ms), 4)},
        "frame_wake_late_ms": {"p50": round(percentile(late_ms, 0.5), 3), "p99": round(percentile(late_ms, 0.99), 3),
                               "max": round(max(late_ms), 3)},
    }


def run(mode: str, n: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-sync-", dir=ROOT / "bench") as tmp:
        tmp_path = Path(tmp)
        store_path = tmp_path / "client" / "progress.db"
        t0 = time.perf_counter()
        # recorded on tmpfs when there is one (set-up only: the store fsyncs every action), then
        # copied to disk, where the drain runs as in production
        shm = Path("/dev/shm")
        with tempfile.TemporaryDirectory(prefix="bench-sync-", dir=shm if shm.is_dir() else None) as fast:
            players = record_offline(Path(fast) / "progress.db", n)
            store_path.parent.mkdir(parents=True)
            shutil.copyfile(Path(fast) / "progress.db", store_path)
        setup_s = time.perf_counter() - t0
        server = LocalServer(mode, tmp_path / "server")
        try:
            enrol(store_path, server)
            server.advance()
            result = drain(store_path, server, tmp_path / "client")
        finally:
            server.stop()
    return {"server": mode, "players": players, "record_s": round(setup_s, 1), **result}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--server", choices=("process", "embedded", "both"), default="both")
    parser.add_argument("--serve", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    modes = ("process", "embedded") if args.server == "both" else (args.server,)
    rows = []
    for mode in modes:
        load_before = os.getloadavg()
        row = run(mode, args.actions)
        row["loadavg_before"] = [round(x, 2) for x in load_before]
        row["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
        rows.append(row)
        print(f"{mode:9s} {row['actions']} actions in {row['drain_s']:.2f} s = {row['actions_per_s']:.0f}/s "
              f"(budget ≥ 1000; CPU s client {row['client_cpu_s']} server {row['server_cpu_s']}: "
              f"{row['actions_per_cpu_s']:.0f} actions per CPU s); frame-loop sync p50 {row['frame_sync_ms']['p50']:.3f} ms "
              f"p99 {row['frame_sync_ms']['p99']:.3f} ms max {row['frame_sync_ms']['max']:.3f} ms (budget p99 ≤ 1); "
              f"frames woke late p99 {row['frame_wake_late_ms']['p99']:.2f} ms; load {row['loadavg_before']}",
              flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "machine": machine_info(threads=threading.active_count()),
        "budget": {"actions_per_s": 1000, "frame_sync_p99_ms": 1.0},
        "results": rows,
    }, indent=2, default=str) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
