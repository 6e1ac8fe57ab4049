"""One report delivered twice (two event ids) to two transactions at once: routed once.

The routing statement records the working row and reads it back in one statement; when
another transaction inserted the row first, the insert waits for it and the read must still
find the row once that transaction commits.
"""

import asyncio
import time
import uuid

from redgrid_shared import topics
from redgrid_shared.apply import apply_on
from redgrid_shared.clock import FixedClock
from redgrid_shared.consumer import apply_once

from dispatch import consumer
from dispatch.sla.limits import Timing
from tests.integration.dispatch.test_assignment import configured_grid, dispatch_events, new_id
from tests.unit.dispatch.builders import REPORTED_AT, issue_reported_envelope

handle = consumer.handler(clock=FixedClock(REPORTED_AT), timing=Timing())


async def waiting_on_a_lock(pool) -> int:
    return await pool.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock'")


async def behind_an_open_routing(pool, first, work) -> asyncio.Task:
    """Route `first` in a transaction left open, start `work` (which must come to wait for
    the row `first` inserted), then commit; `work`'s task is returned, still running."""
    async with pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        assert await apply_on(conn, topics.INTAKE_EVENTS, first, handle) is True
        task = asyncio.create_task(work)
        deadline = time.monotonic() + 10
        while await waiting_on_a_lock(pool) == 0:  # its insert waits for our row
            assert not task.done(), task.result()
            assert time.monotonic() < deadline, "it never waited for the first row"
            await asyncio.sleep(0.01)
        await tx.commit()
    return task


async def test_a_copy_waiting_on_the_first_copys_row_is_not_routed_again(client, pool):
    grid = await configured_grid(client, steward=new_id("s"), repairer=new_id("r"))
    first = issue_reported_envelope(building=grid["buildings"][0], category="repair.pipe")
    copy = first.model_copy(update={"id": uuid.uuid4()})
    issue_id = first.data["issue_id"]

    second = await behind_an_open_routing(pool, first,
                                          apply_once(pool, topics.INTAKE_EVENTS, copy, handle))
    assert await asyncio.wait_for(second, 10) is True  # applied: it found the issue routed
    events = await dispatch_events(pool, issue_id)
    assert [e["type"] for e in events] == ["org.redgrid.issue.assigned"]
    assert await pool.fetchval("SELECT version FROM dispatch_issues WHERE issue_id = $1",
                               issue_id) == 1
