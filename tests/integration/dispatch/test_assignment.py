"""issue.reported through the consumer's apply_once on real PostgreSQL: assigned once, or unroutable."""

import uuid
from datetime import timedelta

from redgrid_shared import topics
from redgrid_shared.clock import FixedClock
from redgrid_shared.consumer import apply_once

from dispatch import consumer
from dispatch.sla.limits import Timing
from dispatch.workflow import store
from tests.integration.dispatch.conftest import auth
from tests.unit.dispatch.builders import REPORTED_AT, grid_body, issue_reported_envelope

handle = consumer.handler(clock=FixedClock(REPORTED_AT), timing=Timing())


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def configured_grid(client, **overrides) -> dict:
    grid_id = new_id("g")
    response = await client.put(f"/v1/grids/{grid_id}", headers=auth(),
                                json=grid_body(buildings=[new_id("b")], **overrides))
    assert response.status_code == 201, response.text
    return response.json()


async def dispatch_events(pool, issue_id: str) -> list:
    return await pool.fetch(
        "SELECT version, type, subject, topic, data FROM events WHERE stream_id = $1 ORDER BY version",
        f"issue-{issue_id}")


async def test_reported_issue_is_assigned_exactly_once_even_when_applied_twice(client, pool):
    grid = await configured_grid(client, steward=new_id("s"), repairer=new_id("r"))
    env = issue_reported_envelope(building=grid["buildings"][0], category="repair.pipe")
    issue_id = env.data["issue_id"]

    assert await apply_once(pool, topics.INTAKE_EVENTS, env, handle) is True
    assert await apply_once(pool, topics.INTAKE_EVENTS, env, handle) is False

    [event] = await dispatch_events(pool, issue_id)
    assert (event["type"], event["subject"], event["topic"]) == (
        "org.redgrid.issue.assigned", issue_id, "redgrid.dispatch.events")
    data = event["data"]
    assert (data["grid_id"], data["steward_id"], data["repairer_id"]) == (
        grid["grid_id"], grid["steward"], grid["repairer"])
    assert data["urgent"] is False and data["completion_limit_minutes"] == 72 * 60
    assert data["signoff_due_at"] == (REPORTED_AT + timedelta(hours=2)).isoformat().replace(
        "+00:00", "Z")

    row = await store.issue_row(pool, issue_id)
    assert (row["status"], row["grid_id"], row["steward_id"], row["repairer_id"]) == (
        "assigned", grid["grid_id"], grid["steward"], grid["repairer"])
    assert row["signoff_due_at"] == REPORTED_AT + timedelta(hours=2)


async def test_the_same_report_under_a_new_event_id_is_not_assigned_again(client, pool):
    grid = await configured_grid(client)
    env = issue_reported_envelope(building=grid["buildings"][0])
    copy = env.model_copy(update={"id": uuid.uuid4()})
    assert await apply_once(pool, topics.INTAKE_EVENTS, env, handle)
    assert await apply_once(pool, topics.INTAKE_EVENTS, copy, handle)
    assert [e["type"] for e in await dispatch_events(pool, env.data["issue_id"])] == [
        "org.redgrid.issue.assigned"]


async def test_vulnerable_report_without_repair_need_goes_to_the_steward_alone_and_urgent(
        client, pool):
    grid = await configured_grid(client)
    env = issue_reported_envelope(building=grid["buildings"][0], category="dispute.neighbor",
                                  vulnerable="child")
    await apply_once(pool, topics.INTAKE_EVENTS, env, handle)
    [event] = await dispatch_events(pool, env.data["issue_id"])
    assert event["data"]["repairer_id"] is None and event["data"]["urgent"] is True
    row = await store.issue_row(pool, env.data["issue_id"])
    assert row["signoff_due_at"] == REPORTED_AT + timedelta(minutes=30)


async def test_report_in_an_unknown_building_is_recorded_unroutable(pool):
    env = issue_reported_envelope(building=new_id("b"))
    assert await apply_once(pool, topics.INTAKE_EVENTS, env, handle)
    [event] = await dispatch_events(pool, env.data["issue_id"])
    assert event["type"] == "org.redgrid.issue.unroutable"
    assert event["data"]["reason"] == "no_grid_for_building"
    assert event["data"]["building"] == env.data["building"]
    row = await store.issue_row(pool, env.data["issue_id"])
    assert (row["status"], row["grid_id"], row["unroutable_reason"]) == (
        "unroutable", None, "no_grid_for_building")


async def test_intake_events_dispatch_does_not_act_on_change_nothing(pool):
    env = issue_reported_envelope().model_copy(update={"type": "org.redgrid.issue.commented"})
    assert await apply_once(pool, topics.INTAKE_EVENTS, env, handle)
    assert await dispatch_events(pool, env.data["issue_id"]) == []
