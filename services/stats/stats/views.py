"""The stats views: one selection -> queries -> figures -> a response model.

Each view is a plain async function of (pool, scope); the API, the CSV export and the rebuild
comparison all call the same functions.
"""

import asyncio
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import asyncpg

from stats import buckets, figures, listings, queries, scope as scopes
from stats.models import (Agenda, Campaign, CampaignsView, Day, Decisions, GridPerson,
                          GridRow, GridsView, Holders, Meeting, MeetingsView, OverdueIssue,
                          OverdueView, StaffRow,
                          StaffView, SummaryView, TimeseriesView)
from stats.scope import Scope
from stats.timeline import HANDLED


def _selection(scope: Scope) -> dict:
    return {"community": scope.community, "as_of": scope.as_of, "from": scope.start,
            "to": scope.end, "filters": scope.filters()}


async def summary(pool: asyncpg.Pool, scope: Scope) -> SummaryView:
    states, flows, now, held = await queries.summary_rows(pool, scope)
    return SummaryView(**_selection(scope), **figures.summary(states, flows, now,
                                                              meetings_held=held))


async def grids(pool: asyncpg.Pool, scope: Scope) -> GridsView:
    by_grid, by_person = ("grid",), ("grid", "person")
    states, flows, now, credited, open_on, holders = await asyncio.gather(
        queries.states(pool, scope, group=by_grid), queries.flows(pool, scope, group=by_grid),
        queries.states(pool, scope, group=by_grid, windowed=False),
        queries.flows(pool, scope, group=by_person, people=True),
        queries.states(pool, scope, group=by_person, people=True, windowed=False),
        listings.grid_holders(pool, scope))
    states, flows, now = (figures.group(rows, "grid") for rows in (states, flows, now))
    holders = {r["grid_id"]: r for r in holders}
    seen = set(holders) | set(states) | set(flows) | set(now)
    if scope.grid:
        seen &= set(scope.grid)
    rows = []
    for grid_id in sorted(seen, key=lambda g: (g == "", g)):
        figs = figures.summary(states.get(grid_id, []), flows.get(grid_id, []),
                               now.get(grid_id, []), meetings_held=0)
        figs.pop("meetings_held")
        people = _people([r for r in credited if r.grid == grid_id],
                         [r for r in open_on if r.grid == grid_id])
        h = holders.get(grid_id)
        rows.append(GridRow(
            grid_id=grid_id or None, name=h and h["name"],
            holders=Holders(steward=h and h["steward"], repairer=h and h["repairer"]),
            figures=figs, staff=[GridPerson(person=p, **f) for p, f in people.items()]))
    return GridsView(**_selection(scope), grids=rows)


def _people(credited: list, open_on: list) -> dict[str, dict]:
    flows, now = figures.group(credited, "person"), figures.group(open_on, "person")
    return {p: figures.person_figures(flows.get(p, []), now.get(p, []))
            for p in sorted(set(flows) | set(now))}


async def staff(pool: asyncpg.Pool, scope: Scope) -> StaffView:
    credited, open_on, available = await asyncio.gather(
        queries.flows(pool, scope, group=("grid", "person"), people=True),
        queries.states(pool, scope, group=("grid", "person"), people=True, windowed=False),
        listings.availability(pool, scope))
    grids_of: dict[str, set] = {}
    for r in credited + open_on:
        if r.grid:
            grids_of.setdefault(r.person, set()).add(r.grid)
    rows = [StaffRow(person=p, grids=sorted(grids_of.get(p, ())), available=available.get(p), **f)
            for p, f in _people(credited, open_on).items()]
    return StaffView(**_selection(scope), staff=rows)


async def timeseries(pool: asyncpg.Pool, scope: Scope) -> TimeseriesView:
    days = scopes.series_days(scope)
    window = replace(scope, start=buckets.midnight(days[0]),
                     end=buckets.midnight(days[-1] + timedelta(days=1)))
    per_day = figures.group(await queries.flows(pool, window, group=("day",), daily=True), "day")
    held: dict = {}
    for m in await listings.meetings(pool, window):
        held[m["meeting_date"]] = held.get(m["meeting_date"], 0) + 1
    ends = await _day_ends(pool, scope, days)
    return TimeseriesView(**_selection(scope), days=[
        Day(day=d, meetings_held=held.get(d, 0), **figures.day_figures(per_day.get(d, [])),
            **ends[d])
        for d in days])


async def _day_ends(pool: asyncpg.Pool, scope: Scope, days: list) -> dict:
    """Each day's status counts, open and overdue as they stood at the day's last instant
    (never later than as_of): the summary's own "as of" query at the first day's end, then
    every later day by the state intervals that began or ended since (two reads, one
    snapshot)."""
    moments = [min(buckets.midnight(d + timedelta(days=1)) - queries.TICK, scope.as_of)
               for d in days]
    # One snapshot for both reads: a re-derivation committing between them would otherwise
    # count a change in neither or in both.
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read",
                                                        readonly=True):
        base = await queries.states(conn, replace(scope, as_of=moments[0], start=None,
                                                  end=None))
        changes = await queries.state_changes(conn, scope, after=moments[0],
                                              until=moments[-1])
    running: Counter = Counter()
    for r in base:
        running[r.metric] += r.n
    by_day = figures.group(changes, "day")
    out = {}
    for d in days:
        for r in by_day.get(d, ()):
            running[r.metric] += r.n
        rows = [queries.Row(metric=m, n=n) for m, n in running.items()]
        out[d] = {"by_status": figures.issue_figures(rows)["by_status"],
                  **figures.now_figures(rows)}
    return out


async def meetings(pool: asyncpg.Pool, scope: Scope) -> MeetingsView:
    held = []
    for m in await listings.meetings(pool, scope):
        kinds = {k: v for k, v in (m["by_decision"] or {}).items() if k in figures.DECISIONS}
        held.append(Meeting(meeting_date=m["meeting_date"], recorded_at=m["recorded_at"],
                            attendees=m["attendees"], decisions=m["decisions"],
                            by_decision=Decisions(**kinds)))
    upcoming = [Agenda(meeting_date=r["meeting_date"], agenda=r["agenda"])
                for r in await listings.agendas(pool, scope)]
    return MeetingsView(**_selection(scope), meetings=held, upcoming=upcoming)


async def campaigns(pool: asyncpg.Pool, scope: Scope) -> CampaignsView:
    counts: dict[str, list] = {}
    for r in await listings.campaign_issues(pool, scope):
        counts.setdefault(r["campaign_id"], []).append(r)
    rows = []
    for c in await listings.campaigns(pool, scope):
        mine = counts.get(c["campaign_id"], [])
        by_category: dict[str, int] = {}
        by_status = dict.fromkeys(figures.STATUSES, 0)
        for r in mine:
            by_category[r["category"]] = by_category.get(r["category"], 0) + r["n"]
            by_status[r["status"]] = by_status.get(r["status"], 0) + r["n"]
        total = sum(by_status.values())
        handled = sum(by_status[s] for s in HANDLED)
        rows.append(Campaign(**{k: c[k] for k in (
            "campaign_id", "name", "categories", "departments", "starts_on", "ends_on",
            "opened_at", "closed_at", "results")}, issues=total, handled=handled,
            handling_rate=figures.rate(handled, total), by_category=by_category,
            by_status=by_status))
    return CampaignsView(**_selection(scope), campaigns=rows)


async def overdue(pool: asyncpg.Pool, scope: Scope) -> OverdueView:
    rows = await listings.overdue(pool, scope)
    return OverdueView(**_selection(scope), issues=[OverdueIssue(**dict(r)) for r in rows])


VIEWS = {"summary": summary, "overdue": overdue, "grids": grids, "staff": staff, "timeseries": timeseries,
         "meetings": meetings, "campaigns": campaigns}
