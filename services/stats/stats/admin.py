"""Admin routes of stats: start a rebuild into a fresh schema and watch its progress."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from redgrid_shared.auth import Caller, Principal, require_role
from redgrid_shared.deps import IdempotencyKey, PoolDep
from redgrid_shared.errors import ERROR_RESPONSES, ApiError
from redgrid_shared.idempotency import run_command

from stats import rebuild

router = APIRouter(prefix="/v1/stats/rebuild", tags=["stats admin"], responses=ERROR_RESPONSES)


class RebuildState(BaseModel):
    rebuild_id: str
    state: str
    read: int
    total: int
    applied: int
    parked: int
    schema_name: str | None
    retired: str | None
    started_at: str | None
    finished_at: str | None
    error: str | None
    seconds: float


async def admin_only(request: Request, caller: Caller) -> Principal:
    """A rebuild re-reads every community's events: admins of the operations community only
    (REDGRID_OPS_COMMUNITY), as for dead letters; a community's own admin gets 403."""
    require_role(caller, "admin")
    if caller.community != request.app.state.settings.ops_community:
        raise ApiError(403, "forbidden", "a rebuild covers every community: admins of the "
                                         "operations community only")
    return caller


AdminDep = Annotated[Principal, Depends(admin_only)]


def _state(request: Request) -> rebuild.Progress:
    if not hasattr(request.app.state, "rebuild"):
        request.app.state.rebuild = rebuild.Progress()
    return request.app.state.rebuild


def _view(p: rebuild.Progress) -> RebuildState:
    v = p.view()
    for k in ("started_at", "finished_at"):
        v[k] = v[k].isoformat() if v[k] else None
    return RebuildState(**v)


@router.post("", status_code=202, response_model=RebuildState,
             summary="Rebuild every stats projection from offset 0, then switch over",
             description="Admins of the operations community only (`REDGRID_OPS_COMMUNITY`). Reads both topics from the beginning into a fresh "
                         "schema while the live one keeps serving, then swaps them atomically; "
                         "live consumers continue without loss. 409 while one runs. Watch it at "
                         "GET /v1/stats/rebuild/progress. See docs/operations.md.",
             responses={409: {"description": "a rebuild is already running"}})
async def start(request: Request, caller: AdminDep, pool: PoolDep,
                key: IdempotencyKey) -> JSONResponse:
    settings = request.app.state.settings
    runtime = request.app.state.runtime

    async def effect(conn) -> tuple[int, dict]:
        current = _state(request)
        if current.state in ("reading", "switching"):
            raise ApiError(409, "conflict", f"a rebuild is already {current.state}: "
                                            f"{current.rebuild_id}")
        progress = rebuild.Progress(state="reading", rebuild_id=uuid.uuid4().hex[:12])
        request.app.state.rebuild = progress

        async def run() -> None:
            await rebuild.rebuild(settings.database_url, settings.kafka_bootstrap_servers,
                                  settings.schema, progress=progress)
            if runtime.pool is not None:
                await runtime.pool.expire_connections()  # fresh plans on the new tables

        request.app.state.rebuild_task = rebuild.run_in_background(run())
        return 202, _view(progress).model_dump(mode="json")

    result = await run_command(pool, principal=caller, key=key, operation="stats-rebuild",
                               payload={}, effect=effect)
    return result.response()


@router.get("/progress", response_model=RebuildState, summary="Progress of the last rebuild",
            description="Admins of the operations community only. `state`: idle, reading, switching, done or failed; "
                        "`read` of `total` records (the log's size when it started).")
async def progress(request: Request, _: AdminDep) -> RebuildState:
    return _view(_state(request))
