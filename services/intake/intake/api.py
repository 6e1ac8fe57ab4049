"""Intake's REST routes: request model -> use case -> HTTP response. No SQL here."""

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import JSONResponse

from intake import handlers
from intake.models import (CategoryView, ErrorResponse, IssuePage, IssueView, ReportIssue,
                           REPORT_EXAMPLE, Status, TimelineEntry)
from redgrid_shared.auth import Caller
from redgrid_shared.deps import IdempotencyKey, PoolDep
from redgrid_shared.errors import ERROR_RESPONSES

router = APIRouter(prefix="/v1")


def _errors(*codes: int) -> dict:
    described = {**ERROR_RESPONSES,
                 403: {"description": "The caller's role may not do this"},
                 404: {"description": "No such issue, or not one the caller may see"}}
    return {c: {**described[c], "model": ErrorResponse} for c in codes}


REPORT_EXAMPLES = {
    "resident": {"summary": "A resident reports a blocked drain", "value": REPORT_EXAMPLE},
    "elderly_alone": {
        "summary": "An elderly resident living alone (handled as urgent)",
        "value": {"category": "repair.seepage", "description": "卫生间天花板渗水",
                  "building": "b-01", "unit": "1-502", "vulnerable": "elderly"}},
    "on_behalf": {
        "summary": "A steward files a report raised at a grid visit",
        "value": {"category": "safety.fire", "description": "楼道内电动车飞线充电",
                  "building": "b-02", "source": "grid_visit", "on_behalf_of": "u-1002"}},
}
IssueId = Annotated[str, Path(description="Issue id, e.g. `iss-3f9c2a7d41b0e865`",
                              max_length=64)]


@router.post(
    "/issues", status_code=201, response_model=IssueView, tags=["issues"],
    summary="Report an issue",
    description="Records the report and returns the new issue (status `reported`); dispatch "
                "then routes it to the grid of its building. Residents report for themselves; "
                "a steward, operator or admin reports for a resident with `on_behalf_of`. The "
                "community comes from the token. A retry with the same `Idempotency-Key` "
                "returns the first response, with header `Idempotent-Replayed: true`.",
    responses=_errors(401, 403, 422),
)
async def report_issue(command: Annotated[ReportIssue, Body(openapi_examples=REPORT_EXAMPLES)],
                       caller: Caller, pool: PoolDep, key: IdempotencyKey) -> JSONResponse:
    result = await handlers.report_issue(pool, principal=caller, command=command,
                                         idempotency_key=key)
    response = result.response()
    response.headers["Location"] = f"/v1/issues/{result.body['id']}"
    return response


@router.get(
    "/issues", response_model=IssuePage, tags=["issues"], summary="List issues in your scope",
    description="Newest first. A resident sees their own issues, a steward or repairer those "
                "of their grids, an operator or admin the whole community.",
    responses=_errors(401, 422),
)
async def list_issues(
    caller: Caller, pool: PoolDep,
    status: Annotated[Status | None, Query(description="Only issues in this status")] = None,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page",
                                        max_length=512)] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 20,
) -> IssuePage:
    return await handlers.list_issues(pool, principal=caller, status=status, cursor=cursor,
                                      limit=limit)


@router.get("/issues/{issue_id}", response_model=IssueView, tags=["issues"],
            summary="Read one issue", responses=_errors(401, 404))
async def get_issue(issue_id: IssueId, caller: Caller, pool: PoolDep) -> IssueView:
    return await handlers.get_issue(pool, principal=caller, issue_id=issue_id)


@router.get("/issues/{issue_id}/timeline", response_model=list[TimelineEntry], tags=["issues"],
            summary="Read an issue's timeline, oldest first", responses=_errors(401, 404))
async def get_timeline(issue_id: IssueId, caller: Caller, pool: PoolDep) -> list[TimelineEntry]:
    return await handlers.get_timeline(pool, principal=caller, issue_id=issue_id)


@router.get("/categories", response_model=list[CategoryView], tags=["categories"],
            summary="List issue categories with their default deadlines",
            description="Public. Limits are the defaults; dispatch applies run-time changes.")
async def list_categories() -> list[CategoryView]:
    return handlers.category_views()
