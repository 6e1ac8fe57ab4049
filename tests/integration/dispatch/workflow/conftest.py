"""Dispatch with a clock the tests move, on a database of the module's own (no relay)."""

import uuid
from datetime import timedelta

import httpx
import pytest_asyncio

from redgrid_shared import topics
from redgrid_shared.clock import FixedClock
from redgrid_shared.consumer import apply_once
from redgrid_shared.events import IssueCancelled, IssueConfirmed, IssueReopened, envelope
from redgrid_shared.runtime import Runtime

from dispatch import consumer
from dispatch.main import MIGRATIONS, create_app
from dispatch.settings import Settings
from dispatch.workflow import store
from tests.integration.dispatch.conftest import SECRET, auth
from tests.unit.dispatch.builders import REPORTED_AT, grid_body, issue_reported_envelope


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def clock():
    return FixedClock(REPORTED_AT)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def app(fresh_database_url, clock):
    settings = Settings(database_url=fresh_database_url, jwt_secret=SECRET)
    runtime = Runtime(settings, migrations=MIGRATIONS)
    app = create_app(settings, runtime, clock=clock)
    await runtime.start(relay=False)
    yield app
    await runtime.stop()


class World:
    """One community's grid with backups, and helpers to report and act through the API."""

    def __init__(self, client: httpx.AsyncClient, pool, clock: FixedClock, *,
                 community: str = "erqiaoxi"):
        self.client, self.pool, self.clock, self.community = client, pool, clock, community
        suffix = uuid.uuid4().hex[:6]
        self.grid_id, self.building = f"g-{suffix}", f"b-{suffix}"
        self.steward, self.repairer = f"s-{suffix}", f"r-{suffix}"
        self.backup_steward, self.backup_repairer = f"s2-{suffix}", f"r2-{suffix}"
        self.handle = consumer.handler(clock=clock, timing=Settings().timing)

    async def configure(self, **overrides) -> None:
        body = grid_body(**{"community": self.community, "buildings": [self.building],
                            "steward": self.steward, "repairer": self.repairer,
                            "backup_steward": self.backup_steward,
                            "backup_repairer": self.backup_repairer, "members": [],
                            **overrides})
        put = await self.client.put(f"/v1/grids/{self.grid_id}", json=body,
                                    headers=self.admin())
        assert put.status_code in (200, 201), put.text

    def steward_h(self, sub: str | None = None) -> dict:
        return auth("steward", sub or self.steward, self.community, (self.grid_id,))

    def repairer_h(self, sub: str | None = None) -> dict:
        return auth("repairer", sub or self.repairer, self.community, (self.grid_id,))

    def operator(self) -> dict:
        return auth("operator", "o-01", self.community)

    def admin(self) -> dict:
        return auth("admin", "a-01", self.community)

    async def report(self, **overrides) -> str:
        overrides.setdefault("building", self.building)
        env = issue_reported_envelope(time=self.clock(), community=self.community, **overrides)
        assert await apply_once(self.pool, topics.INTAKE_EVENTS, env, self.handle)
        return env.data["issue_id"]

    async def resident(self, issue_id: str, action: str, *, at=None, **fields):
        model = {"cancel": IssueCancelled, "confirm": IssueConfirmed,
                 "reopen": IssueReopened}[action]
        data = model(issue_id=issue_id, community=self.community, by="u-1001", **fields)
        env = envelope(data, service="intake", subject=issue_id, time=at or self.clock())
        assert await apply_once(self.pool, topics.INTAKE_EVENTS, env, self.handle)
        return env

    async def post(self, issue_id: str, action: str, headers: dict, body: dict | None = None,
                   key: str | None = None) -> httpx.Response:
        headers = {**headers, **({"Idempotency-Key": key} if key else {})}
        return await self.client.post(f"/v1/issues/{issue_id}/{action}", json=body or {},
                                      headers=headers)

    async def row(self, issue_id: str):
        return await store.issue_row(self.pool, issue_id)

    async def events(self, issue_id: str) -> list[dict]:
        rows = await self.pool.fetch(
            "SELECT type, data FROM events WHERE stream_id = $1 ORDER BY version",
            f"issue-{issue_id}")
        return [{"type": r["type"].removeprefix("org.redgrid."), **r["data"]} for r in rows]

    async def timers(self, issue_id: str) -> list[tuple]:
        rows = await self.pool.fetch(
            "SELECT kind, due_at, fired_at FROM timers WHERE issue_id = $1 ORDER BY due_at",
            issue_id)
        return [(r["kind"], r["due_at"], r["fired_at"]) for r in rows]


@pytest_asyncio.fixture(loop_scope="session")
async def world(app, clock):
    clock.at = REPORTED_AT
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://dispatch") as client:
        w = World(client, app.state.runtime.pool, clock)
        await w.configure()
        yield w


HOUR = timedelta(hours=1)
