"""Staff workflow routes: 签收 accept, start, 办结 resolve, 退单 return, escalate, refer,
referral outcome and manual assignment. Request -> use case -> response; no SQL here."""

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from redgrid_shared.auth import Principal
from redgrid_shared.deps import IdempotencyKey, PoolDep
from redgrid_shared.errors import ERROR_RESPONSES

from dispatch.deps import ClockDep, Desk, SettingsDep, Worker
from redgrid_shared.edge import error_example
from dispatch.meetings.calendar import next_meeting_day
from dispatch.staffing import store as staffing
from dispatch.workflow import decide, rules, service
from dispatch.workflow.models import (AssignIssue, EscalateIssue, IssueWork, ReferIssue,
                                      ReferralOutcome, ResolveIssue, ReturnIssue)

router = APIRouter(prefix="/v1", tags=["workflow"])
IssueId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$",
                              description="Issue id", examples=["iss-3f9c2a7d41b0e865"])]

ERRORS = {
    **ERROR_RESPONSES,
    403: error_example("The caller is not assigned to the issue (nor an operator)", "forbidden",
                       "only the assigned staff or an operator may accept this issue"),
    404: error_example("No such issue, or not one the caller may see", "not_found",
                       "no issue iss-3f9c2a7d41b0e865"),
    409: error_example("The issue's status does not allow the action (another caller may "
                       "have acted first); `fields.status` is the current status",
                       "wrong_status", "cannot accept an issue in status accepted",
                       {"status": "accepted"}),
}
OK = {200: {"model": IssueWork, "description": "The issue after the action"}}


def _post(path: str, summary: str, **extra):
    return router.post(path, summary=summary, response_model=IssueWork,
                       responses={**OK, **ERRORS, **extra})


async def _run(pool, *, issue_id: str, action: str, caller: Principal, key, payload, clock,
               decision) -> JSONResponse:
    result = await service.command(pool, issue_id=issue_id, action=action, principal=caller,
                                   key=key, payload=payload, clock=clock, decision=decision)
    return result.response()


@_post("/issues/{issue_id}/accept", "签收: sign off an assigned issue")
async def accept(issue_id: IssueId, caller: Worker, pool: PoolDep, key: IdempotencyKey,
                 clock: ClockDep, settings: SettingsDep) -> JSONResponse:
    """The assigned steward or repairer (or an operator) signs the issue off. `on_time` in the
    event says whether it was before the sign-off deadline; the completion deadline starts
    now. A second sign-off (e.g. steward and repairer at once) is 409 naming `accepted`."""
    async def decision(conn, issue, now):
        return decide.accept(issue, by=caller, now=now, timing=settings.timing)
    return await _run(pool, issue_id=issue_id, action="accept", caller=caller, key=key,
                      payload={}, clock=clock, decision=decision)


@_post("/issues/{issue_id}/start", "Start work on a signed-off issue")
async def start(issue_id: IssueId, caller: Worker, pool: PoolDep, key: IdempotencyKey,
                clock: ClockDep) -> JSONResponse:
    """From `accepted` to `in_progress`. After this the resident can no longer cancel."""
    async def decision(conn, issue, now):
        return decide.start(issue, by=caller)
    return await _run(pool, issue_id=issue_id, action="start", caller=caller, key=key,
                      payload={}, clock=clock, decision=decision)


@_post("/issues/{issue_id}/resolve", "办结: resolve the issue")
async def resolve(issue_id: IssueId, body: ResolveIssue, caller: Worker, pool: PoolDep,
                  key: IdempotencyKey, clock: ClockDep, settings: SettingsDep) -> JSONResponse:
    """From `accepted` or `in_progress`. The note says what was done; `repair.paid` work
    also says what was charged (required, 0 or more; refused for other categories). The
    resident then has 7 days to confirm or reopen; silence closes it (`close_due_at`)."""
    async def decision(conn, issue, now):
        return decide.resolve(issue, by=caller, now=now, note=body.note,
                              amount_charged=body.amount_charged, timing=settings.timing)
    return await _run(pool, issue_id=issue_id, action="resolve", caller=caller, key=key,
                      payload=body.model_dump(mode="json"), clock=clock, decision=decision)


@_post("/issues/{issue_id}/return", "退单: give the work back, with a reason")
async def return_issue(issue_id: IssueId, body: ReturnIssue, caller: Worker, pool: PoolDep,
                       key: IdempotencyKey, clock: ClockDep,
                       settings: SettingsDep) -> JSONResponse:
    """From `assigned`, `accepted` or `in_progress`. The work goes to the grid's backup for
    the returner's role (`issue.assigned`, reason `returned`, a fresh sign-off deadline) or,
    without one, waits in the operator queue with status `returned`."""
    async def decision(conn, issue, now):
        return decide.return_work(issue, by=caller, now=now, reason=body.reason,
                                  grid=await service.grid_of(conn, issue.community,
                                                             issue.grid_id),
                                  limits=await service.limits_of(conn, issue),
                                  timing=settings.timing,
                                  away=await staffing.away(conn, issue.community))
    return await _run(pool, issue_id=issue_id, action="return", caller=caller, key=key,
                      payload=body.model_dump(mode="json"), clock=clock, decision=decision)


@_post("/issues/{issue_id}/escalate", "Escalate to the next 逢四说事 meeting")
async def escalate(issue_id: IssueId, body: EscalateIssue, caller: Worker, pool: PoolDep,
                   key: IdempotencyKey, clock: ClockDep) -> JSONResponse:
    """The issue's steward (or an operator) puts it on the agenda of the next meeting day
    (4th, 14th, 24th, Asia/Shanghai; on a meeting day itself, the following one)."""
    async def decision(conn, issue, now):
        return decide.escalate(issue, by=caller, reason=body.reason,
                               meeting_date=next_meeting_day(now))
    return await _run(pool, issue_id=issue_id, action="escalate", caller=caller, key=key,
                      payload=body.model_dump(mode="json"), clock=clock, decision=decision)


@_post("/issues/{issue_id}/refer", "Refer to a department (operator)")
async def refer(issue_id: IssueId, body: ReferIssue, caller: Desk, pool: PoolDep,
                key: IdempotencyKey, clock: ClockDep) -> JSONResponse:
    """Hand an open issue to the street office (街道), housing (住建), police (公安) or fire
    (消防). Its outcome is recorded later with `referral-outcome`."""
    async def decision(conn, issue, now):
        return decide.refer(issue, by=caller, department=body.department, note=body.note)
    return await _run(pool, issue_id=issue_id, action="refer", caller=caller, key=key,
                      payload=body.model_dump(mode="json"), clock=clock, decision=decision)


@_post("/issues/{issue_id}/referral-outcome", "Record a department's answer (operator)")
async def referral_outcome(issue_id: IssueId, body: ReferralOutcome, caller: Desk,
                           pool: PoolDep, key: IdempotencyKey, clock: ClockDep,
                           settings: SettingsDep) -> JSONResponse:
    """From `referred`. Resolved: the issue is resolved (via `referral`) and the resident's
    7 days start. Not resolved: back to its grid's staff with a new sign-off deadline (a
    backup for anyone on leave, named in `covering_for`), or to the operator queue
    (`returned`) when it has no grid or its holder and backup are both on leave."""
    async def decision(conn, issue, now):
        return decide.referral_outcome(
            issue, by=caller, now=now, outcome=body.outcome, resolved=body.resolved,
            grid=await service.grid_of(conn, issue.community, issue.grid_id),
            limits=await service.limits_of(conn, issue), timing=settings.timing,
            away=await staffing.away(conn, issue.community))
    return await _run(pool, issue_id=issue_id, action="referral-outcome", caller=caller,
                      key=key, payload=body.model_dump(mode="json"), clock=clock,
                      decision=decision)


@_post("/issues/{issue_id}/assign", "Assign by hand (operator)")
async def assign(issue_id: IssueId, body: AssignIssue, caller: Desk, pool: PoolDep,
                 key: IdempotencyKey, clock: ClockDep, settings: SettingsDep) -> JSONResponse:
    """Any open issue (typically from the queue): to a grid of the caller's community and/or
    named people; a fresh sign-off deadline starts with the community's current limits.
    A grid's role whose holder is on leave goes to its backup (named in `covering_for`);
    named people are taken as named. An unknown grid, or a needed role whose holder and
    backup are both on leave, is 422 naming `body.grid_id` (the issue stays as it was)."""
    async def decision(conn, issue, now):
        rules.check(issue, "assign", caller)  # who and status before the grid lookup
        return decide.assign(issue, by=caller, grid=await service.target_grid(
                                 conn, issue, body.grid_id),
                             now=now, limits=await service.limits_of(conn, issue),
                             timing=settings.timing,
                             away=await staffing.away(conn, issue.community),
                             steward_id=body.steward_id,
                             repairer_id=body.repairer_id, note=body.note)
    return await _run(pool, issue_id=issue_id, action="assign", caller=caller, key=key,
                      payload=body.model_dump(mode="json"), clock=clock, decision=decision)
