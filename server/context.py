"""Per-app runtime objects (settings, engine, catalog) and the FastAPI dependencies that reach them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, select
from starlette.types import Scope

from server import queries as q
from server.campaigns import CampaignCatalog
from server.db import GroupCommit
from server.errors import ApiError
from server.lru import BoundedLRU
from server.models import admin_tokens
from server.queries import Raw
from server.security import token_hash
from server.settings import Settings


@dataclass(frozen=True)
class Device:
    id: str
    kind: str
    landmark_id: str | None


class DeviceCache:
    """token hash → Device, bounded LRU (devices are immutable once enrolled; nothing revokes them yet)."""

    def __init__(self, max_size: int = 10_000) -> None:
        self._items: BoundedLRU[str, Device] = BoundedLRU(max_size)
        self._lock = threading.Lock()

    def get(self, key: str) -> Device | None:
        with self._lock:
            return self._items.get(key)

    def put(self, key: str, device: Device) -> None:
        with self._lock:
            self._items.put(key, device)


@dataclass(frozen=True)
class AppContext:
    """Everything a request handler needs; stored on ``app.state.ctx`` (one per app, no globals)."""

    settings: Settings
    engine: Engine
    catalog: CampaignCatalog
    devices: DeviceCache = field(default_factory=DeviceCache)
    # SQLite with inline hot-path work: concurrent check-ins share one commit (server.db.GroupCommit)
    group: GroupCommit | None = None

    async def run_db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking database work: inline for SQLite (sub-millisecond, single writer: a thread
        hop only adds GIL hand-offs), in the thread pool for PostgreSQL (network round trips)."""
        if self.settings.inline_db:
            return fn(*args, **kwargs)
        return await run_in_threadpool(fn, *args, **kwargs)


# Dependencies are ``async`` when they do not block: a sync dependency costs a thread-pool hop.
async def get_ctx(request: Request) -> AppContext:
    return request.app.state.ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]

T = TypeVar("T")

_device_bearer = HTTPBearer(auto_error=False, scheme_name="DeviceToken", description="device_token from enrolment")
_admin_bearer = HTTPBearer(auto_error=False, scheme_name="AdminToken", description="token from create-admin-token")

_UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


def _lookup_device(ctx: AppContext, key: str) -> Device | None:
    with ctx.engine.connect() as conn:
        row = Raw(conn).one(q.DEVICE_BY_TOKEN, {"token_hash": key})
    return None if row is None else Device(row[0], row[1], row[2])


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


async def authenticate(request: Request) -> Device:
    """The enrolled device behind the bearer token, or 401 (cached per app; the DB is read off-loop)."""
    ctx: AppContext = request.app.state.ctx
    key = bearer_key(request.scope)
    if key is None or key == _EMPTY_TOKEN_HASH:
        raise ApiError(401, "unauthorized", "missing bearer token", _UNAUTHORIZED)
    device = ctx.devices.get(key)
    if device is None:
        device = await ctx.run_db(_lookup_device, ctx, key)
        if device is None:
            # ``invalid_token`` is the one answer on which a client drops its token (docs/api.md)
            raise ApiError(401, "invalid_token", "unknown device token", _UNAUTHORIZED)
        ctx.devices.put(key, device)
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
) -> None:
    if creds is None or not creds.credentials:
        raise ApiError(401, "unauthorized", "missing admin token", _UNAUTHORIZED)
    with ctx.engine.connect() as conn:
        found = conn.scalar(
            select(admin_tokens.c.token_hash).where(admin_tokens.c.token_hash == token_hash(creds.credentials))
        )
    if found is None:
        raise ApiError(401, "unauthorized", "unknown admin token", _UNAUTHORIZED)


CurrentDevice = Annotated[Device, Depends(get_device)]
Admin = Depends(require_admin)
