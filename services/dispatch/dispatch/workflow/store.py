"""SQL of the issue working rows (dispatch_issues): written with every append, read by lists."""

from datetime import date, datetime

import asyncpg

from redgrid_shared.events import IssueReported

from dispatch.workflow.aggregate import Issue

Db = asyncpg.Connection | asyncpg.Pool


async def record_report(conn: asyncpg.Connection, report: IssueReported, *,
                        reported_at: datetime) -> None:
    """The working row of a newly reported issue, before its first dispatch event."""
    await conn.execute(
        """INSERT INTO dispatch_issues (issue_id, community, building, category, status,
               vulnerable, reporter_id, unit, reported_at, version, tie_rank, description)
           VALUES ($1,$2,$3,$4,'reported',$5,$6,$7,$8,0,$9,$10)
           ON CONFLICT (issue_id) DO NOTHING""",
        report.issue_id, report.community, report.building, report.category,
        report.vulnerable, report.reporter_id, report.unit, reported_at,
        0 if report.vulnerable else 1, report.description)


async def issue_row(db: Db, issue_id: str) -> asyncpg.Record | None:
    """Dispatch's working row of one issue."""
    return await db.fetchrow("SELECT * FROM dispatch_issues WHERE issue_id = $1", issue_id)


async def lock_row(conn: asyncpg.Connection, issue_id: str) -> asyncpg.Record | None:
    """The working row, locked until the transaction ends: every writer of an issue takes
    this lock first (the timer worker takes it with its timer), so no two writers of one
    issue wait on each other in opposite orders."""
    return await conn.fetchrow("SELECT * FROM dispatch_issues WHERE issue_id = $1 FOR UPDATE",
                               issue_id)


_SAVE = """UPDATE dispatch_issues SET status = $2, grid_id = $3, steward_id = $4,
               repairer_id = $5, urgent = $6, signoff_due_at = $7,
               completion_limit_minutes = $8, completion_due_at = $9, resolved_at = $10,
               close_due_at = $11, meeting_date = $12, department = $13, assigned_unit = $14,
               queue_reason = $15, unroutable_reason = $16, due_at = $17,
               tie_rank = CASE WHEN $6 OR vulnerable IS NOT NULL THEN 0 ELSE 1 END,
               version = $18, updated_at = $19
           WHERE issue_id = $1"""
# The same update, and the issue's pending timers made exactly $20/$21 (kinds, due times):
# stale ones go (cancel, close, sign-off...), new ones come, fired rows stay. One statement:
# the deleted and the inserted timers never share a key, so the two never meet.
_SAVE_WITH_TIMERS = f"""
    WITH saved AS ({_SAVE}),
    stale AS (
        DELETE FROM timers WHERE issue_id = $1 AND fired_at IS NULL
          AND (kind, due_at) NOT IN (SELECT * FROM unnest($20::text[], $21::timestamptz[])))
    INSERT INTO timers (issue_id, kind, due_at)
    SELECT $1, k, d FROM unnest($20::text[], $21::timestamptz[]) AS t(k, d)
    ON CONFLICT DO NOTHING"""


async def save(conn: asyncpg.Connection, issue: Issue, *, at: datetime,
               timers: set[tuple[str, datetime]] | None = None) -> None:
    """Bring the working row to the issue's state after an append (same transaction), and,
    when `timers` is given, its pending (kind, due_at) timers to exactly those, in the same
    statement (timers.plan says which a state wants)."""
    args = _save_args(issue, at)
    if timers is None:
        await conn.execute(_SAVE, *args)
        return
    await conn.execute(_SAVE_WITH_TIMERS, *args, *_timer_args(timers))


async def save_many(conn: asyncpg.Connection,
                    saves: list[tuple[Issue, set[tuple[str, datetime]]]], *, at: datetime) -> None:
    """`save` with timers for several issues, pipelined in one round trip (executemany)."""
    await conn.executemany(_SAVE_WITH_TIMERS, [(*_save_args(issue, at), *_timer_args(timers))
                                               for issue, timers in saves])


def _save_args(issue: Issue, at: datetime) -> tuple:
    deadline = issue.current_deadline()
    return (issue.issue_id, issue.status, issue.grid_id, issue.steward_id, issue.repairer_id,
            issue.urgent, issue.signoff_due_at, issue.completion_limit_minutes,
            issue.completion_due_at, issue.resolved_at, issue.close_due_at, issue.meeting_date,
            issue.department, issue.unit, issue.queue_reason,
            issue.queue_reason if issue.status == "unroutable" else None,
            deadline[1] if deadline else None, issue.version, at)


def _timer_args(timers: set[tuple[str, datetime]]) -> tuple[list, list]:
    return [k for k, _ in timers], [d for _, d in timers]


async def tasks(db: Db, *, community: str, person: tuple[str, str] | None,
                after: tuple[datetime, int, str] | None, limit: int) -> list[asyncpg.Record]:
    """Open work (assigned, accepted, in progress) by deadline, urgent and 一老一小 first on
    ties; `person` = (role, sub) narrows it to the work they hold in that role (None: the
    whole community)."""
    role, sub = person if person is not None else (None, None)
    return await db.fetch(
        """SELECT * FROM dispatch_issues
           WHERE status IN ('assigned', 'accepted', 'in_progress') AND community = $1
             AND ($2::text IS NULL
                  OR ($7::text = 'steward' AND steward_id = $2)
                  OR ($7::text = 'repairer' AND repairer_id = $2))
             AND ($3::timestamptz IS NULL OR (due_at, tie_rank, issue_id) > ($3, $4, $5))
           ORDER BY due_at, tie_rank, issue_id LIMIT $6""",
        community, sub, *(after or (None, None, None)), limit, role)


async def queue(db: Db, *, community: str, after: tuple[datetime, str] | None,
                limit: int) -> list[asyncpg.Record]:
    """Unroutable and returned issues awaiting an operator, longest waiting first."""
    return await db.fetch(
        """SELECT * FROM dispatch_issues
           WHERE status IN ('unroutable', 'returned') AND community = $1
             AND ($2::timestamptz IS NULL OR (updated_at, issue_id) > ($2, $3))
           ORDER BY updated_at, issue_id LIMIT $4""",
        community, *(after or (None, None)), limit)


async def agenda(db: Db, *, community: str, meeting_date: date) -> list[asyncpg.Record]:
    """The escalated issues awaiting the meeting of that date, oldest escalation first."""
    return await db.fetch(
        """SELECT * FROM dispatch_issues
           WHERE status = 'escalated' AND community = $1 AND meeting_date = $2
           ORDER BY updated_at, issue_id""", community, meeting_date)


async def awaiting_meetings(db: Db, *, community: str) -> dict[date, int]:
    """How many escalated issues await each meeting date of a community."""
    rows = await db.fetch(
        """SELECT meeting_date, count(*) AS n FROM dispatch_issues
           WHERE status = 'escalated' AND community = $1 GROUP BY meeting_date
           ORDER BY meeting_date""", community)
    return {r["meeting_date"]: r["n"] for r in rows}
