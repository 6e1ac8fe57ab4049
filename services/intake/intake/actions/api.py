"""Routes of the resident actions: comments, cancel, confirm, reopen, rating."""

from typing import Annotated

from fastapi import APIRouter, Body, Path
from fastapi.responses import JSONResponse

from intake.actions import handlers
from intake.actions.models import Cancel, Comment, Confirm, Rate, Reopen
from intake.models import IssueView, TimelineEntry
from intake.responses import WRITE, errors
from intake.words.language import Language
from redgrid_shared.auth import Caller
from redgrid_shared.deps import ClockDep, IdempotencyKey, PoolDep

router = APIRouter(prefix="/v1/issues/{issue_id}", tags=["resident actions"])
IssueId = Annotated[str, Path(description="Issue id, e.g. `iss-3f9c2a7d41b0e865`",
                              max_length=64)]
PENDING = ("Recorded at once and answered `202` with the issue showing the status asked for "
           "and `pending_action`; dispatch then settles it (`issue.resident-action-settled`) "
           "and the view shows the outcome: the action applies, or is refused when the staff "
           "got there first (e.g. work started), and the timeline says which.")
IDEMPOTENT = " A retry with the same `Idempotency-Key` and body returns the first answer."
ONLY_OWNER = " Only the resident who reported the issue (403 for anyone else who can see it)."


def _examples(model) -> dict:
    return {"example": {"summary": model.__doc__.splitlines()[0],
                        "value": model.model_config["json_schema_extra"]["examples"][0]}}


@router.post(
    "/comments", status_code=201, response_model=TimelineEntry, summary="Comment on an issue",
    description="Adds a comment to the issue's timeline, read by the resident and by the staff "
                "of its grid. The resident who owns the issue, the steward or repairer of its "
                "grid, and the community's operators and admins may comment, in any status."
                + IDEMPOTENT,
    responses=errors(*WRITE, described={409: "Only as an optimistic-concurrency race lost "
                                             "five times; retry"}),
)
async def comment(issue_id: IssueId, caller: Caller, pool: PoolDep, key: IdempotencyKey,
                  clock: ClockDep, lang: Language,
                  command: Annotated[Comment, Body(openapi_examples=_examples(Comment))]
                  ) -> JSONResponse:
    return (await handlers.comment(pool, principal=caller, issue_id=issue_id, command=command,
                                   key=key, clock=clock, lang=lang)).response()


@router.post(
    "/cancel", status_code=202, response_model=IssueView, summary="Cancel a report",
    description="Withdraws the report before work starts: in status `reported`, `unroutable`, "
                "`assigned`, `accepted` or `returned`; otherwise 409 naming the status. "
                + PENDING + ONLY_OWNER + IDEMPOTENT,
    responses=errors(*WRITE),
)
async def cancel(issue_id: IssueId, caller: Caller, pool: PoolDep, key: IdempotencyKey,
                 clock: ClockDep, lang: Language,
                 command: Annotated[Cancel | None, Body(openapi_examples=_examples(Cancel))] = None
                 ) -> JSONResponse:
    return (await handlers.cancel(pool, principal=caller, issue_id=issue_id,
                                  command=command or Cancel(), key=key, clock=clock,
                                  lang=lang)).response()


@router.post(
    "/confirm", status_code=202, response_model=IssueView, summary="Confirm the fix",
    description="The resident accepts the fix of a `resolved` issue, which then closes; in any "
                "other status 409 naming it. The body may be empty. " + PENDING + ONLY_OWNER
                + IDEMPOTENT,
    responses=errors(*WRITE),
)
async def confirm(issue_id: IssueId, caller: Caller, pool: PoolDep, key: IdempotencyKey,
                  clock: ClockDep, lang: Language,
                  command: Annotated[Confirm | None,
                                     Body(openapi_examples=_examples(Confirm))] = None
                  ) -> JSONResponse:
    return (await handlers.confirm(pool, principal=caller, issue_id=issue_id, key=key,
                                   clock=clock, lang=lang)).response()


@router.post(
    "/reopen", status_code=202, response_model=IssueView, summary="Reopen (发回重办)",
    description="Sends a `resolved` issue back to its grid within 7 days of the fix, that is "
                "before its `close_due_at`; a reason is required. After that, or in another "
                "status, 409 naming the status. Applied, the issue is assigned again. "
                + PENDING + ONLY_OWNER + IDEMPOTENT,
    responses=errors(*WRITE),
)
async def reopen(issue_id: IssueId, caller: Caller, pool: PoolDep, key: IdempotencyKey,
                 clock: ClockDep, lang: Language,
                 command: Annotated[Reopen, Body(openapi_examples=_examples(Reopen))]
                 ) -> JSONResponse:
    return (await handlers.reopen(pool, principal=caller, issue_id=issue_id, command=command,
                                  key=key, clock=clock, lang=lang)).response()


@router.post(
    "/rating", status_code=201, response_model=IssueView, summary="Rate the work (回访)",
    description="A score from 1 to 5 and an optional comment, once per issue, when it is "
                "`resolved` or `closed`; another status is 409 naming it, a second rating 409 "
                "`already_rated`." + ONLY_OWNER + IDEMPOTENT,
    responses=errors(*WRITE),
)
async def rate(issue_id: IssueId, caller: Caller, pool: PoolDep, key: IdempotencyKey,
               clock: ClockDep, lang: Language,
               command: Annotated[Rate, Body(openapi_examples=_examples(Rate))]) -> JSONResponse:
    return (await handlers.rate(pool, principal=caller, issue_id=issue_id, command=command,
                                key=key, clock=clock, lang=lang)).response()
