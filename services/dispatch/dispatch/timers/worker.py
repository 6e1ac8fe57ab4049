"""The timer worker: fires due deadlines, each exactly once, across restarts and replicas.

Every poll is one indexed query. A due timer is claimed with FOR UPDATE SKIP LOCKED (another
replica skips it), marked fired and acted on in one transaction with the events it causes:
a crash before commit leaves it unfired for the next poll; after commit it is never taken
again. The issue's own state is the second guard: an overdue already recorded, or a
deadline no longer running, yields no event.
"""

import asyncio
import logging
from collections.abc import Collection
from datetime import datetime

import asyncpg
from prometheus_client import Counter

from redgrid_shared.clock import Clock
from redgrid_shared.eventstore import ConcurrencyConflict

from redgrid_shared.domain import NotFound
from dispatch.meetings.calendar import next_meeting_day
from dispatch.timers import store
from dispatch.workflow import automatic, stream
from dispatch.workflow.aggregate import Issue

log = logging.getLogger(__name__)
FIRED = Counter("redgrid_dispatch_timers_fired_total", "Deadlines fired", ["kind", "outcome"])
MAX_BACKOFF_SECONDS = 10.0


def on_timer(issue: Issue, *, kind: str, due_at: datetime, now: datetime) -> list:
    """The events a due timer causes (none when it went stale)."""
    if kind == "auto_close":
        return automatic.auto_close(issue, now=now)
    return automatic.overdue(issue, deadline=kind, due_at=due_at, now=now,
                             meeting_date=next_meeting_day(now))


class TimerFailed(Exception):
    """Deciding on one issue's timer failed for a reason that is not the database's."""

    def __init__(self, issue_id: str, cause: Exception):
        super().__init__(f"timer of {issue_id}: {type(cause).__name__}: {cause}")
        self.issue_id = issue_id


async def fire_one(pool: asyncpg.Pool, *, clock: Clock, skip: Collection[str] = ()) -> bool:
    """Fire one due timer in its own transaction; False when none is due."""
    async with pool.acquire() as conn, conn.transaction():
        now = clock()
        timer = await store.claim_due(conn, now=now, skip=skip)
        if timer is None:
            return False
        await store.mark_fired(conn, timer, at=now)
        try:
            issue = await stream.load(conn, timer["issue_id"])
        except NotFound:
            FIRED.labels(timer["kind"], "orphan").inc()
            return True
        try:
            events = on_timer(issue, kind=timer["kind"], due_at=timer["due_at"], now=now)
        except Exception as exc:  # a defect in a decision: this issue must not block others
            raise TimerFailed(timer["issue_id"], exc) from exc
        await stream.append(conn, issue, events, now=now)
        FIRED.labels(timer["kind"], "fired" if events else "stale").inc()
        return True


async def fire_due(pool: asyncpg.Pool, *, clock: Clock, limit: int = 500,
                   failed: set[str] | None = None) -> int:
    """Fire due timers until none is left (or `limit`); returns how many were taken.

    An issue whose timer cannot be decided is logged, counted, added to `failed` and skipped
    from then on (its timer stays pending for the next process), like a parked record."""
    failed = set() if failed is None else failed
    taken = 0
    while taken < limit:
        try:
            if not await fire_one(pool, clock=clock, skip=failed):
                break
        except ConcurrencyConflict:
            continue  # a staff action got in first; the timer is still unfired: decide again
        except TimerFailed as exc:
            log.error("timers: skipping %s until restart: %s", exc.issue_id, exc)
            FIRED.labels("any", "failed").inc()
            failed.add(exc.issue_id)
            continue
        taken += 1
    return taken


class TimerWorker:
    """Background task: polls for due timers every `poll_seconds` while the service runs."""

    def __init__(self, *, pool: asyncpg.Pool, clock: Clock, poll_seconds: float):
        self._pool, self._clock, self._poll = pool, clock, poll_seconds
        self.failed: set[str] = set()

    async def run(self) -> None:
        """Fire until cancelled; a database outage is waited out with back-off, never fatal."""
        backoff = self._poll
        while True:
            try:
                await fire_due(self._pool, clock=self._clock, failed=self.failed)
                backoff = self._poll
                await asyncio.sleep(self._poll)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("timers: cannot fire now; retrying in %.1fs", backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
