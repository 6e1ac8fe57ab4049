"""Grid directory routes. Request -> use case -> response; no SQL here."""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from redgrid_shared.auth import Caller, require_role
from redgrid_shared.deps import IdempotencyKey, PoolDep
from redgrid_shared.errors import ERROR_RESPONSES

from dispatch.deps import Admin, ClockDep
from redgrid_shared.edge import error_example as _error
from dispatch.grids import service
from dispatch.grids.models import ID_PATTERN, ConfigureGrid, GridPage, GridView

router = APIRouter(prefix="/v1", tags=["grids"])


NOT_FOUND = {404: _error("No such grid, or not one the caller may see", "not_found",
                         "no grid g-09")}
PUT_ERRORS = {
    **ERROR_RESPONSES,
    403: _error("Not an admin, or `community` is not the admin's own", "forbidden",
                "admins configure the grids of their own community only",
                {"body.community": "must be your community, erqiaoxi"}),
    409: _error("A building already belongs to another grid of the community, or the grid "
                "kept changing under concurrent PUTs", "building_taken",
                "a building has one grid only: b-02 belongs to grid g-01",
                {"body.buildings": "b-02 belongs to grid g-01"}),
}


GridId = Annotated[str, Path(pattern=ID_PATTERN, description="Grid id, e.g. g-03",
                             examples=["g-03"])]


@router.put(
    "/grids/{grid_id}", response_model=GridView, summary="Create or replace a grid (admin)",
    responses={200: {"description": "Updated, or unchanged (then no event is written)"},
               201: {"model": GridView, "description": "Created"}, **PUT_ERRORS},
)
async def put_grid(grid_id: GridId, body: ConfigureGrid, caller: Admin, pool: PoolDep,
                   key: IdempotencyKey, clock: ClockDep) -> JSONResponse:
    """Configure a grid: its buildings, steward, repairer, backups and members.

    `community` must be the admin's own. A grid is (community, grid_id): another
    community's grid with the same id is a different grid, unseen and untouched. Each
    building belongs to one grid of a community; claiming another grid's building is 409
    naming it. Sending the same body again changes nothing and writes no event.
    """
    result = await service.configure_grid(pool, grid_id=grid_id, command=body,
                                           principal=caller, idempotency_key=key, clock=clock)
    return result.response()


@router.get("/grids", response_model=GridPage, summary="The caller's grids",
            responses={**ERROR_RESPONSES, 403: {"description": "Residents have no grids"}})
async def get_grids(caller: Caller, pool: PoolDep,
                    cursor: Annotated[str | None, Query(max_length=64,
                                                        description="next_cursor of the page before")] = None,
                    limit: Annotated[int, Query(ge=1, le=200)] = 50) -> GridPage:
    """Admins and operators: the community's grids; stewards and repairers: their own."""
    require_role(caller, "admin", "operator", "steward", "repairer")
    return await service.list_grids(pool, principal=caller, cursor=cursor, limit=limit)


@router.get("/grids/{grid_id}", response_model=GridView, summary="One grid",
            responses={**ERROR_RESPONSES, **NOT_FOUND})
async def get_grid(grid_id: GridId, caller: Caller, pool: PoolDep) -> GridView:
    """A grid of the caller's community they may see (404 otherwise, so ids do not leak)."""
    require_role(caller, "admin", "operator", "steward", "repairer")
    return await service.get_grid(pool, grid_id=grid_id, principal=caller)
