"""Projections: one idempotent upsert per event type into the stats read models.

Both topics are consumed independently, so an issue.assigned may arrive before its
issue.reported. Every write therefore tolerates any order: facts merge with COALESCE or
by event time, status history is append-only keyed on the event id, and "as of" reads
order by event time, never by arrival.
"""

import logging
from datetime import datetime, timezone

import asyncpg

from redgrid_shared import events
from redgrid_shared.events import Envelope

from stats.figures import STATUS_RANK

log = logging.getLogger(__name__)

# Lifecycle events with no typed data model yet: only the issue id and the time matter here.
STATUS_BY_TYPE: dict[str, str] = {
    "issue.accepted": "accepted",
    "issue.started": "in_progress",
    "issue.returned": "returned",
    "issue.escalated": "escalated",
    "issue.referred": "referred",
    "issue.resolved": "resolved",
    "issue.confirmed": "closed",
    "issue.closed": "closed",
    "issue.cancelled": "cancelled",
}


def _at(env: Envelope) -> datetime:
    return env.time if env.time.tzinfo else env.time.replace(tzinfo=timezone.utc)


async def _status_change(conn: asyncpg.Connection, env: Envelope, issue_id: str, status: str,
                         grid_id: str | None = None) -> None:
    await conn.execute(
        """INSERT INTO issue_status_changes (event_id, issue_id, status, rank, grid_id, at)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING""",
        env.id, issue_id, status, STATUS_RANK[status], grid_id, _at(env))


async def on_issue_reported(conn: asyncpg.Connection, env: Envelope,
                            data: events.IssueReported) -> None:
    """The report fixes the issue's facts; an earlier assignment's grid is kept."""
    await conn.execute(
        """INSERT INTO issue_facts (issue_id, community, category, source, vulnerable, reported_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (issue_id) DO UPDATE SET
             community = EXCLUDED.community, category = EXCLUDED.category,
             source = EXCLUDED.source, vulnerable = EXCLUDED.vulnerable,
             reported_at = EXCLUDED.reported_at""",
        data.issue_id, data.community, data.category, data.source, data.vulnerable, _at(env))
    await _status_change(conn, env, data.issue_id, "reported")


async def on_issue_assigned(conn: asyncpg.Connection, env: Envelope,
                            data: events.IssueAssigned) -> None:
    """An assignment names the grid; the latest by event time wins, whatever arrives last."""
    await conn.execute(
        """INSERT INTO issue_facts (issue_id, community, category, grid_id, grid_at)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (issue_id) DO UPDATE SET
             category = COALESCE(issue_facts.category, EXCLUDED.category),
             grid_id = CASE WHEN issue_facts.grid_at IS NULL OR issue_facts.grid_at <= EXCLUDED.grid_at
                            THEN EXCLUDED.grid_id ELSE issue_facts.grid_id END,
             grid_at = GREATEST(issue_facts.grid_at, EXCLUDED.grid_at)""",
        data.issue_id, data.community, data.category, data.grid_id, _at(env))
    await _status_change(conn, env, data.issue_id, "assigned", data.grid_id)


async def on_issue_unroutable(conn: asyncpg.Connection, env: Envelope,
                              data: events.IssueUnroutable) -> None:
    """No grid covers the building: the issue waits for an operator."""
    await conn.execute(
        """INSERT INTO issue_facts (issue_id, community) VALUES ($1, $2)
           ON CONFLICT (issue_id) DO NOTHING""", data.issue_id, data.community)
    await _status_change(conn, env, data.issue_id, "unroutable")


async def on_grid_configured(conn: asyncpg.Connection, env: Envelope,
                             data: events.GridConfigured) -> None:
    """A grid's owners from this moment on; history is kept, never overwritten."""
    await conn.execute(
        """INSERT INTO grid_owners (event_id, grid_id, community, name, steward, repairer, from_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING""",
        env.id, data.grid_id, data.community, data.name, data.steward, data.repairer, _at(env))


async def on_status_changed(conn: asyncpg.Connection, env: Envelope) -> None:
    """A lifecycle step (accepted ... closed) recorded as a status change at its event time."""
    issue_id = str(env.data.get("issue_id") or env.subject)
    await _status_change(conn, env, issue_id, STATUS_BY_TYPE[env.short_type])


TYPED = {
    events.IssueReported.TYPE: on_issue_reported,
    events.IssueAssigned.TYPE: on_issue_assigned,
    events.IssueUnroutable.TYPE: on_issue_unroutable,
    events.GridConfigured.TYPE: on_grid_configured,
}


async def apply(conn: asyncpg.Connection, env: Envelope) -> None:
    """Project one event; types stats does not read are ignored (they still get a dedupe row)."""
    handler = TYPED.get(env.short_type)
    if handler is not None:
        await handler(conn, env, events.parse(env))
    elif env.short_type in STATUS_BY_TYPE:
        await on_status_changed(conn, env)
