"""Resident actions recorded by intake, settled by dispatch's consumer on real PostgreSQL."""

from datetime import timedelta

from dispatch.timers.worker import fire_due
from tests.integration.dispatch.workflow.conftest import HOUR


def settlement(events: list[dict]) -> dict:
    return next(e for e in reversed(events) if e["type"] == "issue.resident-action-settled")


async def resolved(world) -> str:
    issue_id = await world.report()
    await world.post(issue_id, "accept", world.repairer_h())
    await world.post(issue_id, "resolve", world.repairer_h(), {"note": "done"})
    return issue_id


async def test_cancel_before_work_starts_is_applied_and_its_timers_go(world):
    issue_id = await world.report()
    await world.post(issue_id, "accept", world.steward_h())
    env = await world.resident(issue_id, "cancel")
    settled = settlement(await world.events(issue_id))
    assert (settled["outcome"], settled["status"], settled["action_event_id"]) == (
        "applied", "cancelled", str(env.id))
    assert (await world.row(issue_id))["status"] == "cancelled"
    assert await world.timers(issue_id) == []
    late = await world.post(issue_id, "start", world.steward_h())
    assert late.status_code == 409 and late.json()["error"]["fields"]["status"] == "cancelled"


async def test_cancel_after_the_repairer_started_is_refused_and_work_goes_on(world):
    issue_id = await world.report()
    await world.post(issue_id, "accept", world.repairer_h())
    await world.post(issue_id, "start", world.repairer_h())
    await world.resident(issue_id, "cancel")
    settled = settlement(await world.events(issue_id))
    assert (settled["outcome"], settled["status"]) == ("refused", "in_progress")
    assert (await world.row(issue_id))["status"] == "in_progress"


async def test_confirm_closes_the_issue_and_its_close_timer(world):
    issue_id = await resolved(world)
    await world.resident(issue_id, "confirm")
    types = [e["type"] for e in await world.events(issue_id)]
    assert types[-2:] == ["issue.closed", "issue.resident-action-settled"]
    assert (await world.row(issue_id))["status"] == "closed"
    assert [t for t in await world.timers(issue_id) if t[2] is None] == []


async def test_reopen_within_seven_days_is_assigned_again_with_a_new_deadline(world):
    issue_id = await resolved(world)
    world.clock.advance(timedelta(days=6))
    await world.resident(issue_id, "reopen", reason="又堵了")
    events = await world.events(issue_id)
    settled, assigned = events[-2:]
    assert (settled["outcome"], settled["status"]) == ("applied", "assigned")
    assert (assigned["type"], assigned["reason"]) == ("issue.assigned", "reopened")
    assert [t[0] for t in await world.timers(issue_id) if t[2] is None] == ["signoff"]


async def test_reopen_on_the_day_the_auto_close_fired_first_is_refused(world):
    issue_id = await resolved(world)
    world.clock.advance(timedelta(days=7))
    assert await fire_due(world.pool, clock=world.clock) >= 1
    assert (await world.row(issue_id))["status"] == "closed"
    await world.resident(issue_id, "reopen", reason="没修好", at=world.clock() - HOUR)
    settled = settlement(await world.events(issue_id))
    assert (settled["outcome"], settled["status"]) == ("refused", "closed")
    assert "7 days" in settled["reason"]


async def test_a_redelivered_action_is_settled_once(world):
    from redgrid_shared import topics
    from redgrid_shared.consumer import apply_once

    issue_id = await world.report()
    env = await world.resident(issue_id, "cancel")
    assert not await apply_once(world.pool, topics.INTAKE_EVENTS, env, world.handle)
    types = [e["type"] for e in await world.events(issue_id)]
    assert types.count("issue.resident-action-settled") == 1
