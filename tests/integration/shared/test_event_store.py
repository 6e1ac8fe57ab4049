import asyncio

import pytest

from redgrid_shared import events
from redgrid_shared.eventstore import ConcurrencyConflict, PgEventStore
from tests.store_contract import CONTRACT_CASES, TOPIC


@pytest.mark.parametrize("case", CONTRACT_CASES, ids=lambda c: c.__name__)
async def test_postgres_store_keeps_the_contract(pool, case):
    async with pool.acquire() as conn:
        await conn.execute("TRUNCATE events")
        await case(PgEventStore(conn))


async def test_concurrent_appends_at_the_same_version_one_wins_one_conflicts(pool):
    stream = "issue-race"
    start = asyncio.Event()

    async def append_one():
        async with pool.acquire() as conn, conn.transaction():
            store = PgEventStore(conn)
            await start.wait()
            data = events.IssueUnroutable(issue_id=stream, community="c", building="b", reason="r")
            await store.append(stream, 0, [events.envelope(data, service="t", subject=stream)],
                               topic=TOPIC)

    tasks = [asyncio.create_task(append_one()) for _ in range(2)]
    await asyncio.sleep(0.05)
    start.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert sum(r is None for r in results) == 1
    assert sum(isinstance(r, ConcurrencyConflict) for r in results) == 1
    assert await pool.fetchval("SELECT count(*) FROM events WHERE stream_id = $1", stream) == 1


async def test_migrations_run_twice_change_nothing(pool, tmp_path):
    from redgrid_shared import db
    assert await db.migrate(pool, "svc", tmp_path) == []
