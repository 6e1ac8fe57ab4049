"""Every SQL statement of the Open311 interface: API keys and the public request queries."""

from datetime import datetime

import asyncpg


async def insert_key(conn: asyncpg.Connection, row: dict) -> asyncpg.Record:
    return await conn.fetchrow(
        """INSERT INTO open311_keys (id, key_hash, community, name, source, created_by,
                                     created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *""",
        row["id"], row["key_hash"], row["community"], row["name"], row["source"],
        row["created_by"], row["created_at"])


async def live_key(conn: asyncpg.Connection, key_hash: str) -> asyncpg.Record | None:
    """The unrevoked key with this hash."""
    return await conn.fetchrow(
        "SELECT * FROM open311_keys WHERE key_hash = $1 AND revoked_at IS NULL", key_hash)


async def keys_of(conn: asyncpg.Connection, community: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM open311_keys WHERE community = $1 ORDER BY created_at, id", community)


async def revoke_key(conn: asyncpg.Connection, *, key_id: str, community: str,
                     at: datetime) -> asyncpg.Record | None:
    """Revoke (once; a second call keeps the first time) and return the key, if it exists."""
    return await conn.fetchrow(
        """UPDATE open311_keys SET revoked_at = coalesce(revoked_at, $3)
           WHERE id = $1 AND community = $2 RETURNING *""", key_id, community, at)


async def jurisdictions(conn: asyncpg.Connection) -> list[str]:
    """Communities whose admin opened Open311 by issuing a key."""
    rows = await conn.fetch("SELECT DISTINCT community FROM open311_keys ORDER BY community")
    return [r["community"] for r in rows]


async def requests_by_id(conn: asyncpg.Connection, *, community: str, ids: list[str],
                         limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT * FROM issues WHERE community = $1 AND id = ANY($2::text[])
           ORDER BY created_at DESC, id DESC LIMIT $3""", community, ids, limit)


async def find_requests(conn: asyncpg.Connection, *, community: str, start: datetime,
                        end: datetime, codes: list[str] | None, statuses: list[str] | None,
                        limit: int) -> list[asyncpg.Record]:
    """Issues requested in [start, end], newest first, optionally by category and status."""
    return await conn.fetch(
        """SELECT * FROM issues
           WHERE community = $1 AND created_at >= $2 AND created_at <= $3
             AND ($4::text[] IS NULL OR category = ANY($4::text[]))
             AND ($5::text[] IS NULL OR status = ANY($5::text[]))
           ORDER BY created_at DESC, id DESC LIMIT $6""",
        community, start, end, codes, statuses, limit)


async def request(conn: asyncpg.Connection, *, community: str,
                  issue_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM issues WHERE community = $1 AND id = $2",
                               community, issue_id)
