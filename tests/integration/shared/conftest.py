"""A migrated `shared` schema on a database of the module's own."""

from pathlib import Path

import pytest_asyncio

from redgrid_shared import db


async def svc_pool(url: str, empty: Path, *, max_size: int = 8):
    """A pool on `url` whose schema `svc` holds only the shared tables (event store, outbox,
    dedupe rows, dead letters)."""
    pool = await db.create_pool(url, "svc", min_size=1, max_size=max_size)
    await db.migrate(pool, "svc", empty)
    return pool


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def pool(fresh_database_url, tmp_path_factory):
    pool = await svc_pool(fresh_database_url, Path(tmp_path_factory.mktemp("no_service_sql")))
    yield pool
    await pool.close()
