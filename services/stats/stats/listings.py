"""Reads that list records rather than sum figures: grid holders, meetings and agendas,
campaigns and their issues, staff availability, the overdue list."""

import asyncpg

from stats import buckets
from stats.queries import Params, meeting_days
from stats.scope import Scope
from stats.timeline import OPEN_STATUSES


async def overdue(pool: asyncpg.Pool, scope: Scope, *, limit: int = 500) -> list[asyncpg.Record]:
    """Issues overdue at as_of (oldest report first), within the dimension filters."""
    p = Params(scope.community, scope.as_of, sorted(OPEN_STATUSES))
    conds = ""
    for column, values in (("grid", scope.grid), ("category", scope.category),
                           ("source", scope.source)):
        if values:
            conds += f" AND {column} = ANY({p(list(values))}::text[])"
    if scope.staff:
        people = p(list(scope.staff))
        conds += f" AND (steward = ANY({people}::text[]) OR repairer = ANY({people}::text[]))"
    columns = """issue_id, category, source, NULLIF(grid, '') AS grid_id,
                 NULLIF(steward, '') AS steward, NULLIF(repairer, '') AS repairer, status,
                 reported_at, from_at AS since"""
    # The interval containing as_of is either still current or ended after it: two ranges.
    return await pool.fetch(
        f"""SELECT * FROM (
              SELECT {columns} FROM issue_states WHERE community = $1 AND overdue
                AND to_at IS NULL AND from_at <= $2 AND status = ANY($3::text[]) {conds}
              UNION ALL
              SELECT {columns} FROM issue_states WHERE community = $1 AND overdue
                AND to_at > $2 AND from_at <= $2 AND status = ANY($3::text[]) {conds}) o
            ORDER BY reported_at, issue_id LIMIT {int(limit)}""", *p.args)


async def grid_holders(pool: asyncpg.Pool, scope: Scope) -> list[asyncpg.Record]:
    """Each grid of the community with its name and holders as configured at as_of."""
    return await pool.fetch(
        """SELECT DISTINCT ON (grid_id) grid_id, name, steward, repairer, from_at
           FROM grid_holders WHERE community = $1 AND from_at <= $2
           ORDER BY grid_id, from_at DESC, event_id DESC""", scope.community, scope.as_of)


async def meetings(pool: asyncpg.Pool, scope: Scope) -> list[asyncpg.Record]:
    """Meetings recorded by as_of whose day lies in the window (latest minutes per day)."""
    first, end = meeting_days(scope)
    return await pool.fetch(
        """SELECT DISTINCT ON (meeting_date) meeting_date, recorded_at, attendees,
                  jsonb_array_length(decisions) AS decisions,
                  (SELECT jsonb_object_agg(kind, n) FROM (
                       SELECT d->>'decision' AS kind, count(*) AS n
                       FROM jsonb_array_elements(decisions) d GROUP BY 1) k) AS by_decision
           FROM meetings WHERE community = $1 AND recorded_at <= $2
             AND meeting_date >= $3 AND meeting_date < $4
           ORDER BY meeting_date DESC, recorded_at DESC, event_id DESC""",
        scope.community, scope.as_of, first, end)


async def agendas(pool: asyncpg.Pool, scope: Scope) -> list[asyncpg.Record]:
    """Issues escalated to a meeting day not before as_of's day and still waiting at as_of."""
    return await pool.fetch(
        """SELECT meeting_date, count(*) AS agenda FROM issue_states s
           WHERE community = $1 AND status = 'escalated' AND meeting_date >= $3
             AND s.from_at <= $2 AND (s.to_at IS NULL OR s.to_at > $2)
           GROUP BY meeting_date ORDER BY meeting_date""",
        scope.community, scope.as_of, buckets.day_of(scope.as_of))


async def campaigns(pool: asyncpg.Pool, scope: Scope) -> list[asyncpg.Record]:
    return await pool.fetch(
        """SELECT campaign_id, name, categories, departments, starts_on, ends_on, opened_at,
                  CASE WHEN closed_at <= $2 THEN closed_at END AS closed_at,
                  CASE WHEN closed_at <= $2 THEN results END AS results
           FROM campaigns WHERE community = $1 AND opened_at <= $2
             AND ends_on >= $3 AND starts_on < $4
           ORDER BY starts_on DESC, campaign_id""",
        scope.community, scope.as_of, *meeting_days(scope))


async def campaign_issues(pool: asyncpg.Pool, scope: Scope) -> list[asyncpg.Record]:
    """Per campaign, category and status as of as_of: the issues attached by then."""
    p = Params(scope.community, scope.as_of)
    conds = ""
    if scope.grid:
        conds += f" AND s.grid = ANY({p(list(scope.grid))}::text[])"
    if scope.category:
        conds += f" AND s.category = ANY({p(list(scope.category))}::text[])"
    if scope.source:
        conds += f" AND s.source = ANY({p(list(scope.source))}::text[])"
    return await pool.fetch(
        f"""SELECT ci.campaign_id, s.category, s.status, count(*) AS n
            FROM campaign_issues ci JOIN issue_states s
              ON s.community = ci.community AND s.issue_id = ci.issue_id
             AND s.from_at <= $2 AND (s.to_at IS NULL OR s.to_at > $2)
            WHERE ci.community = $1 AND ci.added_at <= $2 {conds}
            GROUP BY 1, 2, 3""", *p.args)


async def availability(pool: asyncpg.Pool, scope: Scope) -> dict[str, bool]:
    rows = await pool.fetch(
        """SELECT DISTINCT ON (staff_id) staff_id, available FROM staff_availability
           WHERE community = $1 AND at <= $2 ORDER BY staff_id, at DESC, event_id DESC""",
        scope.community, scope.as_of)
    return {r["staff_id"]: r["available"] for r in rows}
