"""POST /v1/devices/enroll: redeem a one-time enrolment code for a device token."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from server.accounts import enroll_device
from server.context import Ctx
from server.errors import ErrorResponse
from server.guard import code_guard
from server.schemas import DeviceKind, EnrollRequest, EnrollResponse
from server.strict import StrictRoute

router = APIRouter(tags=["devices"], route_class=StrictRoute)


@router.post(
    "/v1/devices/enroll",
    response_model=EnrollResponse,
    status_code=201,
    responses={401: {"model": ErrorResponse}, 409: {"model": ErrorResponse}, 429: {"model": ErrorResponse}},
    dependencies=[Depends(code_guard)],  # wrong codes are counted per address and per code
)
def enroll(ctx: Ctx, body: EnrollRequest) -> EnrollResponse:
    """The token is shown once; the server keeps only its sha256."""
    device_id, token, landmark = enroll_device(
        ctx.engine,
        code=body.enrollment_code,
        name=body.name,
        kind=body.kind.value,
        landmark_id=body.landmark_id,
        now=ctx.settings.clock(),
        enrollment_key=body.enrollment_key,
    )
    return EnrollResponse(device_id=device_id, device_token=token, kind=DeviceKind(body.kind), landmark_id=landmark)
