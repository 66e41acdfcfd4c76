"""Route classes: unknown query parameters are errors (422), like unknown body fields (typos never
pass silently); and lean request handling for the hottest routes."""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from server.errors import ApiError

ModelT = TypeVar("ModelT", bound=BaseModel)


def _declared(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _declared(sub)
    return names


def reject_unknown_query(request: Request, declared: frozenset[str]) -> None:
    """422 when the query string names a parameter the route does not declare."""
    if request.scope.get("query_string"):
        unknown = sorted(set(request.query_params.keys()) - declared)
        if unknown:
            shown = ", ".join(repr(u) for u in unknown[:5])
            raise ApiError(422, "validation_error", f"unknown query parameter(s): {shown}")


class StrictRoute(APIRoute):
    """An APIRoute that answers 422 when the query string names a parameter the route does not
    declare. The declared names are computed once per route (a per-request dependency would cost
    a FastAPI dependency solve on every call)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        return self._strict(super().get_route_handler())

    def _strict(self, handler: LeanHandler) -> LeanHandler:
        """``handler`` behind the unknown-query-parameter check."""
        declared = frozenset(_declared(self.dependant))

        async def strict_handler(request: Request) -> Response:
            reject_unknown_query(request, declared)
            return await handler(request)

        return strict_handler


LeanHandler = Callable[[Request], Coroutine[Any, Any, Response]]


def lean(handler: LeanHandler) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark an endpoint to be served by ``handler`` at run time (see ``LeanRoute``)."""

    def mark(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        endpoint.__lean__ = handler  # type: ignore[attr-defined]
        return endpoint

    return mark


class LeanRoute(StrictRoute):
    """For the hottest routes: the OpenAPI comes from the endpoint's signature as usual, but requests
    are served by the hand-written handler the endpoint was marked with (``@lean(handler)``).

    FastAPI's generic request handling (dependency solving, content-type parsing, re-validating
    the returned model) cost more CPU than the whole database transaction of a check-in. The lean
    handler must keep the signature's semantics: the same auth, path and body validation (errors
    raised as ``RequestValidationError`` so they render like FastAPI's) and the same response
    model. tests/server/test_server_fuzz.py checks the served behaviour against this OpenAPI.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler: LeanHandler | None = getattr(self.endpoint, "__lean__", None)
        if handler is None:
            return super().get_route_handler()
        self.lean_handler = self._strict(handler)
        return self.lean_handler


ExceptionHandlers = Mapping[Any, Callable[[Request, Exception], Coroutine[Any, Any, Response]]]


class HotRoutes:
    """Serves the hottest routes from the app's outermost layer, by one regex per route.

    FastAPI (0.16x) runs every request through six ASGI layers (server errors, telemetry, body
    limit, exceptions, exit stack, router) and matches it by walking every included router twice,
    shuffling scope keys on each candidate: for a one-action check-in that cost about as much CPU
    as its database transaction. ``server.middleware.EdgeMiddleware`` asks ``match`` first and
    calls ``serve``, which renders errors with the app's own exception handlers, as those layers
    would (an unexpected exception: the app's 500 handler, then re-raised to the server). Only an
    exact method and path match of a listed ``LeanRoute`` is served here, with the same
    ``path_params`` (lean handlers have no dependencies); anything else takes FastAPI's path.
    """

    def __init__(self, routes: list[APIRoute], exception_handlers: ExceptionHandlers) -> None:
        self.exception_handlers = exception_handlers
        self.table: dict[str, list[tuple[re.Pattern[str], APIRoute, LeanHandler]]] = {}
        for route in routes:
            handler: LeanHandler | None = getattr(route, "lean_handler", None)
            if handler is None:
                raise ValueError(f"{route.path}: not a lean route")
            if any(c.regex != "[^/]+" for c in route.param_convertors.values()):
                raise ValueError(f"{route.path}: only plain string path parameters are dispatched")
            for method in route.methods or ():
                self.table.setdefault(method, []).append((route.path_regex, route, handler))

    def match(self, scope: Scope) -> LeanHandler | None:
        """The lean handler for this request (its path parameters put in ``scope``), or None."""
        if scope["type"] == "http" and not scope.get("root_path"):
            for regex, route, handler in self.table.get(scope["method"], ()):
                match = regex.match(scope["path"])
                if match is not None:
                    # Path parameters of these routes are plain strings (Starlette's ``str`` convertor).
                    scope["path_params"] = match.groupdict()
                    scope["endpoint"] = route.endpoint
                    scope["route"] = route
                    return handler
        return None

    async def serve(self, handler: LeanHandler, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        try:
            response = await handler(request)
        except Exception as exc:
            render = self._handler_for(exc)
            if render is None:
                raise
            await (await render(request, exc))(scope, receive, send)
            if self.exception_handlers.get(Exception) is render:
                raise  # as Starlette's ServerErrorMiddleware: the server logs it too
            return
        await response(scope, receive, send)

    def _handler_for(self, exc: Exception) -> Any:
        for cls in type(exc).__mro__:  # the most specific registered class, as Starlette looks it up
            if cls in self.exception_handlers:
                return self.exception_handlers[cls]
        return None


class JsonBytes(Response):
    """A 200 response of already serialised JSON: the same status line and headers as
    ``Response(body, media_type="application/json")`` without its generic header building."""

    media_type = "application/json"

    def __init__(self, body: bytes) -> None:
        self.status_code = 200
        self.background = None
        self.body = body
        self.raw_headers = [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


async def _body(request: Request) -> bytes:
    """The whole request body (as ``Request.body()``, without its stream machinery)."""
    chunks: list[bytes] = []
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def json_body(request: Request, model: type[ModelT]) -> ModelT:
    """The request body validated as ``model`` (422 like FastAPI's for a missing, non-JSON or invalid body)."""
    raw = await _body(request)
    if not raw:
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}])
    if not _is_json(request.headers.get("content-type", "")):
        raise RequestValidationError(
            [{"type": "content_type", "loc": ("body",), "msg": "expected an application/json body", "input": None}]
        )
    try:
        return model.model_validate_json(raw)
    except ValidationError as err:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in err.errors(include_url=False)]
        ) from None


def path_param(request: Request, name: str, pattern: re.Pattern[str]) -> str:
    value: str = request.path_params[name]
    if pattern.search(value) is None:  # pydantic's pattern semantics (the pattern has its anchors)
        raise RequestValidationError(
            [{"type": "string_pattern_mismatch", "loc": ("path", name),
              "msg": f"String should match pattern '{pattern.pattern}'", "input": value}]
        )
    return value
