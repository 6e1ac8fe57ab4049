"""The one statement routing a report starts with: record it and read what routing needs.

A backlog of reports is routed one after another inside the consumer's batch transaction, so
each statement of a routed report is a round trip the whole backlog waits for. This one
replaces five (the working row's insert, its read back, the grid of the building, the
community's SLA overrides, the people on leave):

- the working row of the report is inserted unless it exists (ON CONFLICT DO NOTHING); the
  row returned is the new one, or the one already there (a report seen before, or an issue
  id of another community: the caller refuses it);
- the grid covering the building (grid_buildings is keyed by building, so at most one);
- the community's override for the report's category only (the only one `limits_for`
  reads);
- who is on leave among the grid's four people (the only ones `assignees` asks about).

The reads see the same data the separate statements saw: the caller's transaction, and no
write of this statement touches the tables they read.
"""

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from redgrid_shared.events import IssueReported

from dispatch.grids.domain import Grid, from_row


@dataclass(frozen=True)
class Taken:
    """A report's working row and what routing it needs."""

    row: asyncpg.Record  # issue_id, community, category, building, vulnerable, version
    grid: Grid | None
    overrides: dict[str, tuple[int, int]]
    away: frozenset[str]


async def take_report(conn: asyncpg.Connection, report: IssueReported, *,
                      reported_at: datetime) -> Taken:
    """Record the report's working row (once) and read its routing inputs, in one round trip."""
    for _ in range(2):
        found = (await take_reports(conn, [(report, reported_at)])).get(report.issue_id)
        if found is not None:
            return found
        # A concurrent transaction inserted the row after this statement's snapshot was
        # taken: the insert waited for it and did nothing, the read could not see it yet.
        # Run again with a fresh snapshot (the insert does nothing again).
    raise RuntimeError(f"no working row for issue {report.issue_id}")


# Each input row is one report (one, or a backlog batch's run); its lookups are made with
# the report's own community, building and category.
_TAKE_REPORTS = """
    WITH input AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                             $6::text[], $7::text[], $8::timestamptz[], $9::int[], $10::text[])
            WITH ORDINALITY AS u(issue_id, community, building, category, vulnerable,
                                 reporter_id, unit, reported_at, tie_rank, description, n)),
    new AS (
        INSERT INTO dispatch_issues (issue_id, community, building, category, status,
            vulnerable, reporter_id, unit, reported_at, version, tie_rank, description)
        SELECT issue_id, community, building, category, 'reported', vulnerable, reporter_id,
               unit, reported_at, 0, tie_rank, description FROM input ORDER BY n
        ON CONFLICT (issue_id) DO NOTHING
        RETURNING issue_id, community, category, building, vulnerable, version),
    issue AS (
        SELECT * FROM new
        UNION ALL
        SELECT d.issue_id, d.community, d.category, d.building, d.vulnerable, d.version
        FROM dispatch_issues d JOIN input USING (issue_id)
        WHERE NOT EXISTS (SELECT FROM new WHERE new.issue_id = d.issue_id))
    SELECT issue.*,
        CASE WHEN g.grid_id IS NOT NULL THEN to_jsonb(g) END AS grid,
        (SELECT ARRAY[signoff_minutes, completion_minutes] FROM sla_limits
         WHERE community = i.community AND category = i.category) AS override,
        ARRAY(SELECT a.staff_id FROM staff_availability a
              WHERE a.community = i.community AND NOT a.available
                AND a.staff_id IN (g.steward, g.repairer, g.backup_steward,
                                   g.backup_repairer)) AS away
    FROM issue JOIN input i USING (issue_id)
    LEFT JOIN LATERAL (
        SELECT gr.* FROM grid_buildings b JOIN grids gr USING (community, grid_id)
        WHERE b.community = i.community AND b.building = i.building) g ON true
    ORDER BY i.n"""


async def take_reports(conn: asyncpg.Connection,
                       reports: list[tuple[IssueReported, datetime]]) -> dict[str, Taken]:
    """The statement for several reports of distinct issues in one round trip: (report,
    reported_at) in, their Taken by issue id out. An issue missing from the answer had its
    row inserted by a concurrent transaction after this statement's snapshot: the caller
    takes it again on its own (`take_report` runs once more with a fresh snapshot)."""
    columns = list(zip(*((r.issue_id, r.community, r.building, r.category, r.vulnerable,
                          r.reporter_id, r.unit, at, 0 if r.vulnerable else 1, r.description)
                         for r, at in reports)))
    found = await conn.fetch(_TAKE_REPORTS, *map(list, columns))
    category = {r.issue_id: r.category for r, _ in reports}
    return {row["issue_id"]: _taken(row, category[row["issue_id"]]) for row in found}


def _taken(found: asyncpg.Record, category: str) -> Taken:
    override = found["override"]
    return Taken(row=found,
                 grid=from_row(found["grid"]) if found["grid"] is not None else None,
                 overrides={category: tuple(override)} if override else {},
                 away=frozenset(found["away"]))
