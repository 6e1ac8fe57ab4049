"""The workflow on the real broker: intake's events in, dispatch's workflow events out."""

import asyncio
import uuid

import httpx
from aiokafka import AIOKafkaConsumer

from redgrid_shared import codec, topics
from redgrid_shared.events import IssueCancelled, envelope

from dispatch.main import create_app
from dispatch.settings import Settings
from tests.integration.dispatch.conftest import SECRET, auth
from tests.integration.dispatch.test_flow import publish
from tests.integration.dispatch.workflow.test_resident_actions import settlement
from tests.unit.dispatch.builders import grid_body, issue_reported_envelope


async def events_about(bootstrap: str, subject: str, until: str) -> list:
    """The dispatch topic's events about one subject, read from the start until `until`."""
    consumer = AIOKafkaConsumer(topics.DISPATCH_EVENTS, bootstrap_servers=bootstrap,
                                group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    seen: dict = {}
    try:
        async with asyncio.timeout(30):
            async for record in consumer:
                env = codec.from_kafka(record.headers, record.key, record.value)
                if env.subject == subject:
                    seen.setdefault(env.id, env)
                    if env.short_type == until:
                        return list(seen.values())
    finally:
        await consumer.stop()


async def test_staff_actions_and_a_refused_cancel_are_published_in_order(make_database,
                                                                         kafka_bootstrap):
    settings = Settings(database_url=await make_database("dispatch_wf_broker"),
                        jwt_secret=SECRET, kafka_bootstrap_servers=kafka_bootstrap,
                        relay_poll_seconds=0.2, consumer_group=f"wf-{uuid.uuid4().hex[:8]}")
    app = create_app(settings)
    suffix = uuid.uuid4().hex[:8]
    community, grid_id, building = f"c-{suffix}", f"g-{suffix}", f"b-{suffix}"
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://dispatch") as client:
        put = await client.put(f"/v1/grids/{grid_id}", headers=auth(community=community),
                               json=grid_body(community=community, buildings=[building]))
        assert put.status_code == 201, put.text
        report = issue_reported_envelope(community=community, building=building)
        issue_id = report.data["issue_id"]
        await publish(kafka_bootstrap, report)
        assert (await events_about(kafka_bootstrap, issue_id, "issue.assigned"))

        repairer = auth("repairer", "r-03", community, (grid_id,))
        for action in ("accept", "start"):
            response = await client.post(f"/v1/issues/{issue_id}/{action}", headers=repairer)
            assert response.status_code == 200, response.text
        cancel = envelope(IssueCancelled(issue_id=issue_id, community=community, by="u-1001"),
                          service="intake", subject=issue_id)
        await publish(kafka_bootstrap, cancel)
        events = await events_about(kafka_bootstrap, issue_id, "issue.resident-action-settled")

    assert [e.short_type for e in events] == [
        "issue.assigned", "issue.accepted", "issue.started", "issue.resident-action-settled"]
    settled = settlement([{"type": e.short_type, **e.data} for e in events])
    assert (settled["outcome"], settled["status"], settled["action_event_id"]) == (
        "refused", "in_progress", str(cancel.id))
    assert all(e.source == "/redgrid/dispatch" for e in events)
