"""The timer side of the chaos run: deadlines that pass while dispatch is being killed.

A share of the reports (every `unsigned_every`-th) is of an urgent category (30 min to sign
off) and nobody signs it off; the rest are of low-priority categories (7 days). Dispatch runs
with SLA_TIME_SCALE = 30 min / `signoff_seconds`, so the urgent deadlines pass during the
run, one after another, while the 7-day ones lie far beyond it. Each passed deadline must
give exactly one issue.overdue and one issue.escalated, however often dispatch dies.

One fault aims at the worker itself: dispatch is SIGKILLed, kept down while deadlines pile
up, started again, and SIGKILLed a second time as soon as the store shows its timer worker
has begun firing the backlog (so some of it is claimed, marked or appended when it dies).
"""

from __future__ import annotations

import asyncio
import time

import asyncpg

URGENT = "repair.seepage"  # 30 min to sign off
LOW = ("suggestion", "dispute.neighbor")  # 7 days to sign off
SIGNOFF_MINUTES = 30
WATCH_SECONDS = 20.0  # how long to wait for the restarted worker to start firing


def unsigned(n: int, every: int) -> bool:
    """Whether report n is one whose sign-off deadline is left to pass."""
    return every > 0 and n % every == 0


def category(n: int, every: int) -> str:
    return URGENT if unsigned(n, every) else LOW[n % len(LOW)]


def time_scale(signoff_seconds: float) -> float:
    """SLA_TIME_SCALE that turns the urgent 30 min into `signoff_seconds`."""
    return SIGNOFF_MINUTES * 60 / signoff_seconds


async def _timer_counts(conn: asyncpg.Connection) -> tuple[int, int]:
    """(fired timers, due timers not fired yet), by the database's clock."""
    row = await conn.fetchrow(
        """SELECT count(*) FILTER (WHERE fired_at IS NOT NULL) AS fired,
                  count(*) FILTER (WHERE fired_at IS NULL AND due_at <= now()) AS due
           FROM dispatch.timers""")
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
        fired_before = (await _timer_counts(conn))[0]
    except (OSError, asyncpg.PostgresError, asyncio.TimeoutError):
        if conn is not None:
            conn.terminate()
        conn = None  # no view of the timers: the second kill comes unaimed
    try:
        await service.start(env)
        deadline = time.monotonic() + WATCH_SECONDS
        while conn is not None and time.monotonic() < deadline:
            try:
                fired, backlog = await _timer_counts(conn)
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


async def stores(conn: asyncpg.Connection, community: str) -> dict:
    """From dispatch's event store: the issues whose sign-off deadline has passed (by the
    database's clock) and how many issue.overdue / issue.escalated each issue has."""
    passed = await conn.fetch(
        """SELECT data->>'issue_id' AS issue FROM dispatch.events
           WHERE type LIKE '%issue.assigned' AND data->>'community' = $1
             AND (data->>'signoff_due_at')::timestamptz <= now()""", community)
    counts = await conn.fetch(
        """SELECT type LIKE '%issue.overdue' AS overdue, data->>'issue_id' AS issue,
                  count(*) AS n FROM dispatch.events
           WHERE (type LIKE '%issue.overdue' OR type LIKE '%issue.escalated')
             AND data->>'community' = $1 GROUP BY 1, 2""", community)
    return {"passed": {r["issue"] for r in passed},
            "overdue": {r["issue"]: r["n"] for r in counts if r["overdue"]},
            "escalated": {r["issue"]: r["n"] for r in counts if not r["overdue"]}}


def figures(timers: dict | None, unsigned_issues: set[str], stats: dict) -> dict:
    """The timer figures: deadlines passed, events, doubled, missing, stats' counts."""
    timers = timers or {"passed": set(), "overdue": {}, "escalated": {}}
    passed = timers["passed"]
    doubled = missing = 0
    for kind in ("overdue", "escalated"):
        counts = timers[kind]
        doubled += sum(n - 1 for n in counts.values() if n > 1)
        doubled += sum(n for issue, n in counts.items() if issue not in passed)
        missing += len(passed - set(counts))
    return {"unsigned": len(unsigned_issues), "deadlines_passed": len(passed),
            "other_deadlines_passed": len(passed - unsigned_issues),
            "overdue_events": sum(timers["overdue"].values()),
            "escalated_events": sum(timers["escalated"].values()),
            "timer_doubled": doubled, "timer_missing": missing,
            "counted_escalated": stats.get("escalated"),
            "counted_overdue_events": stats.get("overdue_events"),
            "counted_escalations": stats.get("escalations")}


def passed(f: dict) -> bool:
    """Every unsigned deadline passed and fired once, seen by stats once; no other fired."""
    return (f["timer_doubled"] == 0 and f["timer_missing"] == 0
            and f["other_deadlines_passed"] == 0
            and f["unsigned"] == f["deadlines_passed"] == f["overdue_events"]
            == f["escalated_events"] == f["counted_escalated"] == f["counted_overdue_events"]
            == f["counted_escalations"])
