"""Composition for kiosk mode: builds the KioskShell with its scenes, hand-off link, QR watcher and admin info."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from game.config import Config
from game.kiosk.handoff import claim_url
from game.kiosk.housekeeping import Housekeeper
from game.kiosk.pin import PinGate
from game.kiosk.resume import QrWatcher, resume_player
from game.kiosk.shell import KioskOptions, KioskShell
from game.services import Services

log = logging.getLogger(__name__)


def server_base(config: Config, sync: Any) -> str | None:
    """The server the kiosk syncs with (the embedded one once it has started)."""
    if config.server == "offline":
        return None
    if config.server == "embedded":
        server = getattr(sync, "server", None)
        return getattr(server, "url", None)
    return config.server


def log_tail(path: Path, n: int = 8) -> list[str]:
    try:
        with path.open("rb") as fh:
            fh.seek(0, 2)
            fh.seek(max(0, fh.tell() - 16_000))
            raw = fh.read().decode("utf-8", "replace").splitlines()[-n:]
    except OSError:
        return []
    out = []
    for line in raw:
        try:
            rec = json.loads(line)
            out.append(f"{rec.get('ts', '')[11:19]} {rec.get('level', '')} {rec.get('msg', '')}")
        except ValueError:
            out.append(line)
    return out


def last_sync_text(services: Services, last_ok: float | None, now: float) -> str:
    """The last successful sync in local time with its age, "14:02:11 (3 min ago)", or "never"."""
    if last_ok is None:
        return services.t("kiosk.admin_never")
    ago = max(0, round(now - last_ok))
    age = (services.t("kiosk.admin_seconds_ago", n=ago) if ago < 120 else
           services.t("kiosk.admin_minutes_ago", n=ago // 60) if ago < 7200 else
           services.t("kiosk.admin_hours_ago", n=ago // 3600))
    stamp = datetime.fromtimestamp(last_ok).strftime("%H:%M:%S" if ago < 86_400 else "%Y-%m-%d %H:%M")
    return f"{stamp} ({age})"


def build_shell(config: Config, services: Services, scenes: Callable[[str], Any], store: Any, sync: Any,
                open_camera: Callable[[], Any] | None = None) -> KioskShell:
    from scenes.admin import AdminScene
    from scenes.admin_pin import PinPadScene
    from scenes.handoff import HandoffScene

    options = KioskOptions(lang=config.lang, idle_s=config.idle_seconds, countdown_s=config.countdown_seconds,
                           handoff_s=config.handoff_seconds, pin_hash=config.pin_hash, event=config.event)

    def public_base() -> str | None:
        return config.public_url or server_base(config, sync)

    def handoff(player_id: str, done: Callable[[], None]) -> HandoffScene:
        def url() -> str | None:
            code, base = store.claim_code(player_id), public_base()
            return claim_url(base, code) if code and base else None

        return HandoffScene(services, url, done, seconds=config.handoff_seconds, offline=config.server == "offline")

    watcher = build_watcher(config, services, store, sync, open_camera)
    shell: KioskShell

    def info() -> tuple[list[tuple[str, str]], list[str]]:
        lm = services.campaign.landmark(services.session.device_landmark or "")
        enrolled = store.get_meta("device_token") is not None
        camera = config.camera
        if watcher is not None:
            camera += f" · {watcher.camera_status} · QR {watcher.last_decode_ms:.0f} ms"
        lines = [
            ("kiosk.admin_device", f"{socket.gethostname()} · {'enrolled' if enrolled else 'not enrolled'}"),
            ("kiosk.admin_landmark", f"{lm.name.get(services.lang)} ({lm.id})" if lm else services.t("kiosk.none")),
            ("kiosk.admin_sync", f"{sync.status_text(services.i18n)} · "
                                 f"{services.t('kiosk.admin_queued', n=store.pending_count())}"),
            ("kiosk.admin_last_sync", last_sync_text(services, sync.last_success(), time.time())),
            ("kiosk.admin_camera", camera),
            ("kiosk.admin_language", shell.lang),
            ("kiosk.admin_data", str(config.data_dir)),
        ]
        return lines, log_tail(config.data_dir / "logs" / "client.log")

    shell = KioskShell(
        services, scenes, options,
        handoff=handoff,
        admin=lambda sh: AdminScene(services, sh, info, camera=camera_test(services)),
        pin_pad=lambda gate, on_ok: PinPadScene(services, gate, on_ok),
        gate=PinGate(config.pin_hash),
        watcher=watcher,
        rebind=sync.set_device_landmark,
    )
    keeper = Housekeeper(config.data_dir)

    def tidy() -> None:  # the data dir's caps and freed memory, at each visitor's end (not only at start)
        keeper.tidy()

    shell.on_wipe.append(tidy)
    if watcher is not None:
        services.extras["claim_qr"] = watcher.offer  # the scan scene offers its frames: a claim QR resumes too
    services.extras["presence"] = shell.poke  # the scan scene saw the logo: the visitor is still there
    return shell


def build_watcher(config: Config, services: Services, store: Any, sync: Any,
                  camera: Callable[[], Any] | None = None) -> QrWatcher | None:
    if config.server == "offline" or (config.camera == "none" and camera is None):
        return None

    def open_camera() -> Any:
        import cv2

        from game.vision.sources import CameraSettings, open_auto, open_source

        logo = cv2.imread(str(services.campaign_dir / services.campaign.brand.logo), cv2.IMREAD_COLOR)
        settings = CameraSettings(width=config.camera_size[0], height=config.camera_size[1])
        if config.camera == "auto":
            return open_auto(logo, mirror=config.camera_mirror)[0]
        return open_source(config.camera, reference=logo, mirror=config.camera_mirror, settings=settings)

    def resume(code: str) -> str:
        from net.api import ApiClient

        base = server_base(config, sync)
        worker = getattr(sync, "worker", None)
        if worker is not None:
            worker.ensure_enrolled()  # a kiosk that has not sent anything yet is not enrolled yet
        token = store.get_meta("device_token")
        if base is None or token is None:
            raise RuntimeError("not connected to a server yet")
        api = ApiClient(base, token)
        try:
            return resume_player(store, api, services.campaign, code)
        finally:
            api.close()

    return QrWatcher(camera or open_camera, resume)


def camera_test(services: Services) -> Callable[[], Any] | None:
    """The admin menu's live detection view: the scan scene's vision worker on the kiosk's camera."""
    if services.camera == "none":
        return None

    def open_worker() -> Any:
        from game.scan.build import open_scan_worker  # OpenCV and the detector: only when asked for

        return open_scan_worker(services)

    return open_worker
