"""The whole dispatch process on the real broker: issue.reported in, issue.assigned out."""

import asyncio
import uuid

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from redgrid_shared import codec, topics

from dispatch.main import create_app
from dispatch.settings import Settings
from tests.integration.dispatch.conftest import SECRET, auth
from tests.unit.dispatch.builders import grid_body, issue_reported_envelope

DEADLINE_SECONDS = 30


async def publish(bootstrap: str, env) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        message = codec.to_kafka(env)
        await producer.send_and_wait(topics.INTAKE_EVENTS, message.value,
                                     key=message.key.encode(), headers=list(message.headers.items()))
    finally:
        await producer.stop()


async def first_on_topic(bootstrap: str, topic: str, subject: str):
    """The first event about `subject` on a topic, read from the beginning until the deadline."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        async with asyncio.timeout(DEADLINE_SECONDS):
            async for record in consumer:
                env = codec.from_kafka(record.headers, record.key, record.value)
                if env.subject == subject:
                    return env
    finally:
        await consumer.stop()


async def test_report_on_the_intake_topic_is_assigned_and_published(make_database,
                                                                    kafka_bootstrap):
    settings = Settings(database_url=await make_database("dispatch_flow"), jwt_secret=SECRET,
                        kafka_bootstrap_servers=kafka_bootstrap, relay_poll_seconds=0.2,
                        consumer_group=f"dispatch-{uuid.uuid4().hex[:8]}")
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://dispatch") as client:
        building, grid_id = f"b-{uuid.uuid4().hex[:8]}", f"g-{uuid.uuid4().hex[:8]}"
        put = await client.put(f"/v1/grids/{grid_id}", headers=auth(),
                               json=grid_body(buildings=[building], steward="s-flow"))
        assert put.status_code == 201, put.text
        report = issue_reported_envelope(building=building, category="repair.seepage")
        await publish(kafka_bootstrap, report)

        assigned = await first_on_topic(kafka_bootstrap, topics.DISPATCH_EVENTS,
                                        report.data["issue_id"])
        configured = await first_on_topic(kafka_bootstrap, topics.DISPATCH_EVENTS, grid_id)

    assert assigned.type == "org.redgrid.issue.assigned" and assigned.source == "/redgrid/dispatch"
    assert (assigned.data["grid_id"], assigned.data["steward_id"]) == (grid_id, "s-flow")
    assert assigned.data["repairer_id"] == "r-03" and assigned.data["urgent"] is True
    assert configured.type == "org.redgrid.grid.configured"
