"""Per-app runtime objects (settings, engine, catalog) and the FastAPI dependencies that reach them."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, select
from starlette.types import Scope

from server import queries as q
from server.campaigns import CampaignCatalog
from server.db import DbThreads, GroupCommit, write_tx
from server.errors import ApiError
from server.guard import AuthGuard, TrustedProxies
from server.lru import BoundedLRU
from server.models import admin_tokens
from server.queries import Raw
from server.security import token_hash
from server.settings import Settings

if TYPE_CHECKING:  # psycopg and greenlet come with the server extra only
    from server.pgloop import PgLoop


@dataclass(frozen=True)
class Device:
    id: str
    kind: str
    landmark_id: str | None
    enrolled_at: datetime | None = None
    # The device's contact before the current one (recorded hourly); None: none since enrolment.
    prev_seen_at: datetime | None = None
    fetched_at: datetime | None = None  # when this worker read it (server clock)


# Last contact is written at most this often per device (one sync session sees one credit floor).
CONTACT_INTERVAL = timedelta(hours=1)


class DeviceCache:
    """token hash → Device, bounded LRU. An entry is trusted for ``settings.device_cache_ttl_s``
    (then read again: a revocation by another worker, the hourly last contact); ``drop`` forgets
    a device at once (its revocation on this worker)."""

    def __init__(self, max_size: int = 10_000) -> None:
        self._items: BoundedLRU[str, Device] = BoundedLRU(max_size)
        self._lock = threading.Lock()

    def get(self, key: str) -> Device | None:
        with self._lock:
            return self._items.get(key)

    def put(self, key: str, device: Device) -> None:
        with self._lock:
            self._items.put(key, device)

    def drop(self, device_id: str) -> None:
        with self._lock:
            self._items.drop([k for k, d in self._items.items() if d.id == device_id])


# Threads for blocking database work on PostgreSQL (``Settings.worker_threads`` overrides it).
PG_THREADS = 32


@dataclass(frozen=True)
class AppContext:
    """Everything a request handler needs; stored on ``app.state.ctx`` (one per app, no globals)."""

    settings: Settings
    engine: Engine
    catalog: CampaignCatalog
    devices: DeviceCache = field(default_factory=DeviceCache)
    # SQLite with inline hot-path work: concurrent check-ins share one commit (server.db.GroupCommit)
    group: GroupCommit | None = None
    guard: AuthGuard = field(default_factory=lambda: AuthGuard(10.0, 20, TrustedProxies(())))
    # PostgreSQL: the action path's connections and transactions on the event loop (server.pgloop).
    pg: PgLoop | None = None
    # PostgreSQL: the threads that run other blocking database work (``run_db``), created on first use.
    _threads: list[DbThreads] = field(default_factory=list, repr=False)

    async def run_db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking database work: inline for SQLite (sub-millisecond, single writer: a thread
        hop only adds GIL hand-offs), on the database threads for PostgreSQL (network round trips).

        The hop is ``server.db.DbThreads`` (a queue and ``call_soon_threadsafe``): anyio's
        ``to_thread`` and ``run_in_executor`` wrap each call in more machinery, which cost about
        as much CPU as the check-in's SQL. ``settings.worker_threads`` threads (default
        ``PG_THREADS``). The work runs to its end even if the request is cancelled meanwhile."""
        if self.settings.inline_db:
            return fn(*args, **kwargs)
        if not self._threads:
            self._threads.append(DbThreads(self.settings.worker_threads or PG_THREADS))
        call = functools.partial(fn, *args, **kwargs) if kwargs else functools.partial(fn, *args)
        return await self._threads[0].run(call)

    def close(self) -> None:
        """Close the loop's connections and stop the database threads (after the server stopped
        taking requests; on the event loop)."""
        if self.pg is not None:
            self.pg.close()
        while self._threads:
            self._threads.pop().close()


# Dependencies are ``async`` when they do not block: a sync dependency costs a thread-pool hop.
async def get_ctx(request: Request) -> AppContext:
    return request.app.state.ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]

T = TypeVar("T")

_device_bearer = HTTPBearer(auto_error=False, scheme_name="DeviceToken", description="device_token from enrolment")
_admin_bearer = HTTPBearer(auto_error=False, scheme_name="AdminToken", description="token from create-admin-token")

_UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


_REVOKED = object()


def _lookup_device(ctx: AppContext, key: str) -> Device | object | None:
    """The device with this token hash (None: unknown; ``_REVOKED``), recording its last contact
    when the stored one is ``CONTACT_INTERVAL`` old (the value it replaces is ``prev_seen_at``)."""
    now = ctx.settings.clock()
    with ctx.engine.connect() as conn:
        db = Raw(conn)
        row = db.one(q.DEVICE_BY_TOKEN, {"token_hash": key})
    if row is None:
        return None
    if row[4] is not None:
        return _REVOKED
    enrolled, last, prev = (None if v is None else db.to_dt(v) for v in (row[3], row[5], row[6]))
    if last is None or now - last >= CONTACT_INTERVAL:
        with write_tx(ctx.engine, touches_ledger=False) as conn:
            w = Raw(conn)
            if w.changed(q.TOUCH_DEVICE, {"id": row[0], "now": w.ts(now), "cutoff": w.ts(now - CONTACT_INTERVAL)}):
                prev = last
            else:  # another worker recorded it just now
                again = w.one(q.DEVICE_BY_TOKEN, {"token_hash": key})
                prev = None if again is None or again[6] is None else w.to_dt(again[6])
    return Device(row[0], row[1], row[2], enrolled, prev, now)


_EMPTY_TOKEN_HASH = token_hash("")


def bearer_key(scope: Scope) -> str | None:
    """``token_hash`` of the credentials of the request's ``Authorization: Bearer <token>`` header
    (read as HTTPBearer reads them; empty credentials give ``token_hash("")``), None without such
    a header. Parsed and hashed once per request and kept in the scope: the rate limiter
    (``server.middleware.EdgeMiddleware``) and ``authenticate`` both need it."""
    try:
        return scope["bearer_key"]
    except KeyError:
        pass
    key = None
    for name, value in scope.get("headers", ()):
        if name == b"authorization":  # the first one, as Starlette's ``Headers.get``
            scheme, space, token = value.decode("latin-1").partition(" ")
            if space and scheme.lower() == "bearer":
                key = token_hash(token.strip())
            break
    scope["bearer_key"] = key
    return key


def _fresh(ctx: AppContext, device: Device | None) -> bool:
    if device is None or device.fetched_at is None:
        return False
    age = (ctx.settings.clock() - device.fetched_at).total_seconds()
    return 0 <= age < ctx.settings.device_cache_ttl_s


async def authenticate(request: Request) -> Device:
    """The enrolled device behind the bearer token, or 401 ``invalid_token`` (unknown or revoked).

    Cached per worker for ``device_cache_ttl_s``; the DB is read off-loop. Failed attempts are
    counted per client address (``AuthGuard``): once its bucket is empty the address gets 429
    without a lookup, so a flood of made-up tokens costs the flooder, not the database."""
    ctx: AppContext = request.app.state.ctx
    key = bearer_key(request.scope)
    if key is None or key == _EMPTY_TOKEN_HASH:
        raise ApiError(401, "unauthorized", "missing bearer token", _UNAUTHORIZED)
    device = ctx.devices.get(key)
    if not _fresh(ctx, device):
        address = ctx.guard.address_key(request.scope)
        ctx.guard.check(address)
        found = await ctx.run_db(_lookup_device, ctx, key)
        if not isinstance(found, Device):
            ctx.guard.failed(address)
            message = "this device token was revoked" if found is _REVOKED else "unknown device token"
            raise ApiError(401, "invalid_token", message, _UNAUTHORIZED)
        device = found
        ctx.devices.put(key, device)
    assert device is not None
    request.state.device_id = device.id
    return device


async def get_device(
    request: Request,
    _creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_device_bearer)],
) -> Device:
    """Dependency form of ``authenticate`` (``_creds`` puts the DeviceToken scheme in the OpenAPI)."""
    return await authenticate(request)


def require_admin(
    ctx: Ctx, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_admin_bearer)]
) -> str:
    """The admin token's label (for the audit trail), or 401."""
    if creds is None or not creds.credentials:
        raise ApiError(401, "unauthorized", "missing admin token", _UNAUTHORIZED)
    with ctx.engine.connect() as conn:
        found = conn.scalar(
            select(admin_tokens.c.label).where(admin_tokens.c.token_hash == token_hash(creds.credentials))
        )
    if found is None:
        raise ApiError(401, "unauthorized", "unknown admin token", _UNAUTHORIZED)
    return str(found)


CurrentDevice = Annotated[Device, Depends(get_device)]
Admin = Depends(require_admin)
AdminLabel = Annotated[str, Depends(require_admin)]
