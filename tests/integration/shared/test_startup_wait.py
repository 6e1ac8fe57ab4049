"""A service started while PostgreSQL is down waits for it instead of exiting: /readyz is
503 naming what it waits for, database routes are 503, and it becomes ready by itself."""

import asyncio
import shutil
import tempfile
from pathlib import Path

import httpx
from fastapi import APIRouter

from redgrid_dev.ports import free_port
from redgrid_dev.postgres import EmbeddedPostgres
from redgrid_shared.deps import PoolDep
from redgrid_shared.service import create_service_app
from redgrid_shared.settings import ServiceSettings

probe = APIRouter()


@probe.get("/probe")
async def probe_route(pool: PoolDep) -> dict:
    return {"one": await pool.fetchval("SELECT 1")}


async def _readyz(client) -> httpx.Response:
    return await client.get("/readyz")


async def test_a_service_started_during_a_database_outage_waits_and_then_becomes_ready(
        kafka_bootstrap):
    folder = Path(tempfile.mkdtemp(prefix="redgrid-test-startwait-"))
    pg = EmbeddedPostgres(folder / "pg", port=free_port())  # not started yet: the outage
    settings = ServiceSettings(DATABASE_URL=pg.url_for("redgrid"),
                               KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap,
                               DATABASE_SCHEMA="startwait")
    empty = folder / "migrations"
    empty.mkdir()
    app = create_service_app(settings=settings, title="t", description="t", routers=[probe],
                             migrations=empty, relay=True)
    transport = httpx.ASGITransport(app=app)
    try:
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=transport, base_url="http://svc") as client:
            waiting = await _readyz(client)
            assert waiting.status_code == 503
            assert "database" in waiting.json()["checks"]["startup"]
            down = await client.get("/probe")
            assert down.status_code == 503 and down.json()["error"]["code"] == "unavailable"
            assert (await client.get("/healthz")).status_code == 200

            await asyncio.to_thread(pg.start)
            deadline = asyncio.get_running_loop().time() + 60
            while (response := await _readyz(client)).status_code != 200:
                assert asyncio.get_running_loop().time() < deadline, response.json()
                await asyncio.sleep(0.2)
            assert (await client.get("/probe")).json() == {"one": 1}
    finally:
        await asyncio.to_thread(pg.stop)
        shutil.rmtree(folder, ignore_errors=True)


async def test_a_service_started_while_the_broker_is_down_waits_for_it(fresh_database_url):
    from redgrid_dev.broker import TansuBroker

    folder = Path(tempfile.mkdtemp(prefix="redgrid-test-startwait-"))
    broker = TansuBroker(port=free_port(), log_file=folder / "tansu.log")
    settings = ServiceSettings(DATABASE_URL=fresh_database_url,
                               KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{broker.port}",
                               DATABASE_SCHEMA="startwait_broker")
    worker_saw_pool = asyncio.Event()

    async def worker(runtime) -> None:  # e.g. a timer: starts only once everything is up
        await runtime.pool.fetchval("SELECT 1")
        worker_saw_pool.set()
        await asyncio.Event().wait()

    app = create_service_app(settings=settings, title="t", description="t", routers=[probe],
                             migrations=folder, relay=True, workers={"timers": worker})
    try:
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://svc") as client:
            waiting = await _readyz(client)
            assert waiting.status_code == 503
            assert "broker" in waiting.json()["checks"]["startup"]
            # The database is there already: reads need not wait for the broker.
            assert (await client.get("/probe")).json() == {"one": 1}

            assert not worker_saw_pool.is_set()  # workers wait for the whole start-up

            await asyncio.to_thread(broker.start)
            deadline = asyncio.get_running_loop().time() + 60
            while (response := await _readyz(client)).status_code != 200:
                assert asyncio.get_running_loop().time() < deadline, response.json()
                await asyncio.sleep(0.2)
            await asyncio.wait_for(worker_saw_pool.wait(), 10)
    finally:
        await asyncio.to_thread(broker.stop)
        shutil.rmtree(folder, ignore_errors=True)
