"""SQL of a community's SLA overrides (table sla_limits)."""

from datetime import datetime

import asyncpg

from redgrid_shared.events import SlaChanged

Db = asyncpg.Connection | asyncpg.Pool


async def overrides(db: Db, community: str) -> dict[str, tuple[int, int]]:
    """{category: (signoff_minutes, completion_minutes)} an admin of the community set."""
    rows = await db.fetch(
        "SELECT category, signoff_minutes, completion_minutes FROM sla_limits "
        "WHERE community = $1", community)
    return {r["category"]: (r["signoff_minutes"], r["completion_minutes"]) for r in rows}


async def save(conn: asyncpg.Connection, event: SlaChanged, *, at: datetime,
               version: int) -> None:
    """Upsert one category's limits from an sla.changed event (same transaction)."""
    await conn.execute(
        """INSERT INTO sla_limits (community, category, signoff_minutes, completion_minutes,
                                   changed_by, changed_at, version)
           VALUES ($1,$2,$3,$4,$5,$6,$7)
           ON CONFLICT (community, category) DO UPDATE SET
             signoff_minutes = EXCLUDED.signoff_minutes,
             completion_minutes = EXCLUDED.completion_minutes,
             changed_by = EXCLUDED.changed_by, changed_at = EXCLUDED.changed_at,
             version = EXCLUDED.version""",
        event.community, event.category, event.signoff_minutes, event.completion_minutes,
        event.changed_by, at, version)
