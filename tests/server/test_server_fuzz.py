"""Schemathesis over the whole OpenAPI, in-process (ASGI), on both backends.

Every operation gets positive and negative generated requests with the checks the installed
Schemathesis runs by default: no 500s, responses match the schema (status, content type, body),
negative data is rejected, auth is not ignored. Bounded: MAX_EXAMPLES per operation and mode.
(The pytest-lazy ``from_fixture`` loader does not work with this pytest, so strategies are driven
with Hypothesis directly; same cases, same checks.)
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation

from tests.server.conftest import Api

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 20


def _fuzz(operation: Any, mode: GenerationMode, headers: dict[str, str], player: str) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        if mode is GenerationMode.POSITIVE and "player_id" in (case.path_parameters or {}):
            case.path_parameters["player_id"] = player  # reach the real logic, not only 404
        # Send the real token unless the generated case deliberately breaks the headers.
        headers_broken = case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER)
        case.call_and_validate(headers=None if headers_broken else headers)

    try:
        run()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        # nothing in this operation can be made invalid (e.g. GET /v1/health has no inputs)


def test_openapi_fuzz(api: Api) -> None:
    device = api.enroll("kiosk", "lm01")
    player = api.new_player(device)["player_id"]
    admin = {"Authorization": f"Bearer {api.admin_token()}"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11
    for operation in operations:
        headers = admin if operation.path.startswith("/v1/admin") else device
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, headers, player)
