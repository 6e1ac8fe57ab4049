"""Dispatch events applied to the resident's view, once, on real PostgreSQL and Kafka."""

import asyncio
import uuid
from datetime import datetime, timezone

import pytest
from aiokafka import AIOKafkaProducer

from intake import consumer
from redgrid_shared import codec
from redgrid_shared.consumer import apply_once
from redgrid_shared.topics import DISPATCH_EVENTS
from tests.integration.shared.helpers import records_of
from tests.unit.intake.builders import auth, issue_assigned, issue_unroutable, report, step


async def reported(client) -> dict:
    response = await client.post("/v1/issues", json=report(),
                                 headers=auth(sub=f"u-{uuid.uuid4().hex[:8]}"))
    assert response.status_code == 201
    return response.json()


async def test_an_assignment_delivered_twice_changes_the_issue_once(client, pool):
    issue = await reported(client)
    due = datetime(2030, 1, 1, 4, 0, tzinfo=timezone.utc)
    env = issue_assigned(issue["id"], grid_id="g-41", signoff_due_at=due)
    assert await apply_once(pool, DISPATCH_EVENTS, env, consumer.handle) is True
    first = await pool.fetchrow("SELECT * FROM issues WHERE id = $1", issue["id"])
    assert await apply_once(pool, DISPATCH_EVENTS, env, consumer.handle) is False
    row = await pool.fetchrow("SELECT * FROM issues WHERE id = $1", issue["id"])
    assert row == first
    assert (row["status"], row["grid_id"], row["steward_id"], row["repairer_id"]) == (
        "assigned", "g-41", "s-01", "r-01")
    assert row["signoff_due_at"] == due and row["completion_due_at"] is None
    assert row["completion_limit_minutes"] == 4320
    assert await pool.fetchval("SELECT count(*) FROM issue_timeline WHERE event_id = $1",
                               env.id) == 1


async def test_a_redelivery_past_the_dedupe_row_still_adds_one_timeline_row(client, pool):
    issue = await reported(client)
    env = issue_assigned(issue["id"], grid_id="g-42")
    for _ in range(2):
        async with pool.acquire() as conn, conn.transaction():
            await consumer.handle(conn, env)
    assert await pool.fetchval("SELECT count(*) FROM issue_timeline WHERE issue_id = $1",
                               issue["id"]) == 2  # the report and one assignment


async def test_unroutable_marks_the_issue_and_joins_the_timeline(client, pool):
    issue = await reported(client)
    assert await apply_once(pool, DISPATCH_EVENTS, issue_unroutable(issue["id"]),
                            consumer.handle)
    response = await client.get(f"/v1/issues/{issue['id']}",
                                headers=auth(sub=issue["reporter_id"]))
    assert response.json()["status"] == "unroutable"
    assert response.json()["updated_at"] >= issue["updated_at"]


async def test_events_for_unknown_issues_are_refused_so_the_loop_parks_them(pool):
    env = issue_assigned("iss-ffffffffffffffff")
    with pytest.raises(LookupError):
        await apply_once(pool, DISPATCH_EVENTS, env, consumer.handle)
    # The dedupe row rolled back with the failed effect: a later replay may still apply it.
    assert await pool.fetchval("SELECT count(*) FROM processed_events WHERE event_id = $1",
                               env.id) == 0


async def test_types_intake_does_not_follow_are_ignored_even_when_malformed(client, pool):
    issue = await reported(client)
    env = issue_assigned(issue["id"]).model_copy(update={"type": "org.redgrid.meeting.held"})
    assert await apply_once(pool, DISPATCH_EVENTS, env, consumer.handle)
    row = await pool.fetchrow("SELECT status FROM issues WHERE id = $1", issue["id"])
    assert row["status"] == "reported"


async def test_an_assignment_on_the_broker_reaches_the_residents_view(client, kafka_bootstrap):
    issue = await reported(client)
    message = codec.to_kafka(issue_assigned(issue["id"], grid_id="g-43"))
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(DISPATCH_EVENTS, message.value, key=message.key.encode(),
                                     headers=list(message.headers.items()))
    finally:
        await producer.stop()
    headers = auth(sub=issue["reporter_id"])
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        view = (await client.get(f"/v1/issues/{issue['id']}", headers=headers)).json()
        if view["status"] == "assigned":
            break
        assert asyncio.get_running_loop().time() < deadline, "assignment never applied"
        await asyncio.sleep(0.05)
    assert view["grid_id"] == "g-43"



VIEW = ("status", "grid_id", "steward_id", "repairer_id", "signoff_due_at", "completion_due_at",
        "completion_limit_minutes", "updated_at")


async def test_a_batch_follows_its_events_as_one_by_one_would_and_parks_only_the_foreign_one(
        client, pool):
    from redgrid_shared.apply import process_batch
    from redgrid_shared.events import IssueAccepted

    async def walk(issue_id):
        now = datetime.now(timezone.utc)
        return [issue_assigned(issue_id, grid_id="g-44"), step(IssueAccepted, issue_id, at=now)]

    # Twins: the same walk, applied event by event and as one consumed batch.
    one, other = await reported(client), await reported(client)
    for env in await walk(one["id"]):
        assert await apply_once(pool, DISPATCH_EVENTS, env, consumer.handle)
    batched, neighbour = await reported(client), await reported(client)
    # an event naming the neighbour's issue under another community, mid-batch
    foreign = issue_assigned(neighbour["id"], community="cm-elsewhere")
    walk_a, walk_b = await walk(batched["id"]), await walk(other["id"])
    envs = [walk_a[0], walk_b[0], foreign, walk_a[1], walk_b[1]]
    records = records_of(envs, topic=DISPATCH_EVENTS, partition=95)
    outcomes = await process_batch(pool, records, consumer.handler)
    assert outcomes == ["applied", "applied", "parked", "applied", "applied"]

    def view(row):
        return {k: row[k] for k in VIEW if k != "updated_at" and not k.endswith("_due_at")}

    rows = {r["id"]: r for r in await pool.fetch(
        "SELECT * FROM issues WHERE id = ANY($1::text[])",
        [one["id"], batched["id"], other["id"], neighbour["id"]])}
    assert view(rows[batched["id"]]) == view(rows[one["id"]])
    assert rows[batched["id"]]["status"] == "accepted"
    assert rows[batched["id"]]["completion_due_at"] is not None
    assert rows[other["id"]]["status"] == "accepted"
    assert rows[neighbour["id"]]["status"] == "reported"  # the foreign event changed nothing
    for issue in (batched, other):
        assert await pool.fetchval("SELECT count(*) FROM issue_timeline WHERE issue_id = $1",
                                   issue["id"]) == 3  # the report and its two steps
    assert await pool.fetchval("SELECT count(*) FROM issue_timeline WHERE issue_id = $1",
                               neighbour["id"]) == 1
    # The batch again (a redelivery) changes nothing.
    again = await process_batch(pool, records, consumer.handler)
    assert again.count("duplicate") == 4 and again.count("parked") == 1
    assert await pool.fetchval("SELECT status FROM issues WHERE id = $1",
                               batched["id"]) == "accepted"
