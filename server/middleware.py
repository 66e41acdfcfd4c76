"""Pure ASGI middleware at the app's edge: request log line, per-client rate limit, body size limit."""

from __future__ import annotations

import json
import logging
import math
import os
import threading
import time
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.context import bearer_key
from server.guard import TrustedProxies
from server.ratelimit import TokenBucketLimiter
from server.strict import HotRoutes

access_log = logging.getLogger("server.access")

EXEMPT_PATHS = frozenset({"/v1/health"})


async def _send_error(send: Send, status: int, code: str, message: str, headers: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value
    return None


_record_template: dict[str, Any] | None = None


def _access_record() -> logging.LogRecord:
    """A fresh INFO "request" record of ``access_log``. Building one the usual way cost more than
    formatting it (caller lookup, path splitting, process and thread names, a getpid system call);
    here the fields that never change within a process are copied from one real record."""
    global _record_template
    if _record_template is None:
        template = logging.LogRecord(access_log.name, logging.INFO, __file__, 0, "request", None, None, "request")
        _record_template = dict(template.__dict__)
    record = logging.LogRecord.__new__(logging.LogRecord)
    fields = record.__dict__
    fields.update(_record_template)
    now = time.time()
    fields["created"] = now
    fields["msecs"] = int((now - int(now)) * 1000) + 0.0
    fields["relativeCreated"] = (now - logging._startTime) * 1000  # type: ignore[attr-defined]
    fields["thread"] = threading.get_ident()
    fields["threadName"] = threading.current_thread().name
    return record


def _forget_record_template() -> None:
    global _record_template
    _record_template = None  # a forked child has another process id


os.register_at_fork(after_in_child=_forget_record_template)


def _log_request(method: str, path: str, status: int, ms: float, state: dict[str, Any]) -> None:
    """The request's log line, as ``access_log.info("request", extra=...)`` would make it, without
    that call's caller lookup and extra-merging (this runs on every request)."""
    record = _access_record()
    record.__dict__.update(
        method=method, path=path, status=status, ms=round(ms, 2), device_id=state.get("device_id")
    )
    access_log.handle(record)


def rate_key(scope: Scope, proxies: TrustedProxies) -> str:
    """The request's rate-limit bucket (see ``EdgeMiddleware.key``)."""
    token = bearer_key(scope)
    if token is not None:
        return "t:" + token[:32]
    return "ip:" + proxies.client(scope)


class EdgeMiddleware:
    """The app's outermost layer, in one ASGI layer (three layers cost three coroutine frames and
    wrapped send/receive callables on every request):

    1. one JSON log line per request: method, path, status, ms, device_id (never a token);
    2. 429 with Retry-After once a device token (or, without one, a client IP) exceeds its bucket
       (``/v1/health`` is exempt);
    3. 413 for bodies over ``limit`` bytes: by Content-Length up front, and by counting streamed
       chunks (400 for a malformed Content-Length);
    4. the hot routes (``hot``) served directly, everything else passed to FastAPI's stack (``app``).
    """

    def __init__(
        self, app: ASGIApp, limiter: TokenBucketLimiter, limit: int, hot: HotRoutes | None = None,
        proxies: TrustedProxies | None = None,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.limit = limit
        self.hot = hot
        self.proxies = proxies or TrustedProxies(())

    def key(self, scope: Scope) -> str:
        """The bucket: the bearer token's, else the client address's (X-Forwarded-For only from a
        configured proxy). Made-up tokens get buckets of their own here; ``server.guard.AuthGuard``
        charges their failures to the address."""
        return rate_key(scope, self.proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_logged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._limited(scope, receive, send_logged)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                state: dict[str, Any] = scope.get("state") or {}
                _log_request(scope["method"], scope["path"], status, (time.perf_counter() - start) * 1000, state)

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] not in EXEMPT_PATHS:
            wait = self.limiter.take(self.key(scope))
            if wait > 0:
                retry = str(max(1, math.ceil(wait)))
                await _send_error(
                    send, 429, "rate_limited", f"too many requests; retry in {retry} s", [(b"retry-after", retry.encode())]
                )
                return
        length = _header(scope, b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                await _send_error(send, 400, "bad_request", "invalid Content-Length", [])
                return
            if declared > self.limit:
                await _send_error(send, 413, "payload_too_large", f"body over {self.limit} bytes", [])
                return
        received = 0
        limit = self.limit

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # An HTTPException passes through FastAPI's body parsing unchanged (→ 413 JSON).
                    raise HTTPException(413, f"body over {limit} bytes")
            return message

        handler = self.hot.match(scope) if self.hot is not None else None
        if handler is not None:
            assert self.hot is not None
            await self.hot.serve(handler, scope, limited_receive, send)
        else:
            await self.app(scope, limited_receive, send)
