"""Unknown query parameters are errors (422), like unknown body fields: typos never pass silently."""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from server.errors import ApiError


def _declared(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _declared(sub)
    return names


async def reject_unknown_query(request: Request) -> None:
    """App-wide dependency: 422 when the query string names a parameter the route does not declare."""
    if not request.query_params:
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    unknown = sorted(set(request.query_params.keys()) - _declared(route.dependant))
    if unknown:
        shown = ", ".join(repr(u) for u in unknown[:5])
        raise ApiError(422, "validation_error", f"unknown query parameter(s): {shown}")
