"""A database written under 0001 (grids keyed by grid id alone) keeps working after 0002."""

import shutil
from datetime import datetime, timezone

import httpx
import pytest_asyncio

from redgrid_shared import db, topics
from redgrid_shared.clock import FixedClock
from redgrid_shared.consumer import apply_once
from redgrid_shared.events import GridConfigured, envelope
from redgrid_shared.eventstore import PgEventStore
from redgrid_shared.runtime import Runtime

from dispatch import consumer
from dispatch.sla.limits import Timing
from dispatch.workflow import store
from dispatch.grids.domain import grid_stream
from dispatch.main import MIGRATIONS, create_app
from dispatch.settings import Settings
from tests.integration.dispatch.conftest import SECRET, auth
from tests.unit.dispatch.builders import REPORTED_AT, grid_body, issue_reported_envelope

AT = datetime(2024, 5, 4, 1, 0, tzinfo=timezone.utc)
LEGACY = GridConfigured(grid_id="g-01", community="erqiaoxi", name="第一网格",
                        buildings=["b-01"], steward="s-01", repairer="r-01", configured_by="a-01")


async def write_like_0001(pool) -> None:
    """What the code of 0001 left: stream grid-<grid_id> and the directory rows."""
    async with pool.acquire() as conn, conn.transaction():
        await PgEventStore(conn).append(
            "grid-g-01", 0, [envelope(LEGACY, service="dispatch", subject="g-01", time=AT)],
            topic=topics.DISPATCH_EVENTS)
        await conn.execute(
            """INSERT INTO grids (grid_id, community, name, buildings, steward, repairer,
                   version, configured_by, created_at, updated_at)
               VALUES ('g-01', 'erqiaoxi', '第一网格', '{b-01}', 's-01', 'r-01', 1, 'a-01',
                       $1, $1)""", AT)
        await conn.execute("INSERT INTO grid_buildings VALUES ('erqiaoxi', 'b-01', 'g-01')")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def migrated(make_database, tmp_path_factory):
    """A dispatch schema migrated to 0001 only, filled, then started (which applies the rest)."""
    settings = Settings(database_url=await make_database("dispatch_migration"), jwt_secret=SECRET)
    only_0001 = tmp_path_factory.mktemp("migrations_0001")
    shutil.copy(MIGRATIONS / "0001_grids.sql", only_0001 / "0001_grids.sql")
    old = await db.create_pool(settings.database_url, settings.schema, min_size=1, max_size=2)
    try:
        assert await db.migrate(old, settings.schema, only_0001) == [
            "shared/0001_event_store.sql", "shared/0002_dead_letter_resolution.sql",
            "shared/0003_idempotency_claim.sql", "dispatch/0001_grids.sql"]
        await write_like_0001(old)
    finally:
        await old.close()
    runtime = Runtime(settings, migrations=MIGRATIONS)
    app = create_app(settings, runtime)
    await runtime.start(relay=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://dispatch") as client:
        yield client, runtime.pool
    await runtime.stop()


async def test_the_old_grid_stream_moves_to_its_community_key_unchanged(migrated):
    _, pool = migrated
    assert await pool.fetchval("SELECT count(*) FROM events WHERE stream_id = 'grid-g-01'") == 0
    [event] = await pool.fetch("SELECT version, subject, data FROM events WHERE stream_id = $1",
                               grid_stream("erqiaoxi", "g-01"))
    assert (event["version"], event["subject"], event["data"]["steward"]) == (1, "g-01", "s-01")


async def test_an_old_grid_reads_updates_and_routes_after_the_migration(migrated):
    client, pool = migrated
    admin = auth()
    fetched = await client.get("/v1/grids/g-01", headers=admin)
    assert fetched.status_code == 200 and fetched.json()["version"] == 1
    same = grid_body(name="第一网格", buildings=["b-01"], steward="s-01", repairer="r-01",
                     backup_steward=None, backup_repairer=None, members=[])
    unchanged = await client.put("/v1/grids/g-01", json=same, headers=admin)
    assert unchanged.status_code == 200 and unchanged.json()["version"] == 1
    changed = await client.put("/v1/grids/g-01", json={**same, "steward": "s-02"}, headers=admin)
    assert changed.status_code == 200 and changed.json()["version"] == 2
    versions = await pool.fetch("SELECT version FROM events WHERE stream_id = $1 ORDER BY version",
                                grid_stream("erqiaoxi", "g-01"))
    assert [v["version"] for v in versions] == [1, 2]

    env = issue_reported_envelope(building="b-01")
    handle = consumer.handler(clock=FixedClock(REPORTED_AT), timing=Timing())
    assert await apply_once(pool, topics.INTAKE_EVENTS, env, handle)
    row = await store.issue_row(pool, env.data["issue_id"])
    assert (row["grid_id"], row["steward_id"]) == ("g-01", "s-02")


async def test_another_community_gets_its_own_g01_beside_an_old_one(migrated):
    client, _ = migrated
    nanhu = auth(sub="a-9", community="nanhu")
    created = await client.put("/v1/grids/g-01", json=grid_body(community="nanhu",
                                                                buildings=["b-01"]), headers=nanhu)
    assert created.status_code == 201, created.text
    assert (await client.get("/v1/grids/g-01", headers=auth())).json()["community"] == "erqiaoxi"
