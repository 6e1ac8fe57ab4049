"""Staff availability and grid history routes: request -> use case -> response; no SQL here."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse

from redgrid_shared.auth import Caller, Principal
from redgrid_shared.deps import IdempotencyKey, PoolDep
from redgrid_shared.errors import ERROR_RESPONSES

from dispatch.deps import ClockDep, SettingsDep, Worker
from redgrid_shared.edge import error_example
from dispatch.grids.models import ID_PATTERN
from dispatch.staffing import decide, service
from dispatch.staffing.models import AvailabilityView, ChangeAvailability, GridHistory

router = APIRouter(prefix="/v1", tags=["staff"])

StaffId = Annotated[str, Path(pattern=ID_PATTERN, description="The person's id, e.g. s-03",
                              examples=["s-03"])]
GridId = Annotated[str, Path(pattern=ID_PATTERN, description="Grid id, e.g. g-03",
                             examples=["g-03"])]


async def marker(staff_id: StaffId, caller: Caller) -> Principal:
    """The caller, if they may mark this person (checked before the body is read)."""
    decide.may_change(caller, staff_id)
    return caller


Marker = Annotated[Principal, Depends(marker)]
FORBIDDEN = {403: error_example(
    "Neither an admin of the community nor the person themselves", "forbidden",
    "only an admin of the community or the person themselves may change their availability")}


@router.put("/staff/{staff_id}/availability", response_model=AvailabilityView,
            summary="Mark a steward or repairer on leave or back (admin, or the person)",
            responses={**ERROR_RESPONSES, **FORBIDDEN})
async def put_availability(staff_id: StaffId, body: ChangeAvailability, caller: Marker,
                           pool: PoolDep, key: IdempotencyKey, clock: ClockDep,
                           settings: SettingsDep) -> JSONResponse:
    """`available: false` marks the person on leave: `staff.availability-changed`, and each
    of their open issues (assigned, accepted, in progress) goes to the other available holder
    of their role in its grid (the backup, or the regular holder when the person was the
    backup) with `issue.assigned` reason `backup_cover`, covering_for the person; the
    new holder signs off again. Work with no one available to take it stays with the person
    (`kept`). While away, any work given to their grids (a report, a reopen, a referral
    sent back, an operator's or a meeting's assignment) goes to the backup; work needing a
    role no one can take waits for an operator (a report: `issue.unroutable`, reason
    `no_available_staff`; see docs/decisions.md for the other paths). `available: true` marks them back: new work reaches them again;
    work already handed over stays with the backup. Marking someone as they already stand
    writes nothing."""
    result = await service.change_availability(
        pool, staff_id=staff_id, command=body, principal=caller, idempotency_key=key,
        clock=clock, timing=settings.timing)
    return result.response()


@router.get("/staff/{staff_id}/availability", response_model=AvailabilityView,
            summary="Whether a person is on leave", responses={**ERROR_RESPONSES})
async def get_availability(staff_id: StaffId, caller: Worker, pool: PoolDep) -> AvailabilityView:
    """A person of the caller's community; someone never marked is available (version 0)."""
    return await service.get_availability(pool, staff_id=staff_id, principal=caller)


@router.get("/grids/{grid_id}/history", response_model=GridHistory,
            summary="Who held a grid when",
            responses={**ERROR_RESPONSES, 404: error_example(
                "No such grid in the caller's community, or not one they may see",
                "not_found", "no grid g-09")})
async def get_grid_history(grid_id: GridId, caller: Worker, pool: PoolDep) -> GridHistory:
    """Periods, oldest first, in which the same people held the grid's steward and repairer
    work: a new period starts with every configuration (grid.configured) and with every leave
    or return of a regular holder or backup that changes who takes the work. A period names
    the people who actually took new work (a backup while the regular holder was away),
    who was absent, and the configuration in force. Seen by the community's desk and the
    grid's staff; another community's grid with the same id is never shown."""
    return await service.grid_history(pool, grid_id=grid_id, principal=caller)
