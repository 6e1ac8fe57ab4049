"""Meeting use cases: the next meeting, a meeting's agenda, and recording its minutes.

Recording minutes is one transaction: each decision becomes events on its issue through the
workflow (resolved / assigned to a unit / referred / carried to the next meeting day), then
meeting.held is appended to meeting-<community>/<date> at version 0, so minutes exist once.
"""

import asyncpg

from redgrid_shared import idempotency, topics
from redgrid_shared.auth import Principal
from redgrid_shared.clock import Clock
from redgrid_shared.events import MeetingDecision, MeetingHeld, envelope
from redgrid_shared.eventstore import ConcurrencyConflict, PgEventStore

from dispatch import SERVICE
from redgrid_shared.domain import Invalid
from dispatch.meetings import minutes, store, views
from dispatch.meetings.calendar import is_meeting_day, local_date, meeting_day_after, next_meeting_day
from dispatch.meetings.models import MeetingView, NextMeeting, PendingMeeting, RecordMinutes
from dispatch.sla import limits as sla
from dispatch.staffing import store as staffing
from dispatch.workflow import decide, stream
from dispatch.workflow import service as work_service
from dispatch.workflow import store as work


def meeting_stream(community: str, meeting_date) -> str:
    return f"meeting-{community}/{meeting_date.isoformat()}"


async def record_minutes(pool: asyncpg.Pool, *, meeting_date, command: RecordMinutes,
                         principal: Principal, idempotency_key: str | None, clock: Clock,
                         timing: sla.Timing) -> idempotency.CommandResult:
    """POST /v1/meetings/{date}/minutes: 201 with the meeting as held."""
    async def effect(conn: asyncpg.Connection) -> tuple[int, dict]:
        now = clock()
        minutes.check_meeting_day(meeting_date)
        await store.lock_meeting(conn, principal.community, meeting_date)
        held = await store.minutes(conn, principal.community, meeting_date)
        agenda = [r["issue_id"] for r in
                  await work.agenda(conn, community=principal.community,
                                    meeting_date=meeting_date)]
        event = minutes.decide_minutes(
            meeting_date, command, community=principal.community, agenda=agenda,
            recorded_by=principal.sub, now=now,
            recorded=(held["recorded_by"], held["recorded_at"]) if held else None)
        # In issue-id order, like a hand-over to backups: multi-issue writers lock alike.
        for i, decision in sorted(enumerate(event.decisions), key=lambda d: d[1].issue_id):
            await _apply(conn, decision, index=i, meeting=event, principal=principal, now=now,
                         timing=timing)
        await PgEventStore(conn).append(
            meeting_stream(principal.community, meeting_date), 0,
            [envelope(event, service=SERVICE, subject=meeting_date.isoformat(), time=now)],
            topic=topics.DISPATCH_EVENTS)
        await store.save_minutes(conn, event, at=now)
        view = await views.meeting(conn, community=principal.community,
                                   meeting_date=meeting_date, now=now)
        return 201, view.model_dump(mode="json")

    # A concurrent recording of the same minutes loses the append at version 0 and, run again,
    # finds the minutes recorded (409); a staff action racing on an item is decided again.
    return await idempotency.run_command(
        pool, principal=principal, key=idempotency_key,
        operation=f"minutes:{meeting_date.isoformat()}",
        payload=command.model_dump(mode="json"), effect=effect,
        retry_on=(ConcurrencyConflict, asyncpg.UniqueViolationError))


async def _apply(conn: asyncpg.Connection, decision: MeetingDecision, *, index: int,
                 meeting: MeetingHeld, principal: Principal, now, timing: sla.Timing) -> None:
    """One agenda item's decision as events on its issue."""
    issue = await stream.load(conn, decision.issue_id)
    day = meeting.meeting_date
    match decision.decision:
        case "resolved":
            events = decide.resolve_at_meeting(issue, by=principal, now=now, meeting_date=day,
                                               note=decision.note, timing=timing)
        case "referred":
            events = decide.refer(issue, by=principal, department=decision.department,
                                  note=decision.note, meeting_date=day)
        case "carried":
            events = decide.carry(issue, by=principal, to_meeting=next_meeting_day(now),
                                  reason=decision.note or minutes.NOT_DECIDED)
        case _:  # assigned to a unit, carried out by the grid's staff (backups if away)
            grid = await work_service.grid_of(conn, issue.community, issue.grid_id)
            if grid is None:
                raise Invalid(f"body.decisions.{index}.decision",
                              f"{issue.issue_id} has no grid to carry out the work: refer it, "
                              "or assign it by hand from the operator queue")
            events = decide.assign_at_meeting(
                issue, by=principal, grid=grid, unit=decision.unit, now=now,
                limits=await work_service.limits_of(conn, issue), timing=timing,
                away=await staffing.away(conn, issue.community),
                field=f"body.decisions.{index}.decision", note=decision.note)
    await stream.append(conn, issue, events, now=now)


async def get_meeting(pool: asyncpg.Pool, *, meeting_date, principal: Principal,
                      clock: Clock) -> MeetingView:
    """GET /v1/meetings/{date}: the agenda (and minutes, once held) of a meeting day."""
    minutes.check_meeting_day(meeting_date)
    async with pool.acquire() as conn:
        return await views.meeting(conn, community=principal.community,
                                   meeting_date=meeting_date, now=clock())


async def next_meeting(pool: asyncpg.Pool, *, principal: Principal, clock: Clock) -> NextMeeting:
    """GET /v1/meetings/next: today's meeting until its minutes are in, else the following."""
    today = local_date(clock())
    held_today = is_meeting_day(today) and await store.minutes(
        pool, principal.community, today) is not None
    day = today if is_meeting_day(today) and not held_today else meeting_day_after(today)
    waiting = await work.awaiting_meetings(pool, community=principal.community)
    return NextMeeting(community=principal.community, meeting_date=day,
                       agenda_size=waiting.get(day, 0),
                       awaiting_minutes=[PendingMeeting(meeting_date=d, agenda_size=n)
                                         for d, n in sorted(waiting.items()) if d < day])
