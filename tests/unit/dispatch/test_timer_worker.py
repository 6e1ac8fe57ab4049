"""The timer worker's loop: a database outage is waited out, never fatal."""

import asyncio

import pytest

from dispatch.timers import worker


async def test_the_worker_keeps_polling_through_database_errors(monkeypatch):
    calls = []

    async def flaky(pool, *, clock, failed):
        calls.append(len(calls))
        if len(calls) <= 2:
            raise OSError("connection refused")
        if len(calls) == 4:
            raise asyncio.CancelledError
        return 0

    monkeypatch.setattr(worker, "fire_due", flaky)
    loop = worker.TimerWorker(pool=None, clock=lambda: None, poll_seconds=0.001)
    with pytest.raises(asyncio.CancelledError):
        await loop.run()
    assert len(calls) == 4  # two failures, one good poll, then stopped


def test_a_due_timer_of_a_kind_decides_its_event():
    from tests.unit.dispatch.workflow.builders import issue
    state = issue(status="resolved", close_due_at=issue().signoff_due_at)
    events = worker.on_timer(state, kind="auto_close", due_at=state.close_due_at,
                             now=state.close_due_at)
    assert [e.TYPE for e in events] == ["issue.closed"]
    fresh = issue()
    events = worker.on_timer(fresh, kind="signoff", due_at=fresh.signoff_due_at,
                             now=fresh.signoff_due_at)
    assert [e.TYPE for e in events] == ["issue.overdue", "issue.escalated"]
