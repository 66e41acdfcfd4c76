"""Who is asking: the client address (X-Forwarded-For only from configured proxies), and the
failed-authentication limiter that makes token floods and code guessing cost the guesser.

Buckets live in the worker's memory (``server.ratelimit``): with N workers an address gets up to
N times the budget, which still turns a flood into 429s (docs/deploy.md "Scaling out").
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import AsyncIterator, Iterable
from typing import Any

from fastapi import Request
from starlette.types import Scope

from server.errors import ApiError
from server.ratelimit import TokenBucketLimiter
from server.security import token_hash

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    """``client(scope)``: the peer address, or, when the peer is a configured proxy, the
    right-most X-Forwarded-For entry that is not itself a configured proxy."""

    def __init__(self, allowed: Iterable[str]) -> None:
        self.networks: tuple[Network, ...] = tuple(ipaddress.ip_network(a, strict=False) for a in allowed)

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.networks)

    def client(self, scope: Scope) -> str:
        try:
            return scope["client_ip"]
        except KeyError:
            pass
        peer = scope.get("client")
        address = peer[0] if peer else "unknown"
        if self.networks and self._trusted(address):
            forwarded = [
                value.decode("latin-1") for name, value in scope.get("headers", ()) if name == b"x-forwarded-for"
            ]
            hops = [h.strip() for h in ",".join(forwarded).split(",") if h.strip()]
            for hop in reversed(hops):
                if not self._trusted(hop):
                    address = hop if _is_ip(hop) else address
                    break
        scope["client_ip"] = address
        return address


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class AuthGuard:
    """Failed authentications per client address and per code: an empty bucket answers 429
    before anything is looked up; each failure takes one token."""

    def __init__(self, per_min: float, burst: int, proxies: TrustedProxies) -> None:
        self.limiter = TokenBucketLimiter(per_min / 60.0, burst)
        self.proxies = proxies

    def _wait(self, key: str) -> float:
        return self.limiter.peek(key)

    def check(self, *keys: str) -> None:
        """429 when any of the buckets is empty."""
        wait = max((self._wait(k) for k in keys), default=0.0)
        if wait > 0:
            retry = str(max(1, math.ceil(wait)))
            raise ApiError(429, "rate_limited", f"too many failed attempts; retry in {retry} s", {"Retry-After": retry})

    def failed(self, *keys: str) -> None:
        for key in keys:
            self.limiter.take(key)

    def address_key(self, scope: Scope) -> str:
        return "ip:" + self.proxies.client(scope)


def code_key(kind: str, code: str) -> str:
    return f"{kind}:{token_hash(code.strip().upper().replace('-', '').replace(' ', ''))[:32]}"


async def _code_from_body(request: Request) -> str | None:
    try:
        body: Any = await request.json()
    except Exception:  # malformed bodies are the route's to reject (422)
        return None
    if isinstance(body, dict):
        for name in ("enrollment_code", "claim_code"):
            value = body.get(name)
            if isinstance(value, str):
                return value
    return None


async def code_guard(request: Request) -> AsyncIterator[None]:
    """Dependency of the code-redeeming routes (enrolment, claim): 429 once the address or the
    code has used its failures; a 401/404 answer (wrong code) counts as one failure of both."""
    guard: AuthGuard = request.app.state.ctx.guard
    code = await _code_from_body(request)
    keys = [guard.address_key(request.scope)]
    if code is not None:
        keys.append(code_key("code", code))
    guard.check(*keys)
    try:
        yield
    except ApiError as err:
        if err.status in (401, 404):
            guard.failed(*keys)
        raise
