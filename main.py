"""Composition root: parse the CLI, build settings and adapters, run the App."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

log = logging.getLogger("main")
CRASH_EXIT = 70  # EX_SOFTWARE: an uncaught error, logged; the supervisor restarts the kiosk


def check_campaign(campaign_id: str) -> int:
    from game.content import check_pack
    from game.rules.content import ContentError

    try:
        campaign = check_pack(campaign_id)  # an id, or the path of a pack being written elsewhere
    except ContentError as err:
        print(err, file=sys.stderr)
        return 1
    print(f"campaign {campaign.id!r} OK: {len(campaign.city.landmarks)} landmarks, "
          f"{len(campaign.collectibles)} collectibles, {len(campaign.tasks)} tasks, {len(campaign.tiers)} tiers")
    return 0


def rate_marker(args: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="main.py rate-marker", description="Score a logo for detectability.")
    parser.add_argument("path")
    parser.add_argument("--out", default=None, help="report PNG (default: <image>.rating.png)")
    ns = parser.parse_args(args)
    from game.vision.cli import rate_marker_main

    return rate_marker_main(ns.path, ns.out)


def run(argv: list[str]) -> int:
    from game.config import parse_args
    from game.ui.display import DisplaySettings, split_display_args, text_scale

    display, argv = split_display_args(argv)  # --text-size, --ui-scale
    config = parse_args(argv)
    if display is None and config.config_path is not None:  # the kiosk file's [display]; the flags win
        display = DisplaySettings(config.text_size, config.ui_scale)
    if config.check_campaign:
        return check_campaign(config.check_campaign)
    from game.qa.driver import QaDriver, QaSetupError, ScriptError

    try:
        qa = QaDriver.for_run(config, argv)  # the frame clock, recording, --replay and --script
    except QaSetupError as err:
        print(err, file=sys.stderr)
        return 2
    config = qa.config
    if config.headless:
        os.environ["SDL_VIDEODRIVER"] = "dummy"
        os.environ["SDL_AUDIODRIVER"] = "dummy"
    os.environ.setdefault("SDL_HINT_RENDER_SCALE_QUALITY", "1")  # linear filtering when SDL scales the canvas

    from game.config import check_ids
    from game.content import load_campaign
    from game.kiosk.housekeeping import cap_data_dir, limit_heap_arenas
    from game.logs import setup_logging
    from game.rules.content import ContentError
    from game.store import LocalStore, StoreUnavailable, prepare_data_dir

    try:
        prepare_data_dir(config.data_dir)
    except StoreUnavailable as err:
        print(err, file=sys.stderr)
        return 2
    setup_logging(config.data_dir / "logs", logging.DEBUG if config.debug else logging.INFO)
    holder: dict[str, object] = {}
    try:
        campaign = load_campaign(config.campaign)
        qa.load_script(campaign, lambda: holder["services"])  # type: ignore[arg-type,return-value]
    except (ContentError, ScriptError) as err:
        print(err, file=sys.stderr)
        return 2
    bad_flag = check_ids(config, {lm.id for lm in campaign.city.landmarks})
    if bad_flag is not None:
        print(bad_flag, file=sys.stderr)
        return 2
    cap_data_dir(config.data_dir)
    if config.kiosk:
        limit_heap_arenas()  # before the sync, painting and camera threads: runs for weeks, RSS stays down
    config = qa.config

    import pygame

    from game.actions import Action, Kind
    from game.app import App, RunOptions
    from game.audio import Audio
    from game.bootstrap import build_services
    from game.debug_overlay import DebugOverlay
    from game.kiosk.watchdog import HangWatchdog, Watchdog
    from game.overlay import draw_overlay
    from net.wiring import start_sync
    from scenes.celebration import Celebrations
    from scenes.factory import SceneFactory

    try:
        store = LocalStore.open(config.data_dir / "progress.db")
    except StoreUnavailable as err:  # locked, read-only, or another copy running: one line, no traceback
        print(err, file=sys.stderr)
        return 2
    sync = start_sync(config, store, campaign, clock=qa.clock.now)  # the embedded server shares the clock
    pygame.init()
    watchdog = Watchdog.from_env()
    # Without systemd's watchdog (Windows' Task Scheduler, a plain Linux session) a hung loop exits by itself.
    hang = HangWatchdog(lambda: " > ".join(s.name for s in app.stack.scenes), config.hang_seconds).start() \
        if config.kiosk and not watchdog.enabled else None

    def build_root() -> list:
        built = build_services(config, store, campaign=campaign, sync_status=lambda: sync.status_text(services.i18n),
                               clock=qa.clock.now)
        services = built.services
        holder["services"], holder["built"] = services, built
        if display is not None:
            services.text.set_scale(text_scale(display.text_size, display.ui_scale))
        services.extras["audio"] = Audio(config.volume, config.mute)  # silent where there is no sound device
        if qa.scripts_camera:  # one reproducible camera frame per game frame (docs/qa.md)
            services.extras["qa-camera"] = qa.camera_opener(campaign, services.campaign_dir)
        services.extras["qa-vision-worker"] = qa.vision_worker  # recorded, replayed or in step (game/qa/vision.py)
        holder["celebrations"] = Celebrations(services)
        holder["factory"] = factory = SceneFactory(
            services, qa.gate(built.art_job), built.icon, wait_for_art=config.headless or qa.deterministic,
            unroll=qa.unroll,
        )
        if getattr(store, "recovered_from", None):
            services.notices.post(services.t("app.data_recovered"), 12)
            log.warning("local database was corrupt; moved aside", extra={"to": str(store.recovered_from)})
        if not config.kiosk:
            return factory.initial(config.scene)
        from game.kiosk.wiring import build_shell

        holder["shell"] = shell = build_shell(config, services, factory.make, store, sync)
        shell.attach(app.stack)
        return shell.start()

    warm = {"done": False}

    def on_global(action: Action) -> bool:
        services = holder["services"]
        if action.kind is Kind.TOGGLE_LANGUAGE:
            services.i18n.toggle()
        elif action.kind is Kind.TOGGLE_DEBUG:
            services.debug = not services.debug
        return True

    def on_frame(dt: float) -> None:
        services = holder["services"]
        services.notices.tick(dt)
        if not warm["done"]:
            warm["done"] = holder["factory"].prewarm()  # a failed painting is logged; the map says so when opened
        if sync.poll(services.session.player_id):
            services.session.reload()
            for note in sync.unconfirmed_notes(services.i18n, services.session.player_id):
                services.notices.post(note, 15)  # never a silent change to what the player saw
        holder["celebrations"].tick(app.stack)  # a tier newly reached: the celebration and its sound
        if "shell" in holder:
            holder["shell"].tick(dt)  # type: ignore[attr-defined]
        watchdog.ping()
        if hang is not None:
            hang.ping()

    debug_hud = DebugOverlay(qa)

    def overlay(surface: pygame.Surface, stats: dict[str, float]) -> None:
        draw_overlay(surface, holder["services"], app.stack, stats, debug_hud)
        if "shell" in holder:
            holder["shell"].draw(surface)  # type: ignore[attr-defined]

    def report_first_frame() -> None:
        if not config.headless:  # preload for the map; a headless map waits for (and starts) it itself
            holder["built"].art_job.start()  # type: ignore[attr-defined]
        if os.environ.get("CT_REPORT_FIRST_FRAME"):  # read by bench/render.py to time cold start
            print(f"FIRST_FRAME_AT {time.time():.4f}", flush=True)
        watchdog.ready()

    app = App(
        RunOptions(
            window=config.window,
            headless=config.headless,
            frames=config.frames,
            screenshot=config.screenshot,
            screenshot_dir=config.data_dir / "screenshots",
            title=campaign.meta.name.get(config.lang),
            kiosk=config.kiosk,
            cursor=config.cursor,
        ),
        build_root,
        on_frame=on_frame,
        on_global=on_global,
        overlay=overlay,
        on_first_frame=report_first_frame,
        driver=qa,
        input_filter=(lambda actions: holder["shell"].filter(actions)) if config.kiosk else None,  # type: ignore[attr-defined]
    )
    try:
        return app.run()
    except Exception as err:  # logged by the App with the scene stack and the last actions
        qa.crashed(app, err)  # a bug bundle under <data-dir>/bugs/: --replay reproduces the run up to here
        raise
    finally:
        watchdog.stopping()
        if hang is not None:
            hang.stop()
        if "shell" in holder and holder["shell"].watcher is not None:  # type: ignore[attr-defined]
            holder["shell"].watcher.close()  # type: ignore[attr-defined]
        built = holder.get("built")
        if built is not None and not built.art_job.wait(20):  # type: ignore[attr-defined]
            # OpenCV code in a thread killed at interpreter exit aborts the process: let it finish.
            log.warning("scroll painting still running at exit")
        sync.stop()
        store.close()
        pygame.quit()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if argv[:1] == ["rate-marker"]:
        return rate_marker(argv[1:])
    if argv[:1] == ["kiosk-pin"]:
        from game.kiosk.cli import kiosk_pin_main

        return kiosk_pin_main(argv[1:])
    return run(argv)


def entry() -> None:
    """The process: an uncaught error exits with CRASH_EXIT, which the supervisor restarts (deploy/)."""
    try:
        sys.exit(main())
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as command-line tools do
        # (https://docs.python.org/3/library/signal.html#note-on-sigpipe).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except Exception:
        import traceback

        traceback.print_exc()
        print(f"main.py: crashed (exit {CRASH_EXIT}); see the log under the data dir", file=sys.stderr)
        sys.exit(CRASH_EXIT)


if __name__ == "__main__":
    entry()
