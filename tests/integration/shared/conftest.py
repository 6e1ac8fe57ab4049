"""A migrated `shared` schema on a database of the module's own."""

from pathlib import Path

import pytest_asyncio

from redgrid_shared import db


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def pool(fresh_database_url, tmp_path_factory):
    empty = Path(tmp_path_factory.mktemp("no_service_sql"))
    pool = await db.create_pool(fresh_database_url, "svc", min_size=1, max_size=8)
    await db.migrate(pool, "svc", empty)
    yield pool
    await pool.close()
