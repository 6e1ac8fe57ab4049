"""PostgreSQL pool per service schema, and the versioned-migration runner."""

import json
import logging
from importlib import resources
from importlib.resources.abc import Traversable

import asyncpg

from redgrid_shared import eventstore

log = logging.getLogger(__name__)
SHARED_SQL = resources.files("redgrid_shared") / "sql"


async def init_connection(conn: asyncpg.Connection) -> None:
    # A new connection's backend pid may be an old one's: a wake-up that connection left
    # pending (its release skipped the reset, e.g. closed or at max_queries) is not ours.
    eventstore.forget_pending(conn)
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(type_name, encoder=json.dumps, decoder=json.loads,
                                  schema="pg_catalog")


async def create_pool(database_url: str, schema: str, *, min_size: int = 2,
                      max_size: int = 10) -> asyncpg.Pool:
    """A pool whose connections work inside the service's own schema."""
    await ensure_schema(database_url, schema)
    return await asyncpg.create_pool(
        database_url, min_size=min_size, max_size=max_size, init=init_connection,
        server_settings={"search_path": schema, "application_name": schema},
        # No reset query on release (one round trip per request saved): pooled connections
        # hold no session state. Advisory locks are transaction-scoped, LISTEN and the
        # relay's session lock live on connections of their own, search_path is set at
        # connect time. Release sends the outbox NOTIFY an append left pending instead.
        reset=_on_release,
    )


async def _on_release(conn: asyncpg.Connection) -> None:
    try:
        await eventstore.notify_if_pending(conn)
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
        # The effect is committed already; the relay's poll finds it. A broken connection
        # must not go back to the pool.
        log.warning("outbox notify after commit failed (%s); the relay poll will catch up", exc)
        conn.terminate()


async def ensure_schema(database_url: str, schema: str) -> None:
    """Create the service's schema if missing."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    finally:
        await conn.close()


def _sql_files(folder: Traversable, prefix: str) -> list[tuple[str, str]]:
    files = sorted((f.name, f) for f in folder.iterdir() if f.name.endswith(".sql"))
    return [(f"{prefix}/{name}", f.read_text(encoding="utf-8")) for name, f in files]


async def migrate(pool: asyncpg.Pool, schema: str, service_sql: Traversable) -> list[str]:
    """Apply the shared then the service's SQL files not applied yet; safe to run concurrently."""
    pending = _sql_files(SHARED_SQL, "shared") + _sql_files(service_sql, schema)
    applied: list[str] = []
    async with pool.acquire() as conn, conn.transaction():
        # Replicas starting together serialise here; the loser sees the winner's rows.
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"migrate:{schema}")
        await conn.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
            version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())""")
        done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
        for version, sql in pending:
            if version in done:
                continue
            await conn.execute(sql)
            await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", version)
            applied.append(version)
    if applied:
        log.info("schema %s: applied %s", schema, ", ".join(applied))
    return applied
