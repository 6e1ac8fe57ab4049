"""SQL of the per-community category limits intake learns from dispatch."""

from datetime import datetime

import asyncpg


async def community_limits(conn: asyncpg.Connection, community: str) -> dict[str, tuple[int, int]]:
    """category -> (sign-off minutes, completion minutes) changed in this community."""
    rows = await conn.fetch(
        """SELECT category, signoff_minutes, completion_minutes FROM category_limits
           WHERE community = $1""", community)
    return {r["category"]: (r["signoff_minutes"], r["completion_minutes"]) for r in rows}


async def save_limits(conn: asyncpg.Connection, *, community: str, category: str,
                      signoff_minutes: int, completion_minutes: int, changed_at: datetime) -> None:
    """Upsert unless the stored limits are newer (events of one community may arrive late)."""
    await conn.execute(
        """INSERT INTO category_limits (community, category, signoff_minutes,
                                        completion_minutes, changed_at)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (community, category) DO UPDATE
              SET signoff_minutes = EXCLUDED.signoff_minutes,
                  completion_minutes = EXCLUDED.completion_minutes,
                  changed_at = EXCLUDED.changed_at
              WHERE category_limits.changed_at <= EXCLUDED.changed_at""",
        community, category, signoff_minutes, completion_minutes, changed_at)
