"""The timer side of the chaos run: deadlines that pass while dispatch is being killed.

A quarter of the reports is of an urgent category (30 min to sign off) and nobody signs it
off; an eighth is signed off and then misses its completion limit (set to the same 30 min);
the 7-day closes of the resolved ones come due in the clock jump (`chaos_clock`). Dispatch
runs with SLA_TIME_SCALE = 30 min / `signoff_seconds`, so the urgent deadlines pass during
the run, one after another, while the others lie far beyond it (`chaos_work.LIMITS`). Each
must give exactly what `chaos_expect` wants, however often dispatch dies.

One fault aims at the worker itself: dispatch is SIGKILLed, kept down while deadlines pile
up, started again, and SIGKILLed a second time as soon as the store shows its timer worker
has begun firing the backlog (so some of it is claimed, marked or appended when it dies).
"""

from __future__ import annotations

import asyncio
import time

import asyncpg

from redgrid_dev import chaos_clock

SIGNOFF_MINUTES = 30  # the urgent sign-off limit
WATCH_SECONDS = 20.0  # how long to wait for the restarted worker to start firing


def time_scale(signoff_seconds: float) -> float:
    """SLA_TIME_SCALE that turns the urgent 30 min into `signoff_seconds`."""
    return SIGNOFF_MINUTES * 60 / signoff_seconds


async def _timer_counts(conn: asyncpg.Connection, system) -> tuple[int, int]:
    """(fired timers, due timers not fired yet), by the services' clock."""
    row = await conn.fetchrow(
        """SELECT count(*) FILTER (WHERE fired_at IS NOT NULL) AS fired,
                  count(*) FILTER (WHERE fired_at IS NULL AND due_at <= $1) AS due
           FROM dispatch.timers""", chaos_clock.now(system.clock_file))
    return row["fired"], row["due"]


async def kill_dispatch_while_firing(system, down_seconds: float) -> int:
    """Kill dispatch, keep it down `down_seconds`, start it and kill it again once its worker
    has fired something; start it for good. Returns how many due timers were still unfired
    at the second kill (> 0: the worker died in the middle of a backlog)."""
    service, env = system.services["dispatch"], system.env["dispatch"]
    await service.kill()
    await asyncio.sleep(down_seconds)
    backlog, conn = 0, None
    try:
        conn = await asyncpg.connect(system.pg.database_url, timeout=5)
        fired_before = (await _timer_counts(conn, system))[0]
    except (OSError, asyncpg.PostgresError, asyncio.TimeoutError):
        if conn is not None:
            conn.terminate()
        conn = None  # no view of the timers: the second kill comes unaimed
    try:
        await service.start(env)
        deadline = time.monotonic() + WATCH_SECONDS
        while conn is not None and time.monotonic() < deadline:
            try:
                fired, backlog = await _timer_counts(conn, system)
            except (OSError, asyncpg.PostgresError):
                break
            if fired > fired_before:
                break
            await asyncio.sleep(0.005)
    finally:
        await service.kill()
        if conn is not None:
            await conn.close()
    await service.start(env)
    return backlog
