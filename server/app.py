"""``create_app(settings)``: the ASGI application factory (migrates the database, wires routers)."""

from __future__ import annotations

import gc
import inspect
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from anyio import to_thread
from fastapi import FastAPI
from sqlalchemy import Connection, Engine
from starlette.types import ASGIApp

from game.content import available_campaigns
from game.rules.content import ContentError
from server import __version__
from server.campaigns import CampaignCatalog, seed_supply
from server.context import PG_THREADS, AppContext
from server.db import group_commit, make_engine, upgrade
from server.docs_page import mount_docs
from server.errors import ErrorResponse, install_error_handlers
from server.guard import AuthGuard, TrustedProxies
from server.middleware import EdgeMiddleware
from server.ratelimit import TokenBucketLimiter
from server.routers import admin, claim, content, devices, events, health, partner, players, sync
from server.settings import Settings
from server.strict import HotRoutes

if TYPE_CHECKING:
    from server.pgloop import PgLoop

log = logging.getLogger(__name__)

SQLITE_THREADS = 4

DESCRIPTION = """Reference backend of Cloud Tour Treasure Hunt. Kiosks and laptops enrol once and send
actions; the server decides steps, tiers, serial numbers and eligibility with the shared rules.
Every error is `{"error": {"code", "message"}}`. See docs/api.md."""


def _seed_all(catalog: CampaignCatalog, settings: Settings) -> object:
    def seed(conn: Connection) -> None:
        ids = {settings.campaign_id, *available_campaigns(settings.campaigns_root)}
        for campaign_id in sorted(ids):
            try:
                created = seed_supply(conn, catalog.get(campaign_id).campaign)
            except ContentError as err:
                log.error("campaign %s not loaded: %s", campaign_id, err)
                continue
            if created:
                log.info("seeded supply for %s: %s", campaign_id, ", ".join(created))

    return seed


def _no_native_telemetry() -> dict[str, object]:
    """FastAPI ≥ 0.16x asks the OpenTelemetry providers on every request whether to trace it;
    this server configures none (its request log is server.middleware), so switch that off.
    Older FastAPI has no such option."""
    if "telemetry" not in inspect.signature(FastAPI.__init__).parameters:
        return {}
    return {"telemetry": {"tracing": False, "metrics": False, "logs": False}}


class ServerApp(FastAPI):
    """FastAPI with ``EdgeMiddleware`` outside all of FastAPI's own layers, serving the hot routes.

    Outermost of ours: log → rate limit → body limit → hot route, or FastAPI's stack (server
    errors, exceptions, routing). ``HotRoutes`` renders errors with the same exception handlers.
    """

    edge_limiter: TokenBucketLimiter
    edge_body_limit: int
    edge_proxies: TrustedProxies

    def build_middleware_stack(self) -> ASGIApp:
        hot = HotRoutes([*players.hot_routes(), *sync.hot_routes()], self.exception_handlers)
        return EdgeMiddleware(
            super().build_middleware_stack(), self.edge_limiter, self.edge_body_limit, hot, self.edge_proxies
        )


def freeze_startup_heap() -> None:
    """For a server process: move everything allocated so far (modules, FastAPI, pydantic and
    SQLAlchemy structures, the campaigns) out of the cyclic garbage collector's reach.

    A full collection scanned all of it, ~50 ms with the event loop stopped, every few thousand
    requests: the worst latencies of a check-in. Those objects live as long as the process, so
    nothing is lost. Not for the client process (the embedded server), whose game objects come
    and go. The young generation is also collected less often: request garbage is freed by
    reference counting, and each collection walked the young objects of ~15 requests.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def _pg_loop(engine: Engine, settings: Settings) -> PgLoop | None:
    """PostgreSQL: the action path's connections on the event loop (``server.pgloop``)."""
    if engine.dialect.name != "postgresql":
        return None
    from server.pgloop import PgLoop  # psycopg and greenlet come with the server extra

    return PgLoop(engine, settings.pg_connections)


def create_app(settings: Settings, *, server_process: bool = False) -> FastAPI:
    """Build the app: migrate to head (lock-safe), seed supply rows, install middleware and routes.

    ``server_process``: the app owns its process (``python -m server``), see ``freeze_startup_heap``."""
    engine = make_engine(settings)
    catalog = CampaignCatalog(settings.campaigns_root)
    upgrade(engine, after=_seed_all(catalog, settings))  # type: ignore[arg-type]
    if not settings.partner_secret:
        log.warning("PARTNER_SECRET not set: /v1/partner/task-events answers 503")

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Sync handlers run in anyio's thread pool. With SQLite (one writer at a time) many threads
        # only fight over the GIL and the write lock; a few threads give more throughput and a far
        # better p99. PostgreSQL handles real concurrency, so it keeps a larger pool.
        to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads or (
            SQLITE_THREADS if settings.is_sqlite else PG_THREADS
        )
        if server_process:
            freeze_startup_heap()
        yield
        _app.state.ctx.close()
        engine.dispose()

    app = ServerApp(
        **_no_native_telemetry(),
        title="Cloud Tour Treasure Hunt API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # mount_docs below: the same Swagger UI, served without a CDN
        redoc_url=None,
        # Documented on every route, in the one error shape (this also replaces FastAPI's default 422 schema).
        responses={
            400: {"model": ErrorResponse, "description": "malformed request (e.g. body not UTF-8)"},
            413: {"model": ErrorResponse, "description": "body too large"},
            422: {"model": ErrorResponse, "description": "validation error"},
            429: {"model": ErrorResponse, "description": "rate limited; see Retry-After"},
            500: {"model": ErrorResponse, "description": "internal error"},
        },
    )
    # Group commit batches the hot path's inline work (it runs on the event loop); off with SERVER_GROUP_COMMIT=0.
    group = group_commit(engine) if settings.inline_db and settings.group_commit else None
    proxies = TrustedProxies(settings.forwarded_allow_ips)
    guard = AuthGuard(settings.auth_fail_per_min, settings.auth_fail_burst, proxies)
    app.state.ctx = AppContext(
        settings=settings, engine=engine, catalog=catalog, group=group, guard=guard, pg=_pg_loop(engine, settings)
    )
    install_error_handlers(app)
    # Unknown query parameters are refused by server.strict.StrictRoute (every router uses it).
    # The hot routes (players) come first: routing tries each route's pattern in order.
    for module in (players, sync, events, health, content, devices, partner, admin, claim):
        app.include_router(module.router)
    mount_docs(app)
    app.edge_limiter = TokenBucketLimiter(settings.rate_per_s, settings.rate_burst)
    app.edge_proxies = proxies
    app.edge_body_limit = settings.max_body_bytes
    return app


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` workers: settings come from the environment."""
    return create_app(Settings.from_env(), server_process=True)
