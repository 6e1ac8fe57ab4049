"""Intake's REST routes: request model -> use case -> HTTP response. No SQL here."""

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import JSONResponse

from intake import handlers
from intake.models import IssuePage, IssueView, ReportIssue, REPORT_EXAMPLE, Status, TimelineEntry
from intake.responses import READ, WRITE, errors
from intake.words.language import Language
from redgrid_shared.auth import Caller
from redgrid_shared.deps import ClockDep, IdempotencyKey, PoolDep

router = APIRouter(prefix="/v1")


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
    responses=errors(*(c for c in WRITE if c not in (404, 409))),
)
async def report_issue(command: Annotated[ReportIssue, Body(openapi_examples=REPORT_EXAMPLES)],
                       caller: Caller, pool: PoolDep, key: IdempotencyKey, clock: ClockDep,
                       lang: Language) -> JSONResponse:
    result = await handlers.report_issue(pool, principal=caller, command=command,
                                         idempotency_key=key, clock=clock, lang=lang)
    response = result.response()
    response.headers["Location"] = f"/v1/issues/{result.body['id']}"
    return response


@router.get(
    "/issues", response_model=IssuePage, tags=["issues"], summary="List issues in your scope",
    description="Newest first. A resident sees their own issues, a steward or repairer those "
                "of their grids, an operator or admin the whole community.",
    responses=errors(*(c for c in READ if c != 404)),
)
async def list_issues(
    caller: Caller, pool: PoolDep, lang: Language,
    status: Annotated[Status | None, Query(description="Only issues in this status")] = None,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page",
                                        max_length=512)] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 20,
) -> IssuePage:
    return await handlers.list_issues(pool, principal=caller, status=status, cursor=cursor,
                                      limit=limit, lang=lang)


@router.get("/issues/{issue_id}", response_model=IssueView, tags=["issues"],
            summary="Read one issue",
            description="Where the issue stands: status (and `status_label` in the reader's "
                        "language), grid, steward and repairer, deadlines, the meeting date "
                        "when escalated, the department when referred, the resolution and "
                        "the rating. The resident who owns it, the staff of its grid and the "
                        "community's operators and admins may read it; anyone else gets 404.",
            responses=errors(*READ))
async def get_issue(issue_id: IssueId, caller: Caller, pool: PoolDep,
                    lang: Language) -> IssueView:
    return await handlers.get_issue(pool, principal=caller, issue_id=issue_id, lang=lang)


@router.get("/issues/{issue_id}/timeline", response_model=list[TimelineEntry], tags=["issues"],
            summary="Read an issue's timeline, oldest first",
            description="Every event of the issue, the resident's and the staff's, each with "
                        "`type`, `time`, the fields its readers may see and a `summary` in "
                        "words a resident reads (Simplified Chinese, or English with "
                        "`Accept-Language: en`). Staff appear by role; ids only of the grid's "
                        "steward and repairer. Same readers as the issue.",
            responses=errors(*READ))
async def get_timeline(issue_id: IssueId, caller: Caller, pool: PoolDep,
                       lang: Language) -> list[TimelineEntry]:
    return await handlers.get_timeline(pool, principal=caller, issue_id=issue_id, lang=lang)
