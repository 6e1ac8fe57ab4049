"""Every read of the stats read models. Writes live in projections.py.

All figures start from the same `scoped` set: issues reported at or before as_of in the
scope's window, each with its status and grid as of that moment taken from the change
history by event time.
"""

from datetime import date, datetime

import asyncpg

from stats.figures import HANDLED, Count
from stats.scope import TZ, Scope

# $1 as_of, $2 community, $3 from, $4 to, $5 category, $6 source, $7 grid
_SCOPED = """
WITH scoped AS (
    SELECT f.issue_id, COALESCE(f.category, 'other') AS category, f.reported_at,
           COALESCE(last.status, 'reported') AS status, grid.grid_id,
           EXISTS (SELECT 1 FROM issue_status_changes u
                   WHERE u.issue_id = f.issue_id AND u.status = 'unroutable' AND u.at <= $1)
             AS was_unroutable
    FROM issue_facts f
    LEFT JOIN LATERAL (
        SELECT c.status FROM issue_status_changes c
        WHERE c.issue_id = f.issue_id AND c.at <= $1
        ORDER BY c.at DESC, c.rank DESC, c.event_id DESC LIMIT 1) last ON true
    LEFT JOIN LATERAL (
        SELECT c.grid_id FROM issue_status_changes c
        WHERE c.issue_id = f.issue_id AND c.grid_id IS NOT NULL AND c.at <= $1
        ORDER BY c.at DESC, c.rank DESC, c.event_id DESC LIMIT 1) grid ON true
    WHERE f.reported_at <= $1
      AND ($2::text IS NULL OR f.community = $2)
      AND ($3::timestamptz IS NULL OR f.reported_at >= $3)
      AND ($4::timestamptz IS NULL OR f.reported_at < $4)
      AND ($5::text IS NULL OR f.category = $5)
      AND ($6::text IS NULL OR f.source = $6)
      AND ($7::text IS NULL OR grid.grid_id = $7)
)
"""


def _args(scope: Scope, *, windowed: bool = True) -> tuple:
    # Grid ids are per community: a grid filter means nothing without its community.
    if scope.grid is not None and scope.community is None:
        raise ValueError("a grid filter needs a community: grid ids repeat across communities")
    return (scope.as_of, scope.community, scope.start if windowed else None,
            scope.end if windowed else None, scope.category, scope.source, scope.grid)


async def counts(pool: asyncpg.Pool, scope: Scope) -> list[Count]:
    """Issues in scope grouped by category, status as of, and whether ever unroutable."""
    rows = await pool.fetch(
        _SCOPED + """SELECT category, status, was_unroutable, count(*) AS n FROM scoped
                     GROUP BY category, status, was_unroutable""", *_args(scope))
    return [Count(r["category"], r["status"], r["n"], r["was_unroutable"]) for r in rows]


async def grid_counts(pool: asyncpg.Pool, scope: Scope) -> dict[str | None, tuple[int, int]]:
    """(collected, handled) per grid of the scope's community as of; no grid held: None."""
    if scope.community is None:
        raise ValueError("per-grid counts need a community: grid ids repeat across communities")
    rows = await pool.fetch(
        _SCOPED + """SELECT grid_id, count(*) AS collected,
                            count(*) FILTER (WHERE status = ANY($8::text[])) AS handled
                     FROM scoped GROUP BY grid_id""", *_args(scope), sorted(HANDLED))
    return {r["grid_id"]: (r["collected"], r["handled"]) for r in rows}


async def grid_owners(pool: asyncpg.Pool, *, community: str,
                      as_of: datetime) -> list[asyncpg.Record]:
    """Each grid of the community with its name and owners as configured at as_of.

    A grid is (community, grid_id): another community's grid of the same id never shows here.
    """
    return await pool.fetch(
        """SELECT DISTINCT ON (grid_id) grid_id, name, steward, repairer, from_at
           FROM grid_owners WHERE community = $1 AND from_at <= $2
           ORDER BY grid_id, from_at DESC, event_id DESC""", community, as_of)


async def daily(pool: asyncpg.Pool, scope: Scope, *, start: datetime,
                end: datetime) -> dict[date, tuple[int, int]]:
    """Per Shanghai day in [start, end): issues reported, and issues first handled, that day."""
    rows = await pool.fetch(
        _SCOPED + """, handled AS (
                SELECT c.issue_id, min(c.at) AS at FROM scoped s
                JOIN issue_status_changes c ON c.issue_id = s.issue_id
                WHERE c.status = ANY($8::text[]) AND c.at <= $1 GROUP BY c.issue_id)
            SELECT day, sum(collected)::int AS collected, sum(handled)::int AS handled FROM (
                SELECT (reported_at AT TIME ZONE $9)::date AS day, 1 AS collected, 0 AS handled
                FROM scoped WHERE reported_at >= $10 AND reported_at < $11
                UNION ALL
                SELECT (at AT TIME ZONE $9)::date, 0, 1
                FROM handled WHERE at >= $10 AND at < $11) per_issue
            GROUP BY day""",
        *_args(scope, windowed=False), sorted(HANDLED), TZ.key, start, end)
    return {r["day"]: (r["collected"], r["handled"]) for r in rows}
