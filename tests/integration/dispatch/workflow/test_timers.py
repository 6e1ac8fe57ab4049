"""Deadlines as rows: fired once, across restarts and racing workers, on real PostgreSQL."""

import asyncio
from datetime import timedelta

from redgrid_shared import db

from dispatch.timers.worker import fire_due
from tests.integration.dispatch.workflow.conftest import HOUR


def types(events: list[dict]) -> list[str]:
    return [e["type"] for e in events]


async def test_a_missed_sign_off_is_overdue_once_and_escalated_to_the_next_meeting(world):
    issue_id = await world.report()
    world.clock.advance(HOUR)
    await fire_due(world.pool, clock=world.clock)
    assert types(await world.events(issue_id)) == ["issue.assigned"]  # not due yet

    world.clock.advance(HOUR)
    await fire_due(world.pool, clock=world.clock)
    events = await world.events(issue_id)
    assert types(events) == ["issue.assigned", "issue.overdue", "issue.escalated"]
    overdue, escalated = events[1:]
    assert (overdue["deadline"], overdue["by"], overdue["status"]) == ("signoff", "clock",
                                                                       "assigned")
    assert (escalated["cause"], escalated["meeting_date"]) == ("overdue", "2024-06-24")
    row = await world.row(issue_id)
    assert (row["status"], str(row["meeting_date"])) == ("escalated", "2024-06-24")

    # later polls find nothing left to fire for this deadline
    world.clock.advance(timedelta(days=30))
    await fire_due(world.pool, clock=world.clock)
    assert types(await world.events(issue_id)).count("issue.overdue") == 1


async def test_a_deadline_passed_while_dispatch_was_down_fires_when_it_comes_back(app, world):
    issue_id = await world.report()
    world.clock.advance(timedelta(days=3))  # nothing ran meanwhile
    url = app.state.settings.database_url
    pool = await db.create_pool(url, app.state.settings.schema)  # a new process's pool
    try:
        assert await fire_due(pool, clock=world.clock) >= 1
    finally:
        await pool.close()
    assert types(await world.events(issue_id))[1:] == ["issue.overdue", "issue.escalated"]


async def test_a_missed_completion_deadline_is_overdue_too(world):
    issue_id = await world.report(category="safety.fire")
    await world.post(issue_id, "accept", world.repairer_h())
    world.clock.advance(timedelta(hours=24))
    await fire_due(world.pool, clock=world.clock)
    overdue = (await world.events(issue_id))[-2]
    assert (overdue["type"], overdue["deadline"], overdue["status"]) == (
        "issue.overdue", "completion", "accepted")


async def test_a_signed_off_issue_is_never_overdue_for_sign_off(world):
    issue_id = await world.report()
    await world.post(issue_id, "accept", world.steward_h())
    world.clock.advance(3 * HOUR)
    await fire_due(world.pool, clock=world.clock)
    assert "issue.overdue" not in types(await world.events(issue_id))


async def test_seven_days_of_silence_close_a_resolved_issue(world):
    issue_id = await world.report()
    await world.post(issue_id, "accept", world.steward_h())
    await world.post(issue_id, "resolve", world.steward_h(), {"note": "ok"})
    world.clock.advance(timedelta(days=7) - timedelta(seconds=1))
    await fire_due(world.pool, clock=world.clock)
    assert (await world.row(issue_id))["status"] == "resolved"
    world.clock.advance(timedelta(seconds=1))
    await fire_due(world.pool, clock=world.clock)
    closed = (await world.events(issue_id))[-1]
    assert (closed["type"], closed["reason"], closed["by"]) == (
        "issue.closed", "no_response_7_days", "clock")


async def test_two_workers_racing_over_many_deadlines_fire_each_once(app, world):
    issue_ids = [await world.report() for _ in range(60)]
    world.clock.advance(3 * HOUR)
    settings = app.state.settings
    pools = [await db.create_pool(settings.database_url, settings.schema) for _ in range(2)]
    try:
        await asyncio.gather(*(fire_due(p, clock=world.clock) for p in pools),
                             fire_due(world.pool, clock=world.clock))
    finally:
        for pool in pools:
            await pool.close()
    counts = await world.pool.fetch(
        """SELECT subject, count(*) FILTER (WHERE type = 'org.redgrid.issue.overdue') AS overdue,
                  count(*) FILTER (WHERE type = 'org.redgrid.issue.escalated') AS escalated
           FROM events WHERE subject = ANY($1) GROUP BY subject""", issue_ids)
    assert len(counts) == 60
    assert {(r["overdue"], r["escalated"]) for r in counts} == {(1, 1)}


async def test_a_staff_action_racing_the_timer_leaves_one_consistent_story(world):
    for _ in range(10):
        issue_id = await world.report()
        world.clock.advance(2 * HOUR)
        accept, _ = await asyncio.gather(
            world.post(issue_id, "accept", world.steward_h()),
            fire_due(world.pool, clock=world.clock))
        events = types(await world.events(issue_id))
        if accept.status_code == 200:
            assert events[:2] == ["issue.assigned", "issue.accepted"]
            assert "issue.overdue" not in events
        else:
            assert accept.json()["error"]["fields"]["status"] == "escalated"
            assert events == ["issue.assigned", "issue.overdue", "issue.escalated"]


async def test_a_timer_that_cannot_be_decided_is_skipped_and_the_others_still_fire(
        world, monkeypatch):
    from dispatch.timers import worker

    poisoned = await world.report()
    healthy = await world.report()
    decide = worker.on_timer

    def failing(issue, **kwargs):
        if issue.issue_id == poisoned:
            raise ValueError("a defect")
        return decide(issue, **kwargs)

    monkeypatch.setattr(worker, "on_timer", failing)
    world.clock.advance(3 * HOUR)
    failed: set[str] = set()
    await fire_due(world.pool, clock=world.clock, failed=failed)
    assert failed == {poisoned}
    assert types(await world.events(healthy))[1:] == ["issue.overdue", "issue.escalated"]
    assert types(await world.events(poisoned)) == ["issue.assigned"]
    assert [t[0] for t in await world.timers(poisoned) if t[2] is None] == ["signoff"]

    monkeypatch.setattr(worker, "on_timer", decide)  # "restart" with the defect fixed
    await fire_due(world.pool, clock=world.clock)
    assert types(await world.events(poisoned))[1:] == ["issue.overdue", "issue.escalated"]
