"""Every SQL statement of staffing: availability rows, who is away, open work of a person."""

from datetime import datetime

import asyncpg

from redgrid_shared.events import StaffAvailabilityChanged

Db = asyncpg.Connection | asyncpg.Pool
WORKING = ("assigned", "accepted", "in_progress")


async def availability(db: Db, community: str, staff_id: str) -> asyncpg.Record | None:
    return await db.fetchrow("SELECT * FROM staff_availability WHERE community = $1 "
                             "AND staff_id = $2", community, staff_id)


async def save(conn: asyncpg.Connection, event: StaffAvailabilityChanged, *, at: datetime,
               version: int) -> asyncpg.Record:
    """Upsert a person's availability from the event (same transaction)."""
    return await conn.fetchrow(
        """INSERT INTO staff_availability (community, staff_id, available, changed_at,
               changed_by, note, version) VALUES ($1,$2,$3,$4,$5,$6,$7)
           ON CONFLICT (community, staff_id) DO UPDATE SET available = EXCLUDED.available,
             changed_at = EXCLUDED.changed_at, changed_by = EXCLUDED.changed_by,
             note = EXCLUDED.note, version = EXCLUDED.version
           RETURNING *""",
        event.community, event.staff_id, event.available, at, event.changed_by, event.note,
        version)


async def away(db: Db, community: str, people: list[str] | None = None) -> set[str]:
    """Who of the community is on leave now (only among `people`, when given)."""
    rows = await db.fetch(
        """SELECT staff_id FROM staff_availability WHERE community = $1 AND NOT available
           AND ($2::text[] IS NULL OR staff_id = ANY($2))""", community, people)
    return {r["staff_id"] for r in rows}


async def open_work(db: Db, community: str, staff_id: str) -> list[asyncpg.Record]:
    """The person's issues still being worked on (not escalated, referred or queued)."""
    return await db.fetch(
        """SELECT issue_id, grid_id, steward_id, repairer_id FROM dispatch_issues
           WHERE community = $1 AND status = ANY($3) AND $2 IN (steward_id, repairer_id)
           ORDER BY issue_id""", community, staff_id, list(WORKING))


async def grid_changes(db: Db, community: str, grid_id: str) -> list[asyncpg.Record]:
    """The grid's stream, oldest first."""
    return await db.fetch(
        "SELECT version, occurred_at, data FROM events WHERE stream_id = $1 ORDER BY version",
        f"grid-{community}/{grid_id}")


async def availability_changes(db: Db, community: str,
                               people: list[str]) -> list[asyncpg.Record]:
    """Every availability change of these people in the community, oldest first."""
    return await db.fetch(
        """SELECT occurred_at, data FROM events WHERE stream_id = ANY($1)
           ORDER BY occurred_at, position""",
        [staff_stream(community, p) for p in people])


def staff_stream(community: str, staff_id: str) -> str:
    """A person's availability stream: people are per community, like grids."""
    return f"staff-{community}/{staff_id}"
