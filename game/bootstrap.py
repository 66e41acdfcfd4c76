"""Composition: build services and scenes from a Config. main.py wires real adapters; tests wire fakes."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pygame

from game.config import Config
from game.content import CAMPAIGNS_DIR, campaign_dir, load_campaign
from game.i18n import Translator, load_tables
from game.jobs import Job
from game.rules.content import Campaign
from game.services import Notices, Palette, Services
from game.session import ProgressStore, Session
from game.ui.images import ImageCache
from game.ui.text import FONTS_DIR, TextRenderer

log = logging.getLogger(__name__)


def make_clock(fixed: datetime | None) -> Callable[[], datetime]:
    """The real UTC clock, or QA time travel: starts at ``fixed`` and keeps ticking from there."""
    if fixed is None:
        return lambda: datetime.now(UTC)
    start = time.monotonic()
    base = fixed.astimezone(UTC)
    return lambda: datetime.fromtimestamp(base.timestamp() + (time.monotonic() - start), UTC)


def paint_job(campaign: Campaign, palette: Palette, seed: int, cache_dir: Path | None = None,
              painter: Callable[..., object] | None = None) -> Job:
    """Paint the scroll in the background (or load it from ``cache_dir``): the attract screen shows meanwhile.

    ``painter`` (default ``paint_scroll``) takes the landmarks, the palette and the painting options.
    When it fails, the failure is logged and the job returns ``plain_scroll`` instead: a failure of the
    painting repeats on every start, so it must not take the map away (nor, raised, restart the kiosk)."""
    title = campaign.meta.name.zh.split("·")[-1].strip()  # the handscroll's title strip (引首)
    options: dict[str, object] = {"height": 1080, "seed": seed, "title": title,
                                  "seal_text": campaign.brand.name.zh[:4],
                                  "font_path": str(FONTS_DIR / "NotoSerifSC-Bold.otf")}

    def work() -> object:
        # imported in the job's thread: the painting needs OpenCV, the first frame does not
        from game.ui.scroll_art import LandmarkSpot, ScrollPalette, paint_scroll, plain_scroll
        from game.ui.scroll_cache import cached

        paint = painter or paint_scroll
        spots = [LandmarkSpot(lm.id, lm.x, lm.icon) for lm in campaign.city.landmarks]
        scroll_palette = ScrollPalette(paper=palette.paper, ink=palette.ink, accent=palette.primary,
                                       mountain_tint=palette.jade, water=(120, 160, 170))
        try:
            return cached(cache_dir, spots, scroll_palette, lambda: paint(spots, scroll_palette, **options), options)
        except Exception:
            log.exception("painting the scroll failed; the map shows a plain scroll instead")
            return plain_scroll(spots, scroll_palette, height=int(options["height"]))  # type: ignore[call-overload]

    # started after the first frame, so it does not slow the cold start; niced, so the painting's
    # threads take the cores the frame loop leaves (the attract screen animates meanwhile)
    return Job("paint-scroll", work, start=False, nice=5)


def icon_renderer(palette: Palette, images: ImageCache) -> Callable[[str, int], pygame.Surface]:
    def draw(kind: str, size: int) -> pygame.Surface:
        # imported on first use: the icons need OpenCV, which the cold start to the first frame does not
        from game.ui.landmark_icons import draw_landmark_icon
        from game.ui.scroll_art import ScrollPalette

        sp = ScrollPalette(paper=palette.paper, ink=palette.ink, accent=palette.primary, mountain_tint=palette.jade,
                           water=(120, 160, 170))
        return draw_landmark_icon(kind, size, sp)

    return lambda kind, size: images.remember(("icon", kind, size), lambda: draw(kind, size))


@dataclass
class Built:
    services: Services
    art_job: Job
    icon: Callable[[str, int], pygame.Surface]
    closers: list[Callable[[], None]] = field(default_factory=list)


def build_services(
    config: Config,
    store: ProgressStore,
    *,
    campaign: Campaign | None = None,
    campaigns_root: Path = CAMPAIGNS_DIR,
    sync_status: Callable[[], str] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Built:
    """Everything scenes need. Call after the display exists (fonts and images need it)."""
    campaign = campaign or load_campaign(config.campaign, campaigns_root)
    palette = Palette.from_campaign(campaign)
    now = clock or make_clock(config.now)  # main.py passes the QA frame clock (game/qa/clock.py)
    session = Session(campaign, store, now, config.device_landmark)
    translator = Translator(load_tables(), config.lang)
    images = ImageCache()
    seed = config.seed if config.seed is not None else 2027
    services = Services(
        campaign=campaign,
        campaign_dir=campaign_dir(campaign.id, campaigns_root),
        session=session,
        text=TextRenderer(),
        i18n=translator,
        images=images,
        palette=palette,
        rng=random.Random(seed),
        notices=Notices(),
        sync_status=sync_status or (lambda: translator.t("app.offline")),
        debug=config.debug,
        kiosk=config.kiosk,
        camera=config.camera,
        extras={"data_dir": config.data_dir, "seed": seed, "headless": config.headless},
    )
    art = paint_job(campaign, palette, seed, cache_dir=config.data_dir / "cache")
    return Built(services, art, icon_renderer(palette, images))
