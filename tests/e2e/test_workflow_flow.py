"""The staff workflow end to end: intake and two dispatch replicas as processes, SLAs scaled
down (SLA_TIME_SCALE) so deadlines pass during the test, driven through the public APIs.
Event sequences and the exactly-once checks read dispatch's event store, and every event
checked must also be on the dispatch topic.

Its processes get a broker of their own when the suite runs on the embedded one: other
processes on the shared topics (the package's system) would otherwise route these reports
too, and these replicas would route everyone else's."""

import asyncio
import json
import os
import signal
import uuid
from datetime import datetime, timezone
from pathlib import Path

import asyncpg
import httpx
import pytest_asyncio
from aiokafka import AIOKafkaConsumer

from redgrid_dev.broker import TansuBroker
from redgrid_dev.ports import free_port
from redgrid_dev.services import Service, wait_all_ready
from redgrid_shared import codec, topics
from redgrid_shared.auth import mint_token

from tests.conftest import use_docker
from tests.e2e.conftest import SECRET

DEADLINE_SECONDS = 90
# A week becomes 15 s, 2 h about 0.18 s: suggestions (7 days) leave time to act by hand,
# repairs (2 h) go overdue at once.
SCALE = 40320


class Stack:
    def __init__(self, urls: dict, dispatchers: list[Service], env: dict, database_url: str):
        self.urls, self.dispatchers, self.env, self.database_url = urls, dispatchers, env, database_url
        self.community = f"c-wf-{uuid.uuid4().hex[:6]}"

    def token(self, role: str, sub: str, grids=()) -> dict:
        token = mint_token(secret=SECRET, sub=sub, role=role, community=self.community,
                           grids=list(grids))
        return {"Authorization": f"Bearer {token}"}

    @property
    def dispatch(self) -> str:
        return self.urls["dispatch"]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def bootstrap(kafka_bootstrap, tmp_path_factory):
    """A broker for this module's processes only, unless the suite runs on external ones."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or use_docker():
        yield kafka_bootstrap
        return
    log = Path(tmp_path_factory.mktemp("tansu-workflow")) / "tansu.log"
    with TansuBroker(log_file=log) as broker:
        yield broker.bootstrap


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def stack(make_database, bootstrap):
    kafka_bootstrap = bootstrap
    database_url = await make_database("e2e_workflow")
    run = uuid.uuid4().hex[:8]
    env = {**os.environ, "DATABASE_URL": database_url, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "REDGRID_JWT_SECRET": SECRET, "RELAY_POLL_SECONDS": "0.5",
           "SLA_TIME_SCALE": str(SCALE), "TIMER_POLL_SECONDS": "0.2"}
    intake = Service("intake", free_port())
    dispatchers = [Service("dispatch", free_port()) for _ in range(2)]
    try:
        await intake.start({**env, "KAFKA_CONSUMER_GROUP": f"wf-{run}-intake"})
        for service in dispatchers:  # one consumer group: the replicas share the partitions
            await service.start({**env, "KAFKA_CONSUMER_GROUP": f"wf-{run}-dispatch"})
        await wait_all_ready([intake, *dispatchers], timeout=120)
        yield Stack({"intake": intake.url, "dispatch": dispatchers[0].url}, dispatchers,
                    {**env, "KAFKA_CONSUMER_GROUP": f"wf-{run}-dispatch"}, database_url)
    finally:
        for service in (intake, *dispatchers):
            await service.stop()


async def eventually(fetch, accept, what: str, seconds: float = DEADLINE_SECONDS):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        result = await fetch()
        if accept(result):
            return result
        assert loop.time() < deadline, f"{what} never happened; last: {result}"
        await asyncio.sleep(0.1)


async def stored(database_url: str, issue_id: str) -> list[dict]:
    """Dispatch's stream of one issue, in version order: {id, type, data}."""
    conn = await asyncpg.connect(database_url, server_settings={"search_path": "dispatch"})
    try:
        rows = await conn.fetch("SELECT event_id, type, data FROM events WHERE stream_id = $1 "
                                "ORDER BY version", f"issue-{issue_id}")
    finally:
        await conn.close()
    return [{"id": r["event_id"], "type": r["type"].removeprefix("org.redgrid."),
             "data": json.loads(r["data"])} for r in rows]


async def published(bootstrap: str, event_ids: set) -> None:
    """Wait until every one of these events is on the dispatch topic."""
    consumer = AIOKafkaConsumer(topics.DISPATCH_EVENTS, bootstrap_servers=bootstrap,
                                group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    missing = set(event_ids)
    try:
        async with asyncio.timeout(DEADLINE_SECONDS):
            async for record in consumer:
                missing.discard(codec.from_kafka(record.headers, record.key, record.value).id)
                if not missing:
                    return
    finally:
        await consumer.stop()


async def dispatch_events(stack, bootstrap: str, issue_id: str) -> list[dict]:
    """The issue's dispatch events as stored, once all of them are published."""
    events = await stored(stack.database_url, issue_id)
    await published(bootstrap, {e["id"] for e in events})
    return events


async def setup_grid(client, stack: Stack, *, backup: bool = True) -> dict:
    suffix = uuid.uuid4().hex[:6]
    grid = {"grid_id": f"g-{suffix}", "building": f"b-{suffix}", "steward": f"s-{suffix}",
            "repairer": f"r-{suffix}", "backup": f"s2-{suffix}"}
    body = {"community": stack.community, "name": "第二网格", "buildings": [grid["building"]],
            "steward": grid["steward"], "repairer": grid["repairer"],
            "backup_steward": grid["backup"] if backup else None, "members": []}
    put = await client.put(f"{stack.dispatch}/v1/grids/{grid['grid_id']}", json=body,
                           headers=stack.token("admin", "a-wf"))
    assert put.status_code == 201, put.text
    return grid


async def report(client, stack: Stack, grid: dict, category: str) -> str:
    created = await client.post(f"{stack.urls['intake']}/v1/issues",
                                headers=stack.token("resident", "u-wf"),
                                json={"category": category, "description": "e2e",
                                      "building": grid["building"], "unit": "1-101"})
    assert created.status_code == 201, created.text
    return created.json()["id"]


async def work(client, stack: Stack, issue_id: str, headers: dict, status: str) -> dict:
    url = f"{stack.dispatch}/v1/issues/{issue_id}"
    seen = await eventually(lambda: client.get(url, headers=headers),
                            lambda r: r.status_code == 200 and r.json()["status"] == status,
                            f"{issue_id} {status}")
    return seen.json()


async def test_reported_assigned_accepted_started_resolved_then_closed_by_silence(
        stack, bootstrap):
    async with httpx.AsyncClient(timeout=10) as client:
        grid = await setup_grid(client, stack)
        steward = stack.token("steward", grid["steward"], [grid["grid_id"]])
        issue_id = await report(client, stack, grid, "suggestion")
        view = await work(client, stack, issue_id, steward, "assigned")
        assert view["unit"] == "1-101"  # the grid's staff see the resident's unit

        for action, body in (("accept", {}), ("start", {}),
                             ("resolve", {"note": "已增设座椅"})):
            response = await client.post(f"{stack.dispatch}/v1/issues/{issue_id}/{action}",
                                         json=body, headers={**steward,
                                                             "Idempotency-Key": action})
            assert response.status_code == 200, response.text
        assert response.json()["close_due_at"]

        closed = await work(client, stack, issue_id, steward, "closed")
        assert closed["status"] == "closed"
    events = await dispatch_events(stack, bootstrap, issue_id)
    assert [e["type"] for e in events] == [
        "issue.assigned", "issue.accepted", "issue.started", "issue.resolved", "issue.closed"]
    assert events[-1]["data"]["reason"] == "no_response_7_days"


async def test_returned_reassigned_to_the_backup_then_overdue_and_escalated(
        stack, bootstrap):
    async with httpx.AsyncClient(timeout=10) as client:
        grid = await setup_grid(client, stack)
        steward = stack.token("steward", grid["steward"], [grid["grid_id"]])
        issue_id = await report(client, stack, grid, "dispute.neighbor")
        first = await work(client, stack, issue_id, steward, "assigned")
        # From now on a dispute must be signed off within a (scaled) minute; the running
        # deadline keeps its week.
        put = await client.put(f"{stack.dispatch}/v1/sla/dispute.neighbor",
                               json={"signoff_minutes": 1, "completion_minutes": 60},
                               headers=stack.token("admin", "a-wf"))
        assert put.status_code == 200, put.text
        assert (await client.get(f"{stack.dispatch}/v1/issues/{issue_id}", headers=steward)
                ).json()["signoff_due_at"] == first["signoff_due_at"]

        returned = await client.post(f"{stack.dispatch}/v1/issues/{issue_id}/return",
                                     json={"reason": "当事人是本人亲属，需回避"}, headers=steward)
        assert returned.status_code == 200, returned.text
        escalated = await work(client, stack, issue_id, steward, "escalated")
        assert escalated["steward_id"] == grid["backup"] and escalated["meeting_date"]

    events = await dispatch_events(stack, bootstrap, issue_id)
    assert [e["type"] for e in events] == [
        "issue.assigned", "issue.returned", "issue.assigned", "issue.overdue",
        "issue.escalated"]
    reassigned, overdue, escalated = (e["data"] for e in events[2:])
    assert (reassigned["reason"], reassigned["steward_id"]) == ("returned", grid["backup"])
    assert overdue["deadline"] == "signoff" and escalated["cause"] == "overdue"


async def counts(database_url: str, issue_ids: list[str]) -> dict[str, tuple[int, int]]:
    conn = await asyncpg.connect(database_url, server_settings={"search_path": "dispatch"})
    try:
        rows = await conn.fetch(
            """SELECT subject,
                      count(*) FILTER (WHERE type = 'org.redgrid.issue.assigned') AS assigned,
                      count(*) FILTER (WHERE type = 'org.redgrid.issue.overdue') AS overdue
               FROM events WHERE subject = ANY($1) GROUP BY subject""", issue_ids)
        return {r["subject"]: (r["assigned"], r["overdue"]) for r in rows}
    finally:
        await conn.close()


async def test_two_replicas_share_hundreds_of_reports_and_timers_each_once(stack):
    async with httpx.AsyncClient(timeout=10) as client:
        grid = await setup_grid(client, stack)
        issue_ids = [await report(client, stack, grid, "repair.pipe") for _ in range(200)]
        result = await eventually(
            lambda: counts(stack.database_url, issue_ids),
            lambda c: len(c) == 200 and all(o >= 1 for _, o in c.values()),
            "every report assigned and overdue")
        assert set(result.values()) == {(1, 1)}
        consumed = []
        for service in stack.dispatchers:
            metrics = (await client.get(f"{service.url}/metrics")).text
            consumed.append(sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                                if line.startswith("redgrid_events_consumed_total{")))
        assert all(n > 0 for n in consumed), consumed  # both replicas took a share


async def test_a_deadline_passed_while_dispatch_was_down_still_fires_once(stack):
    async with httpx.AsyncClient(timeout=10) as client:
        grid = await setup_grid(client, stack)
        steward = stack.token("steward", grid["steward"], [grid["grid_id"]])
        issue_id = await report(client, stack, grid, "suggestion")
        view = await work(client, stack, issue_id, steward, "assigned")
        for service in stack.dispatchers:
            os.killpg(service.proc.pid, signal.SIGKILL)
            await service.proc.wait()
        due = datetime.fromisoformat(view["signoff_due_at"])
        await eventually(lambda: asyncio.sleep(0, datetime.now(timezone.utc)),
                         lambda now: now > due, "the deadline passing while down", 60)
        for service in stack.dispatchers:
            await service.start(stack.env)
        await wait_all_ready(stack.dispatchers, timeout=120)
        escalated = await work(client, stack, issue_id, steward, "escalated")
        assert escalated["meeting_date"]
        assert (await counts(stack.database_url, [issue_id]))[issue_id] == (1, 1)
