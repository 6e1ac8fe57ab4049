"""The dev runner refills a fresh broker: stored events become unpublished again, missing stores are skipped."""

from pathlib import Path

from redgrid_dev import replay
from redgrid_shared import db, events, topics
from redgrid_shared.eventstore import PgEventStore


async def test_republish_marks_published_events_of_existing_stores_unpublished(make_database, tmp_path: Path):
    url = await make_database("dev_runner")
    pool = await db.create_pool(url, "intake", min_size=1, max_size=2)
    try:
        await db.migrate(pool, "intake", tmp_path)  # empty folder: the shared event store only
        async with pool.acquire() as conn, conn.transaction():
            data = events.IssueUnroutable(issue_id="i-1", community="c", building="b", reason="test")
            env = events.envelope(data, service="intake", subject="i-1")
            await PgEventStore(conn).append("i-1", 0, [env], topic=topics.INTAKE_EVENTS)
            await conn.execute("UPDATE events SET published_at = now()")

        counts = await replay.republish_event_stores(url)

        async with pool.acquire() as conn:
            unpublished = await conn.fetchval("SELECT count(*) FROM events WHERE published_at IS NULL")
    finally:
        await pool.close()
    assert counts == {"intake": 1}  # no dispatch schema in this database: skipped, not an error
    assert unpublished == 1


async def test_republish_on_a_database_without_event_stores_queues_nothing(make_database):
    url = await make_database("dev_runner_empty")
    assert await replay.republish_event_stores(url) == {}
