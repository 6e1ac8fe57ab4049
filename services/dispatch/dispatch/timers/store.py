"""SQL of the timers table: claimed by the worker. Kept in step with an issue's state by the
working row's save (workflow.store.save, one statement with the row), as timers.plan wants."""

from collections.abc import Collection
from datetime import datetime

import asyncpg


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
