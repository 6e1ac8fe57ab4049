"""Read routes of the workflow: the caller's tasks, the operator queue, one issue."""

from typing import Annotated

from fastapi import APIRouter, Query

from redgrid_shared.deps import PoolDep
from redgrid_shared.errors import ERROR_RESPONSES

from dispatch.deps import Desk, Worker
from redgrid_shared.edge import error_example
from dispatch.workflow import service
from dispatch.workflow.api import ERRORS, IssueId
from dispatch.workflow.models import IssueWork, WorkPage

router = APIRouter(prefix="/v1", tags=["workflow"])
Cursor = Annotated[str | None, Query(max_length=300, description="`next_cursor` of the page before")]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size", examples=[50])]
LIST_ERRORS = {**ERROR_RESPONSES, 422: error_example(
    "A cursor this API did not return, or a limit out of 1..200", "invalid_request",
    "query.cursor: not a cursor this API returned",
    {"query.cursor": "not a cursor this API returned"})}


@router.get("/tasks", response_model=WorkPage, summary="The caller's open work",
            responses=LIST_ERRORS)
async def get_tasks(caller: Worker, pool: PoolDep, cursor: Cursor = None,
                    limit: Limit = 50) -> WorkPage:
    """Stewards and repairers: the issues they hold (assigned, accepted, in progress);
    operators and admins: all open work of their community. Soonest deadline first; on a
    tie, urgent and 一老一小 reports first. The resident's unit and id are shown to the staff
    of the issue's grid only."""
    return await service.tasks(pool, principal=caller, cursor=cursor, limit=limit)


@router.get("/queue", response_model=WorkPage, summary="Issues awaiting an operator",
            responses={**LIST_ERRORS, 403: error_example(
                "Not an operator or admin", "forbidden",
                "this action needs one of the roles: operator, admin")})
async def get_queue(caller: Desk, pool: PoolDep, cursor: Cursor = None,
                    limit: Limit = 50) -> WorkPage:
    """Unroutable and returned issues of the caller's community, longest waiting first;
    `queue_reason` says why. Assign one with `POST /v1/issues/{id}/assign`."""
    return await service.queue(pool, principal=caller, cursor=cursor, limit=limit)


@router.get("/issues/{issue_id}", response_model=IssueWork, summary="One issue's work state",
            responses={**ERROR_RESPONSES, 404: ERRORS[404]})
async def get_issue(issue_id: IssueId, caller: Worker, pool: PoolDep) -> IssueWork:
    """Status, owners and running deadlines of an issue the caller may see."""
    return await service.get_issue(pool, issue_id=issue_id, principal=caller)
