"""After the faults: wait until every accepted report is assigned once, counted once and seen
by its resident, with nothing parked, and every passed sign-off deadline has fired once (one
issue.overdue, one issue.escalated, `escalated` in intake's view and in stats) and every staff
sign-off is recorded and counted once; or report what is lost or doubled at the deadline.

`final` maps the issues that must not end `assigned` to the status they must end in:
`escalated` (deadline left to pass) or `accepted` (signed off by staff)."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import httpx

from redgrid_dev import chaos_staff, chaos_timers

SCHEMAS = ("intake", "dispatch", "stats")


async def _seen_by_residents(client: httpx.AsyncClient, system, pending: dict[str, str],
                             final: dict[str, str]) -> set:
    """Issue ids whose resident sees them in their final status, among `pending` (issue ->
    resident)."""
    gate, seen = asyncio.Semaphore(16), set()

    async def one(issue: str, resident: str) -> None:
        async with gate:
            try:
                r = await client.get(f"{system.url('intake')}/v1/issues/{issue}",
                                     headers=system.token("resident", resident))
            except httpx.HTTPError:
                return
            wanted = final.get(issue, "assigned")
            if r.status_code == 200 and r.json().get("status") == wanted:
                seen.add(issue)

    await asyncio.gather(*(one(i, r) for i, r in pending.items()))
    return seen


async def _counted(client: httpx.AsyncClient, system) -> dict:
    try:
        r = await client.get(f"{system.url('stats')}/v1/stats/summary",
                             headers=system.token("operator", "op-chaos"))
        body = r.json() if r.status_code == 200 else {}
    except httpx.HTTPError:
        body = {}
    by_status = body.get("by_status") or {}
    return {"collected": body.get("collected"), "assigned": by_status.get("assigned"),
            "escalated": by_status.get("escalated"), "escalations": body.get("escalations"),
            "overdue_events": body.get("overdue_events"), "accepted": by_status.get("accepted"),
            "signoffs": body.get("signoffs")}


async def _stores(system) -> dict:
    conn = await asyncpg.connect(system.pg.database_url)
    try:
        intake_rows = await conn.fetchval(
            "SELECT count(*) FROM intake.issues WHERE community = $1", system.community)
        assigned = await conn.fetch(
            """SELECT data->>'issue_id' AS issue, count(*) AS n FROM dispatch.events
               WHERE type LIKE '%issue.assigned' AND data->>'community' = $1 GROUP BY 1""",
            system.community)
        parked = 0
        for schema in SCHEMAS:
            parked += await conn.fetchval(
                f"SELECT count(*) FROM {schema}.dead_letters WHERE resolved_at IS NULL")
        return {"intake_issues": intake_rows, "assigned": {r["issue"]: r["n"] for r in assigned},
                "parked": parked, "timers": await chaos_timers.stores(conn, system.community),
                "accepts": await chaos_staff.stores(conn, system.community)}
    finally:
        await conn.close()


async def measure(client: httpx.AsyncClient, system, accepted: dict, final: dict[str, str],
                  seen: set) -> dict:
    """Where the system stands now against the accepted reports (key -> (issue, resident))."""
    issues = {issue: resident for issue, resident in accepted.values()}
    seen |= await _seen_by_residents(client, system,
                                     {i: r for i, r in issues.items() if i not in seen},
                                     final)
    try:
        stores = await _stores(system)
    except (OSError, asyncpg.PostgresError):
        stores = {"intake_issues": None, "assigned": {}, "parked": None, "timers": None,
                  "accepts": None}
    counted = await _counted(client, system)
    assigned = stores["assigned"]
    n = len(issues)
    not_assigned = [i for i in issues if assigned.get(i, 0) == 0]
    doubled = sum(c - 1 for c in assigned.values() if c > 1) \
        + max(0, (stores["intake_issues"] or 0) - n) \
        + max(0, (counted["collected"] or 0) - n)
    return {"accepted": n, "assigned_once": sum(1 for i in issues if assigned.get(i) == 1),
            "seen_by_resident": len(seen & set(issues)), "counted": counted["collected"],
            "counted_assigned": counted["assigned"], "intake_issues": stores["intake_issues"],
            "lost": len(set(not_assigned) | (set(issues) - seen)), "doubled": doubled,
            "parked": stores["parked"],
            **chaos_timers.figures(stores["timers"], _ending(final, "escalated"), counted),
            **chaos_staff.figures(stores["accepts"], _ending(final, "accepted"), counted)}


def _ending(final: dict[str, str], status: str) -> set[str]:
    return {issue for issue, s in final.items() if s == status}


def passed(f: dict) -> bool:
    """Every accepted report assigned once, seen, counted once; nothing parked; every
    deadline left to pass fired once (`chaos_timers.passed`)."""
    return (f["lost"] == 0 and f["doubled"] == 0 and f["parked"] == 0
            and f["assigned_once"] == f["accepted"] == f["seen_by_resident"]
            == f["counted"] == f["intake_issues"]
            and f["counted_assigned"] == f["accepted"] - f["unsigned"] - f["signed_off"]
            and chaos_timers.passed(f) and chaos_staff.passed(f))


async def settle(client: httpx.AsyncClient, system, accepted: dict, final: dict[str, str], *,
                 timeout: float) -> dict:
    """Measure until everything checks out or `timeout` passes; the last measurement."""
    deadline, seen = time.monotonic() + timeout, set()
    while True:
        figures = await measure(client, system, accepted, final, seen)
        if passed(figures) or time.monotonic() > deadline:
            return figures
        await asyncio.sleep(0.5)
