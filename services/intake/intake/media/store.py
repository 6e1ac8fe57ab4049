"""Every SQL statement about photos (intake's `media` table)."""

from datetime import datetime

import asyncpg


async def insert(conn: asyncpg.Connection, row: dict) -> asyncpg.Record:
    """Record a stored photo and return the row."""
    return await conn.fetchrow(
        """INSERT INTO media (id, community, uploaded_by, uploader_role, content_type,
                              size_bytes, width, height, sha256, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *""",
        row["id"], row["community"], row["uploaded_by"], row["uploader_role"],
        row["content_type"], row["size_bytes"], row["width"], row["height"], row["sha256"],
        row["created_at"])


async def fetch(conn: asyncpg.Connection, media_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM media WHERE id = $1", media_id)


async def lock_many(conn: asyncpg.Connection, ids: list[str]) -> dict[str, asyncpg.Record]:
    """The rows of these ids, locked until the transaction ends (a report claims them)."""
    rows = await conn.fetch("SELECT * FROM media WHERE id = ANY($1::text[]) ORDER BY id "
                            "FOR UPDATE", ids)
    return {r["id"]: r for r in rows}


async def attach(conn: asyncpg.Connection, ids: list[str], issue_id: str) -> None:
    await conn.execute("UPDATE media SET issue_id = $2 WHERE id = ANY($1::text[])", ids, issue_id)


async def existing(conn: asyncpg.Connection, ids: list[str]) -> set[str]:
    """Which of these ids have a row."""
    rows = await conn.fetch("SELECT id FROM media WHERE id = ANY($1::text[])", ids)
    return {r["id"] for r in rows}


async def delete_unattached(conn: asyncpg.Connection, *, before: datetime,
                            limit: int) -> list[str]:
    """Delete up to `limit` photos no report listed, uploaded before `before`; their ids."""
    rows = await conn.fetch(
        """DELETE FROM media WHERE id IN (
               SELECT id FROM media WHERE issue_id IS NULL AND created_at < $1
               ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING id""", before, limit)
    return [r["id"] for r in rows]
