"""After the faults: wait until the system holds exactly what the run did, or report what is
lost or doubled at the deadline.

Three views, each compared with `chaos_expect`: dispatch's event store (per issue, how many
issue.assigned / accepted / overdue / escalated / resolved / closed / referred /
resident-action-settled, and one meeting.held; each close for its reason: an applied confirm,
else the 7 days), intake (every issue, seen by its resident in
its final status, nothing pending) and stats (collected, statuses, sign-offs, escalations,
overdue events, resolutions, reopens, meetings held and their decisions). Nothing may be
parked in any service.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import asyncpg
import httpx

from redgrid_dev import chaos_expect
from redgrid_dev.chaos_expect import TYPES, Plan

SCHEMAS = ("intake", "dispatch", "stats")
PREFIX = "org.redgrid.issue."


async def _seen_by_residents(client: httpx.AsyncClient, system, residents: dict[str, str],
                             final: dict[str, str], seen: dict[str, str]) -> None:
    """Update `seen` (issue -> status its resident sees, nothing pending) where it differs
    from `final`."""
    gate = asyncio.Semaphore(16)

    async def one(issue: str) -> None:
        async with gate:
            try:
                r = await client.get(f"{system.url('intake')}/v1/issues/{issue}",
                                     headers=system.token("resident", residents[issue]))
            except httpx.HTTPError:
                return
            if r.status_code == 200 and r.json().get("pending_action") is None:
                seen[issue] = r.json().get("status")

    await asyncio.gather(*(one(i) for i in residents if seen.get(i) != final.get(i)))


async def _counted(client: httpx.AsyncClient, system) -> dict:
    try:
        r = await client.get(f"{system.url('stats')}/v1/stats/summary",
                             headers=system.token("operator", "op-chaos"))
        return r.json() if r.status_code == 200 else {}
    except httpx.HTTPError:
        return {}


async def _stores(system) -> dict:
    conn = await asyncpg.connect(system.pg.database_url, timeout=10)
    try:
        intake_rows = await conn.fetchval(
            "SELECT count(*) FROM intake.issues WHERE community = $1", system.community)
        rows = await conn.fetch(
            """SELECT data->>'issue_id' AS issue, substr(type, $2) AS type, count(*) AS n
               FROM dispatch.events WHERE type LIKE 'org.redgrid.issue.%'
                 AND data->>'community' = $1 GROUP BY 1, 2""",
            system.community, len(PREFIX) + 1)
        settled = await conn.fetch(
            """SELECT data->>'issue_id' AS issue, data->>'outcome' AS outcome
               FROM dispatch.events WHERE type = 'org.redgrid.issue.resident-action-settled'
                 AND data->>'community' = $1""", system.community)
        reasons = await conn.fetch(
            """SELECT data->>'reason' AS reason, count(*) AS n FROM dispatch.events
               WHERE type = 'org.redgrid.issue.closed' AND data->>'community' = $1
               GROUP BY 1""", system.community)
        meetings = await conn.fetchval(
            """SELECT count(*) FROM dispatch.events WHERE type = 'org.redgrid.meeting.held'
                 AND data->>'community' = $1""", system.community)
        parked = 0
        for schema in SCHEMAS:
            parked += await conn.fetchval(
                f"SELECT count(*) FROM {schema}.dead_letters WHERE resolved_at IS NULL")
    finally:
        await conn.close()
    counts: dict[str, Counter] = {}
    for r in rows:
        if r["type"] in TYPES:
            counts.setdefault(r["issue"], Counter())[r["type"]] = r["n"]
    return {"intake_issues": intake_rows, "counts": counts, "parked": parked,
            "settlements": {r["issue"]: r["outcome"] for r in settled},
            "close_reasons": {r["reason"]: r["n"] for r in reasons}, "meetings_held": meetings}


def _compare(wanted: dict[str, Counter], stored: dict[str, Counter]) -> tuple[Counter, Counter]:
    """(missing, doubled) per event type: wanted but not stored, stored beyond what is wanted
    (events of issues the run never had count as doubled)."""
    missing, doubled = Counter(), Counter()
    for issue in set(wanted) | set(stored):
        want, have = wanted.get(issue, Counter()), stored.get(issue, Counter())
        for t in TYPES:
            missing[t] += max(0, want[t] - have[t])
            doubled[t] += max(0, have[t] - want[t])
    return +missing, +doubled


def _close_reasons(counts: dict[str, Counter], plan: Plan, settlements: dict[str, str]) -> dict:
    """Why the wanted closes happen: an applied confirm, else the clock's 7 days."""
    confirmed = sum(1 for i, (action, answer) in plan.actions.items()
                    if action == "confirm" and answer == "accepted"
                    and settlements.get(i) == "applied")
    clock = chaos_expect.totals(counts)["closed"] - confirmed
    return {k: v for k, v in (("confirmed", confirmed), ("no_response_7_days", clock)) if v}


def _stats_figures(counts: dict[str, Counter], final: dict[str, str], plan: Plan,
                   settlements: dict[str, str]) -> dict:
    """What stats' summary must say for this run."""
    total = chaos_expect.totals(counts)
    reopens = sum(1 for i, (action, answer) in plan.actions.items()
                  if action == "reopen" and answer == "accepted"
                  and settlements.get(i) == "applied")
    return {"collected": len(final), "by_status": dict(Counter(final.values())),
            "assignments": total["assigned"], "signoffs": total["accepted"],
            "overdue_events": total["overdue"], "escalations": total["escalated"],
            "resolutions": total["resolved"], "reopens": reopens,
            "meetings_held": 1 if plan.decisions else 0,
            "issues_decided": len(plan.decisions),
            "decisions": {k: sum(1 for d in plan.decisions.values() if d == k)
                          for k in ("resolved", "assigned", "referred", "carried")}}


async def measure(client: httpx.AsyncClient, system, plan: Plan, residents: dict[str, str],
                  seen: dict[str, str]) -> dict:
    """Where the system stands now against the plan (`residents`: issue -> its resident)."""
    try:
        stores = await _stores(system)
    except (OSError, asyncpg.PostgresError, asyncio.TimeoutError):
        stores = {"intake_issues": None, "counts": {}, "parked": None, "settlements": {},
                  "close_reasons": {}, "meetings_held": None}
    wanted, final = chaos_expect.expected(plan, stores["settlements"])
    await _seen_by_residents(client, system, residents, final, seen)
    missing, doubled = _compare(wanted, stores["counts"])
    want_stats = _stats_figures(wanted, final, plan, stores["settlements"])
    counted = await _counted(client, system)
    stats_off = {k: (v, counted.get(k)) for k, v in want_stats.items()
                 if ({s: n for s, n in (counted.get(k) or {}).items() if n}
                     if k == "by_status" else counted.get(k)) != v}
    n, stored = len(plan.cohorts), chaos_expect.totals(stores["counts"])
    expected = chaos_expect.totals(wanted)
    return {"accepted": n, "intake_issues": stores["intake_issues"],
            "counted": counted.get("collected"),
            "seen_by_resident": sum(1 for i in residents if seen.get(i) == final.get(i)),
            "lost": sum(missing.values()), "doubled": sum(doubled.values()),
            "missing_by_type": dict(missing), "doubled_by_type": dict(doubled),
            "parked": stores["parked"],
            "events": {t: f"{stored[t]}/{expected[t]}" for t in TYPES},
            "meetings_held": stores["meetings_held"],
            "race_outcomes": dict(Counter(stores["settlements"].values())),
            "close_reasons": stores["close_reasons"],
            "close_reasons_wanted": _close_reasons(wanted, plan, stores["settlements"]),
            "meetings_recorded": 1 if plan.decisions else 0,
            "final_statuses": dict(Counter(final.values())), "stats_off": stats_off}


def passed(f: dict) -> bool:
    """Every event wanted stored once, none more; every issue seen by its resident in its
    final status; stats agree; nothing parked."""
    return (f["lost"] == 0 and f["doubled"] == 0 and f["parked"] == 0
            and f["accepted"] == f["intake_issues"] == f["counted"] == f["seen_by_resident"]
            and f["meetings_held"] == f["meetings_recorded"]
            and f["close_reasons"] == f["close_reasons_wanted"]
            and not f["stats_off"])


async def settle(client: httpx.AsyncClient, system, plan: Plan, residents: dict[str, str], *,
                 timeout: float) -> dict:
    """Measure until everything checks out or `timeout` passes; the last measurement."""
    deadline, seen = time.monotonic() + timeout, {}
    while True:
        figures = await measure(client, system, plan, residents, seen)
        if passed(figures) or time.monotonic() > deadline:
            return figures
        await asyncio.sleep(0.5)
