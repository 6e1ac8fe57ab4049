"""Intake and dispatch in-process on the real broker: an issue raised at a meeting
(`source: meeting`) is routed, escalated, decided at the next meeting's minutes, and the
meeting, campaign and leave events reach the dispatch topic."""

import asyncio
import contextlib
import uuid
from datetime import datetime, timedelta, timezone

import httpx
from aiokafka import AIOKafkaConsumer

from redgrid_shared import codec, topics
from redgrid_shared.auth import mint_token
from redgrid_shared.clock import FixedClock

from dispatch.main import create_app as create_dispatch
from dispatch.settings import Settings as DispatchSettings
from intake.main import create_app as create_intake
from intake.settings import Settings as IntakeSettings
from tests.unit.dispatch.builders import grid_body

SECRET = "meeting-flow-secret-of-at-least-32-bytes"
DEADLINE_SECONDS = 30


def token(role: str, sub: str, community: str, grids: tuple[str, ...] = ()) -> dict:
    return {"Authorization": "Bearer " + mint_token(secret=SECRET, sub=sub, role=role,
                                                    community=community, grids=grids)}


async def until(check, *, what: str):
    """Poll `check` until it returns something truthy, or fail after the deadline."""
    async with asyncio.timeout(DEADLINE_SECONDS):
        while not (result := await check()):
            await asyncio.sleep(0.05)
    assert result, what
    return result


@contextlib.asynccontextmanager
async def services(make_database, bootstrap: str, clock: FixedClock, name: str,
                   **dispatch_settings):
    """Dispatch (on `clock`) and intake in-process on databases of their own and the real
    broker: HTTP clients to each, (dispatch, intake)."""
    common = {"kafka_bootstrap_servers": bootstrap, "jwt_secret": SECRET,
              "relay_poll_seconds": 0.2}
    dispatch = create_dispatch(DispatchSettings(
        database_url=await make_database(f"{name}_dispatch"),
        consumer_group=f"dispatch-{uuid.uuid4().hex[:8]}", **dispatch_settings, **common),
        clock=clock)
    intake = create_intake(IntakeSettings(
        database_url=await make_database(f"{name}_intake"),
        consumer_group=f"intake-{uuid.uuid4().hex[:8]}", **common))
    async with dispatch.router.lifespan_context(dispatch), \
            intake.router.lifespan_context(intake), \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=dispatch),
                              base_url="http://dispatch") as d, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=intake),
                              base_url="http://intake") as i:
        yield d, i


async def events_on_topic(bootstrap: str, wanted: set[str], community: str) -> dict[str, dict]:
    """The first event of each wanted type for the community, read from the beginning."""
    found: dict[str, dict] = {}
    consumer = AIOKafkaConsumer(topics.DISPATCH_EVENTS, bootstrap_servers=bootstrap,
                                group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        async with asyncio.timeout(DEADLINE_SECONDS):
            async for record in consumer:
                env = codec.from_kafka(record.headers, record.key, record.value)
                if env.data.get("community") == community and env.short_type in wanted:
                    found.setdefault(env.short_type, {"key": record.key.decode(),
                                                      "subject": env.subject, **env.data})
                    if set(found) == wanted:
                        return found
    finally:
        await consumer.stop()


async def test_an_issue_raised_at_a_meeting_is_decided_at_the_next_and_events_flow(
        make_database, kafka_bootstrap):
    community = f"c-{uuid.uuid4().hex[:8]}"
    clock = FixedClock(datetime(2026, 6, 4, 3, 0, tzinfo=timezone.utc))  # a meeting, 11:00
    async with services(make_database, kafka_bootstrap, clock, "meeting_flow") as (d, i):
        admin, operator = token("admin", "a-01", community), token("operator", "op-01", community)
        steward = token("steward", "s-03", community, ("g-01",))
        put = await d.put("/v1/grids/g-01", headers=admin,
                          json=grid_body(community=community, buildings=["b-07"]))
        assert put.status_code == 201, put.text

        raised = await i.post("/v1/issues", headers=steward, json={
            "category": "safety.fire", "description": "会上业主反映：5栋楼道飞线充电",
            "building": "b-07", "source": "meeting", "on_behalf_of": "u-2001"})
        assert raised.status_code == 201, raised.text
        assert raised.json()["source"] == "meeting"
        issue_id = raised.json()["id"]

        async def assigned():
            r = await d.get(f"/v1/issues/{issue_id}", headers=operator)
            return r.status_code == 200 and r.json()["status"] == "assigned" and r.json()
        routed = await until(assigned, what="dispatch routes the meeting's report")
        assert routed["steward_id"] == "s-03"

        # Escalated on the meeting day itself: it waits for the 14th.
        escalated = await d.post(f"/v1/issues/{issue_id}/escalate", headers=steward,
                                 json={"reason": "需要消防和业主共同商议"})
        assert escalated.status_code == 200, escalated.text
        upcoming = (await d.get("/v1/meetings/next", headers=operator)).json()
        assert (upcoming["meeting_date"], upcoming["agenda_size"]) == ("2026-06-04", 0)

        clock.at = datetime(2026, 6, 14, 2, 0, tzinfo=timezone.utc)
        agenda = (await d.get("/v1/meetings/2026-06-14", headers=steward)).json()
        assert [item["issue_id"] for item in agenda["agenda"]] == [issue_id]
        minutes = await d.post("/v1/meetings/2026-06-14/minutes", headers=operator, json={
            "attendees": {"community": ["社区书记"], "owner_representatives": ["5栋 业主代表"]},
            "decisions": [{"issue_id": issue_id, "decision": "referred",
                           "department": "fire"}]})
        assert minutes.status_code == 201, minutes.text

        opened = await d.post("/v1/campaigns", headers=operator, json={
            "name": "飞线充电整治", "categories": ["safety.fire"], "departments": ["fire"],
            "starts_on": "2026-06-01", "ends_on": "2026-06-30"})
        assert opened.status_code == 201, opened.text
        leave = await d.put("/v1/staff/s-03/availability", headers=steward,
                            json={"available": False})
        assert leave.status_code == 200, leave.text

        found = await events_on_topic(
            kafka_bootstrap, {"meeting.held", "issue.referred", "campaign.opened",
                              "staff.availability-changed"}, community)

    assert (found["meeting.held"]["key"], found["meeting.held"]["decisions"][0]["issue_id"]) == (
        "2026-06-14", issue_id)
    assert (found["issue.referred"]["key"], found["issue.referred"]["meeting_date"]) == (
        issue_id, "2026-06-14")
    assert found["campaign.opened"]["key"] == "cmp-1"
    assert (found["staff.availability-changed"]["key"],
            found["staff.availability-changed"]["available"]) == ("s-03", False)


async def test_returned_reassigned_overdue_escalated_then_decided_at_the_minutes(
        make_database, kafka_bootstrap):
    """Through the public APIs with the real timer worker and broker; the clock is moved
    instead of waiting: 10 June (Shanghai) → past the backup's sign-off deadline → the 14th."""
    community = f"c-{uuid.uuid4().hex[:8]}"
    clock = FixedClock(datetime(2026, 6, 10, 1, 0, tzinfo=timezone.utc))
    async with services(make_database, kafka_bootstrap, clock, "meeting_walk",
                        timer_poll_seconds=0.1) as (d, i):
        admin, operator = token("admin", "a-01", community), token("operator", "op-01", community)
        steward = token("steward", "s-03", community, ("g-01",))
        put = await d.put("/v1/grids/g-01", headers=admin, json=grid_body(
            community=community, buildings=["b-07"], steward="s-03", backup_steward="s-04"))
        assert put.status_code == 201, put.text
        raised = await i.post("/v1/issues", headers=token("resident", "u-2001", community),
                              json={"category": "safety.security", "building": "b-07",
                                    "description": "楼道门禁坏了，外人随意进出"})
        assert raised.status_code == 201, raised.text
        issue_id = raised.json()["id"]

        async def status(wanted: str):
            async def check():
                r = await d.get(f"/v1/issues/{issue_id}", headers=operator)
                return r.status_code == 200 and r.json()["status"] == wanted and r.json()
            return await until(check, what=f"issue reaches {wanted}")
        await status("assigned")

        returned = await d.post(f"/v1/issues/{issue_id}/return", headers=steward,
                                json={"reason": "当事人是本人亲属，需回避"})
        assert returned.status_code == 200, returned.text
        reassigned = returned.json()
        assert (reassigned["status"], reassigned["steward_id"]) == ("assigned", "s-04")

        # Past the backup's sign-off deadline, still 10 June in Shanghai: the 14th's agenda.
        clock.at = datetime.fromisoformat(reassigned["signoff_due_at"]) + timedelta(minutes=1)
        escalated = await status("escalated")
        assert escalated["meeting_date"] == "2026-06-14"

        clock.at = datetime(2026, 6, 14, 2, 0, tzinfo=timezone.utc)
        agenda = (await d.get("/v1/meetings/2026-06-14", headers=operator)).json()
        [item] = agenda["agenda"]
        assert [h["type"] for h in item["history"]] == [
            "issue.assigned", "issue.returned", "issue.assigned", "issue.overdue",
            "issue.escalated"]
        assert item["escalation"]["cause"] == "overdue"
        minutes = await d.post("/v1/meetings/2026-06-14/minutes", headers=operator, json={
            "attendees": {"community": ["社区书记"], "owner_representatives": ["业主代表"]},
            "decisions": [{"issue_id": issue_id, "decision": "resolved",
                           "note": "物业当场答应三天内修好门禁"}]})
        assert minutes.status_code == 201, minutes.text
        resolved = await status("resolved")
        assert resolved["close_due_at"]

        found = await events_on_topic(kafka_bootstrap, {"meeting.held", "issue.resolved"},
                                      community)
    assert found["issue.resolved"]["via"] == "meeting"
    assert found["meeting.held"]["decisions"][0]["decision"] == "resolved"
