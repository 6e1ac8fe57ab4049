"""SQL of the timers table: kept in step with an issue's state, claimed by the worker."""

from collections.abc import Collection
from datetime import datetime

import asyncpg

from dispatch.timers import plan
from dispatch.workflow.aggregate import Issue


async def sync(conn: asyncpg.Connection, issue: Issue) -> None:
    """Make the pending timers of an issue the ones its state wants (same transaction as
    the append): stale ones go (cancel, close, sign-off...), new ones come; fired rows stay."""
    wanted = plan.wanted(issue)
    kinds = [k for k, _ in wanted]
    dues = [d for _, d in wanted]
    await conn.execute(
        """DELETE FROM timers WHERE issue_id = $1 AND fired_at IS NULL
             AND (kind, due_at) NOT IN (SELECT * FROM unnest($2::text[], $3::timestamptz[]))""",
        issue.issue_id, kinds, dues)
    if wanted:
        await conn.execute(
            """INSERT INTO timers (issue_id, kind, due_at)
               SELECT $1, k, d FROM unnest($2::text[], $3::timestamptz[]) AS t(k, d)
               ON CONFLICT DO NOTHING""", issue.issue_id, kinds, dues)


async def claim_due(conn: asyncpg.Connection, *, now: datetime,
                    skip: Collection[str] = ()) -> asyncpg.Record | None:
    """Lock one due, unfired timer and its issue's working row, both free (the caller's
    transaction). Taking the issue's lock with the timer's keeps one lock order with staff
    actions (issue row, then timers): a busy issue is skipped this round, never deadlocked.
    `skip` names issues whose timers failed in this process (they wait for a restart)."""
    return await conn.fetchrow(
        """SELECT t.issue_id, t.kind, t.due_at FROM timers t
           JOIN dispatch_issues d USING (issue_id)
           WHERE t.fired_at IS NULL AND t.due_at <= $1 AND NOT (t.issue_id = ANY($2))
           ORDER BY t.due_at LIMIT 1 FOR UPDATE OF t, d SKIP LOCKED""", now, list(skip))


async def mark_fired(conn: asyncpg.Connection, timer: asyncpg.Record, *, at: datetime) -> None:
    await conn.execute(
        "UPDATE timers SET fired_at = $4 WHERE issue_id = $1 AND kind = $2 AND due_at = $3",
        timer["issue_id"], timer["kind"], timer["due_at"], at)
