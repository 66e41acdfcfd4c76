"""Route classes: unknown query parameters are errors (422), like unknown body fields (typos never
pass silently); and lean request handling for the hottest routes."""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from server.errors import ApiError

ModelT = TypeVar("ModelT", bound=BaseModel)


def _declared(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _declared(sub)
    return names


class StrictRoute(APIRoute):
    """An APIRoute that answers 422 when the query string names a parameter the route does not
    declare. The declared names are computed once per route (a per-request dependency would cost
    a FastAPI dependency solve on every call)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        declared = frozenset(_declared(self.dependant))

        async def strict_handler(request: Request) -> Response:
            if request.scope.get("query_string"):
                unknown = sorted(set(request.query_params.keys()) - declared)
                if unknown:
                    shown = ", ".join(repr(u) for u in unknown[:5])
                    raise ApiError(422, "validation_error", f"unknown query parameter(s): {shown}")
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
        declared = frozenset(_declared(self.dependant))

        async def lean_handler(request: Request) -> Response:
            if request.scope.get("query_string"):
                unknown = sorted(set(request.query_params.keys()) - declared)
                if unknown:
                    shown = ", ".join(repr(u) for u in unknown[:5])
                    raise ApiError(422, "validation_error", f"unknown query parameter(s): {shown}")
            return await handler(request)

        return lean_handler


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


async def json_body(request: Request, model: type[ModelT]) -> ModelT:
    """The request body validated as ``model`` (422 like FastAPI's for a missing, non-JSON or invalid body)."""
    raw = await request.body()
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
