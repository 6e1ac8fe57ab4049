"""SLA routes: the community's limits (read) and an admin's change of one category."""

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from redgrid_shared.deps import IdempotencyKey, PoolDep
from redgrid_shared.errors import ERROR_RESPONSES

from dispatch.deps import Admin, ClockDep, SettingsDep, Worker
from redgrid_shared.edge import error_example
from dispatch.sla import service
from dispatch.sla.models import CategoryCode, CategoryLimitsView, SetLimits, SlaView

router = APIRouter(prefix="/v1", tags=["sla"])


@router.get("/sla", response_model=SlaView, summary="The community's SLA limits",
            responses=ERROR_RESPONSES)
async def get_sla(caller: Worker, pool: PoolDep, settings: SettingsDep) -> SlaView:
    """Sign-off limits (from assignment) and completion limits (from sign-off) of every
    category in the caller's community: the catalogue's defaults unless an admin changed
    them (`overridden`)."""
    return await service.read(pool, community=caller.community,
                              time_scale=settings.sla_time_scale)


@router.put("/sla/{category}", response_model=CategoryLimitsView,
            summary="Change a category's limits (admin)",
            responses={**ERROR_RESPONSES,
                       403: error_example("Not an admin", "forbidden",
                                          "this action needs one of the roles: admin"),
                       422: error_example("A limit out of 1..129600 minutes, or an unknown "
                                          "category", "invalid_request",
                                          "invalid fields: body.signoff_minutes",
                                          {"body.signoff_minutes":
                                           "Input should be greater than or equal to 1"})})
async def put_sla(category: Annotated[CategoryCode, Path(description="Category code",
                                                         examples=["repair.pipe"])],
                  body: SetLimits, caller: Admin, pool: PoolDep, key: IdempotencyKey,
                  clock: ClockDep) -> JSONResponse:
    """Records `sla.changed` (stream `sla-<community>`) for the admin's own community.
    Only future deadlines change: issues assigned from now on get the new sign-off limit
    and carry the new completion limit; deadlines already running keep theirs. The same
    limits again change nothing and record no event."""
    result = await service.change(pool, category=category, body=body, principal=caller,
                                  key=key, clock=clock)
    return result.response()
