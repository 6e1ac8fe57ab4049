"""The workflow stack of the end-to-end tests and the helpers that drive it.

Intake, two dispatch replicas (one consumer group) and stats run as processes with SLAs scaled
down (SLA_TIME_SCALE) and one moving clock: every process is started with the same
REDGRID_CLOCK_OFFSET_FILE, so `Stack.move_clock_to` moves time for all of them at once. Each
test takes the stack for a community of its own (`Stack.fresh`), so agendas, SLA changes and
figures never mix between tests. Waiting is done by polling with a deadline, never by sleeping
a fixed time.
"""

import asyncio
import json
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer

from redgrid_dev.services import Service
from redgrid_shared import codec, topics
from redgrid_shared.auth import mint_token
from redgrid_shared.clock import OffsetFileClock, system_clock, write_offset

from tests.e2e.conftest import SECRET

DEADLINE_SECONDS = 90
# A week becomes 15 s, 2 h about 0.18 s: suggestions (7 days) leave time to act by hand,
# repairs (2 h) go overdue at once; the 7 days to confirm or reopen last 15 s.
SCALE = 40320
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Stack:
    urls: dict[str, str]
    dispatchers: list[Service]
    env: dict[str, str]  # a dispatch replica's environment, to start it again
    database_url: str
    clock_file: Path
    community: str = field(default_factory=lambda: f"c-wf-{uuid.uuid4().hex[:6]}")

    def fresh(self) -> "Stack":
        """The same processes, seen from a community no other test uses."""
        return replace(self, community=f"c-wf-{uuid.uuid4().hex[:6]}")

    def token(self, role: str, sub: str, grids=()) -> dict:
        token = mint_token(secret=SECRET, sub=sub, role=role, community=self.community,
                           grids=list(grids))
        return {"Authorization": f"Bearer {token}"}

    @property
    def dispatch(self) -> str:
        return self.urls["dispatch"]

    @property
    def intake(self) -> str:
        return self.urls["intake"]

    @property
    def stats(self) -> str:
        return self.urls["stats"]

    def now(self) -> datetime:
        """The services' time: wall time plus the shared offset."""
        return OffsetFileClock(self.clock_file)()

    def move_clock_to(self, moment: datetime) -> None:
        """From now on every process reads `moment` (and time runs on from there)."""
        write_offset(self.clock_file, (moment - system_clock()).total_seconds())


def shanghai(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), SHANGHAI)


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
    """Dispatch's stream of one issue, in version order: {id, type, time, data}."""
    conn = await asyncpg.connect(database_url, server_settings={"search_path": "dispatch"})
    try:
        rows = await conn.fetch("SELECT event_id, type, occurred_at, data FROM events "
                                "WHERE stream_id = $1 ORDER BY version", f"issue-{issue_id}")
    finally:
        await conn.close()
    return [{"id": r["event_id"], "type": r["type"].removeprefix("org.redgrid."),
             "time": r["occurred_at"], "data": json.loads(r["data"])} for r in rows]


@asynccontextmanager
async def dispatch_consumers_held(stack: Stack):
    """Hold dispatch's consumers back, as a slow broker would, while its HTTP API and timers
    run on: every consumed event begins with its dedupe row, which waits on this lock."""
    conn = await asyncpg.connect(stack.database_url, server_settings={"search_path": "dispatch"})
    try:
        async with conn.transaction():
            await conn.execute("LOCK TABLE processed_events IN SHARE MODE")
            yield
    finally:
        await conn.close()


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


async def dispatch_events(stack: Stack, bootstrap: str, issue_id: str) -> list[dict]:
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
    grid["steward_token"] = stack.token("steward", grid["steward"], [grid["grid_id"]])
    grid["repairer_token"] = stack.token("repairer", grid["repairer"], [grid["grid_id"]])
    return grid


async def report(client, stack: Stack, grid: dict, category: str, resident: str = "u-wf") -> str:
    created = await client.post(f"{stack.intake}/v1/issues",
                                headers=stack.token("resident", resident),
                                json={"category": category, "description": "e2e",
                                      "building": grid["building"], "unit": "1-101"})
    assert created.status_code == 201, created.text
    return created.json()["id"]


async def act(client, stack: Stack, issue_id: str, action: str, headers: dict,
              body: dict | None = None, url: str | None = None) -> httpx.Response:
    """POST a staff action to dispatch (or to one replica, `url`)."""
    return await client.post(f"{url or stack.dispatch}/v1/issues/{issue_id}/{action}",
                             json=body or {},
                             headers={**headers, "Idempotency-Key": uuid.uuid4().hex})


async def resident_act(client, stack: Stack, issue_id: str, action: str,
                       body: dict | None = None, resident: str = "u-wf") -> httpx.Response:
    """POST a resident action (cancel, confirm, reopen) to intake."""
    return await client.post(f"{stack.intake}/v1/issues/{issue_id}/{action}", json=body or {},
                             headers={**stack.token("resident", resident),
                                      "Idempotency-Key": uuid.uuid4().hex})


async def work(client, stack: Stack, issue_id: str, headers: dict, status: str) -> dict:
    """Dispatch's view of the issue, once it shows `status`."""
    url = f"{stack.dispatch}/v1/issues/{issue_id}"
    seen = await eventually(lambda: client.get(url, headers=headers),
                            lambda r: r.status_code == 200 and r.json()["status"] == status,
                            f"{issue_id} {status} in dispatch")
    return seen.json()


async def resident_sees(client, stack: Stack, issue_id: str, status: str,
                        resident: str = "u-wf") -> dict:
    """Intake's view of the issue (as its resident), once it shows `status`, nothing pending."""
    url = f"{stack.intake}/v1/issues/{issue_id}"
    seen = await eventually(
        lambda: client.get(url, headers=stack.token("resident", resident)),
        lambda r: r.status_code == 200 and r.json()["status"] == status
        and r.json()["pending_action"] is None, f"{issue_id} {status} in intake")
    return seen.json()


async def timeline(client, stack: Stack, issue_id: str, resident: str = "u-wf") -> list[dict]:
    response = await client.get(f"{stack.intake}/v1/issues/{issue_id}/timeline",
                                headers=stack.token("resident", resident))
    assert response.status_code == 200, response.text
    return response.json()


async def summary(client, stack: Stack, accept, what: str) -> dict:
    """The community's stats summary (as its operator), once `accept` holds for it."""
    seen = await eventually(
        lambda: client.get(f"{stack.stats}/v1/stats/summary",
                           headers=stack.token("operator", "op-wf")),
        lambda r: r.status_code == 200 and accept(r.json()), what)
    return seen.json()
