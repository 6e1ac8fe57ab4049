"""Routing a reported issue to its grid: the pure `route` and the consumer use case."""

from collections.abc import Iterable
from datetime import datetime

import asyncpg

from redgrid_shared import catalog
from redgrid_shared.clock import Clock
from redgrid_shared.domain import Invalid
from redgrid_shared.events import Envelope, IssueAssigned, IssueReported, IssueUnroutable
from redgrid_shared.eventstore import ConcurrencyConflict

from dispatch.grids.domain import Grid
from dispatch.sla.limits import Timing, limits_for
from dispatch.staffing.cover import NO_AVAILABLE_STAFF, assignees
from dispatch.workflow import intake_sql, stream

NO_GRID = "no_grid_for_building"
UNKNOWN_CATEGORY = "unknown_category"


def route(report: IssueReported, grids: Iterable[Grid], *, now: datetime, timing: Timing,
          overrides: dict[str, tuple[int, int]] | None = None,
          away: frozenset[str] | set[str] = frozenset()) -> IssueAssigned | IssueUnroutable:
    """Assign a report to the grid covering its building, or say why no one can take it.

    The sign-off clock runs from `now`, the moment of assignment. People in `away` are on
    leave: their grid's backup takes the work (named in `covering_for`), see staffing.cover."""
    category = catalog.CATEGORIES.get(report.category)
    grid = next((g for g in grids
                 if g.community == report.community and report.building in g.buildings), None)
    if category is None or grid is None:
        return IssueUnroutable(issue_id=report.issue_id, community=report.community,
                               building=report.building,
                               reason=UNKNOWN_CATEGORY if category is None else NO_GRID)
    people = assignees(grid, needs_repairer=category.needs_repairer, away=set(away))
    if people is None:
        return IssueUnroutable(issue_id=report.issue_id, community=report.community,
                               building=report.building, reason=NO_AVAILABLE_STAFF)
    limits = limits_for(category.code, vulnerable=report.vulnerable is not None,
                        overrides=overrides or {})
    return IssueAssigned(
        issue_id=report.issue_id, community=report.community, grid_id=grid.grid_id,
        steward_id=people.steward, repairer_id=people.repairer,
        category=category.code, urgent=limits.urgent,
        signoff_due_at=now + timing.span(limits.signoff_minutes),
        completion_limit_minutes=limits.completion_minutes,
        covering_for=list(people.covering_for))


async def assign_issue(conn: asyncpg.Connection, env: Envelope, *, clock: Clock,
                       timing: Timing) -> None:
    """Route an issue.reported: append issue.assigned or issue.unroutable, once per issue.

    Three round trips: the working row with the routing inputs (intake_sql), the append,
    the working row and timers after it (stream.append)."""
    report = IssueReported.model_validate(env.data)
    taken = await intake_sql.take_report(conn, report, reported_at=env.time)
    if not _unrouted(taken.row, report):
        return  # already routed: the same report arrived again under another event id
    now = clock()
    try:
        await stream.append(conn, stream.seed(taken.row), [_decide(report, taken, now, timing)],
                            now=now)
    except ConcurrencyConflict:
        return  # routed concurrently by another consumer of a redelivered copy


async def assign_issues(conn: asyncpg.Connection, envs: list[Envelope], *, clock: Clock,
                        timing: Timing) -> None:
    """`assign_issue` for a run of issue.reported events, in log order, with the same
    outcome: three round trips for the whole run instead of three per report (a backlog's
    batch is routed at the pace of its statements, docs/benchmarks.md).

    The first report of each issue is taken together (intake_sql.take_reports), routed at
    one `now`, and their first events appended and rows saved together
    (stream.start_many). A later copy of an issue already in the run, and an issue whose
    row a concurrent transaction inserted after the statement's snapshot, go through
    `assign_issue` one by one afterwards, as they would have before."""
    if len(envs) == 1:
        await assign_issue(conn, envs[0], clock=clock, timing=timing)
        return
    firsts: dict[str, tuple[int, IssueReported]] = {}
    later: list[int] = []  # positions in `envs`, taken one by one in log order
    for n, env in enumerate(envs):
        report = IssueReported.model_validate(env.data)
        if report.issue_id in firsts:
            later.append(n)
        else:
            firsts[report.issue_id] = (n, report)
    taken = await intake_sql.take_reports(
        conn, [(report, envs[n].time) for n, report in firsts.values()])
    now = clock()
    routed = []
    for issue_id, (n, report) in firsts.items():
        if issue_id not in taken:
            later.append(n)
        elif _unrouted(taken[issue_id].row, report):
            routed.append((stream.seed(taken[issue_id].row),
                           _decide(report, taken[issue_id], now, timing)))
    await stream.start_many(conn, routed, now=now)
    for n in sorted(later):
        await assign_issue(conn, envs[n], clock=clock, timing=timing)


def _unrouted(row, report: IssueReported) -> bool:
    """Whether the working row still awaits routing; a row of another community refuses
    the report (an issue id is one community's: the report is parked)."""
    if row["community"] != report.community:
        raise Invalid("data.community", f"issue {report.issue_id} belongs to community "
                      f"{row['community']}, not {report.community}")
    return row["version"] == 0


def _decide(report: IssueReported, taken: intake_sql.Taken, now: datetime,
            timing: Timing) -> IssueAssigned | IssueUnroutable:
    return route(report, [taken.grid] if taken.grid else [], now=now, timing=timing,
                 overrides=taken.overrides, away=taken.away)
