"""逢四说事 routes: the next meeting, a meeting's agenda, its minutes. No SQL here."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from redgrid_shared.deps import IdempotencyKey, PoolDep
from redgrid_shared.errors import ERROR_RESPONSES

from dispatch.deps import ClockDep, Desk, SettingsDep, Worker
from redgrid_shared.edge import error_example
from dispatch.meetings import service
from dispatch.meetings.models import MeetingView, NextMeeting, RecordMinutes

router = APIRouter(prefix="/v1/meetings", tags=["meetings"])

MeetingDate = Annotated[date, Path(description="A meeting day (the 4th, 14th or 24th), "
                                               "Asia/Shanghai", examples=["2024-06-14"])]
NOT_A_MEETING_DAY = error_example(
    "Not a meeting day, not held yet, or a decision naming an issue not on the agenda",
    "invalid_request", "body.decisions.1.issue_id: iss-x is not on the agenda of 2024-06-14",
    {"body.decisions.1.issue_id": "iss-x is not on the agenda of 2024-06-14"})


@router.get("/next", response_model=NextMeeting, summary="The next 逢四说事 meeting",
            responses={**ERROR_RESPONSES})
async def get_next(caller: Worker, pool: PoolDep, clock: ClockDep) -> NextMeeting:
    """The caller's community's next meeting day (today's until its minutes are recorded)
    and how many escalated issues await it; earlier meeting days whose minutes were never
    recorded are listed with the issues still waiting on them."""
    return await service.next_meeting(pool, principal=caller, clock=clock)


@router.get("/{meeting_date}", response_model=MeetingView, summary="A meeting's agenda",
            responses={**ERROR_RESPONSES, 422: NOT_A_MEETING_DAY})
async def get_meeting(meeting_date: MeetingDate, caller: Worker, pool: PoolDep,
                      clock: ClockDep) -> MeetingView:
    """Before the minutes: the issues escalated to that day and still waiting (an escalation
    joins the first meeting day strictly after its Shanghai date). After: the items the
    minutes decided, each with its decision. Every item carries the issue's summary (category,
    what the resident wrote, building, grid, status) and its history (dispatch events,
    oldest first). Only the caller's community; any date other than a 4th, 14th or 24th is
    422 naming `path.meeting_date`."""
    return await service.get_meeting(pool, meeting_date=meeting_date, principal=caller,
                                     clock=clock)


@router.post("/{meeting_date}/minutes", status_code=201, response_model=MeetingView,
             summary="Record a meeting's minutes (operator, admin)",
             responses={**ERROR_RESPONSES, 422: NOT_A_MEETING_DAY,
                        403: error_example("Only operators and admins record minutes",
                                           "forbidden",
                                           "this action needs one of the roles: operator, admin"),
                        409: error_example("Minutes of that day are already recorded",
                                           "minutes_recorded",
                                           "minutes of the meeting of 2024-06-14 were recorded "
                                           "by op-01 at 2024-06-14T11:30:00+08:00; they are "
                                           "recorded once",
                                           {"path.meeting_date": "minutes already recorded"})})
async def post_minutes(meeting_date: MeetingDate, body: RecordMinutes, caller: Desk,
                       pool: PoolDep, key: IdempotencyKey, clock: ClockDep,
                       settings: SettingsDep) -> JSONResponse:
    """Attendees by side and one decision per agenda item, each recorded on its issue:
    `resolved` → issue.resolved (via meeting; the resident's 7 days to confirm start),
    `assigned` (with `unit`) → issue.assigned reason meeting, to the grid's staff (a backup
    for anyone on leave, in `covering_for`) with the unit named, a fresh sign-off clock, `referred` (with `department`) → issue.referred
    with the meeting date, `carried` → issue.escalated cause carried to the next meeting
    day. Agenda items the minutes leave out are carried too. Then `meeting.held`.
    Minutes are recorded once, on or after the meeting day: a second POST is 409, except
    the retry of the first with the same `Idempotency-Key`, which replays its answer. A
    decision naming an issue not on that day's agenda, or `assigned` for an issue with no
    grid or no one available in it (holder and backup on leave), is 422 naming the field. Issues
    raised at the meeting itself are reported to intake with `source: meeting`."""
    result = await service.record_minutes(pool, meeting_date=meeting_date, command=body,
                                          principal=caller, idempotency_key=key, clock=clock,
                                          timing=settings.timing)
    return result.response()
