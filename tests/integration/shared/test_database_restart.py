"""A consumer outlives a PostgreSQL restart: nothing parked, nothing lost, nothing doubled."""

import asyncio
import shutil
import tempfile
import uuid
from pathlib import Path

from redgrid_dev.ports import free_port
from redgrid_dev.postgres import EmbeddedPostgres
from redgrid_shared import db
from redgrid_shared.consumer import ConsumerLoop
from redgrid_shared.topics import DISPATCH_EVENTS
from tests.integration.shared.helpers import new_tag
from tests.integration.shared.test_consumer import (FAST_GROUP, _count, _counter_handler,
                                                    _events, _produce)


async def test_the_consumer_survives_a_database_restart_without_parking_or_doubling(
        kafka_bootstrap):
    folder = Path(tempfile.mkdtemp(prefix="redgrid-test-restart-"))
    # A fixed port: the restarted server must come back where the pool looks for it.
    pg = await asyncio.to_thread(EmbeddedPostgres(folder / "pg", port=free_port()).start)
    pool = await db.create_pool(pg.database_url, "svc", min_size=1, max_size=4)
    tag, group = new_tag(), f"restart-{uuid.uuid4().hex[:8]}"
    envs = _events(tag, 40)
    loop = ConsumerLoop(pool=pool, bootstrap=kafka_bootstrap, group_id=group,
                        topics=(DISPATCH_EVENTS,), handler=_counter_handler, **FAST_GROUP)
    task = None
    try:
        await db.migrate(pool, "svc", folder)
        await pool.execute("CREATE TABLE effect_counts (tag text PRIMARY KEY, n int)")
        await _produce(kafka_bootstrap, envs[:20])
        await loop.start()
        task = asyncio.create_task(loop.run())
        clock = asyncio.get_running_loop()
        deadline = clock.time() + 60
        while await _count(pool, tag) < 5:
            assert clock.time() < deadline, "consumer never started applying"
            await asyncio.sleep(0.02)

        await asyncio.to_thread(pg.stop)  # mid-stream: the database goes away
        await _produce(kafka_bootstrap, envs[20:])
        await asyncio.sleep(1.5)  # the loop meets the outage and backs off
        await asyncio.to_thread(pg.start)

        deadline = clock.time() + 90
        while True:
            try:
                if await _count(pool, tag) == len(envs):
                    break
            except OSError:
                pass  # the pool is reconnecting
            assert clock.time() < deadline, "consumer never recovered"
            assert not task.done(), task
            await asyncio.sleep(0.1)
        assert not task.done()
        assert await pool.fetchval(  # none of ours parked (other tests' garbage may be)
            "SELECT count(*) FROM dead_letters WHERE position($1::bytea in value) > 0",
            tag.encode()) == 0
    finally:
        if task:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await loop.stop()
        await pool.close()
        await asyncio.to_thread(pg.stop)
        shutil.rmtree(folder, ignore_errors=True)
