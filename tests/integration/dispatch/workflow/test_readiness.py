"""The timer worker runs with the service and /readyz says when it has stopped."""

import asyncio
import uuid

import httpx

from dispatch.main import create_app
from dispatch.settings import Settings
from tests.integration.dispatch.conftest import SECRET


async def test_the_timer_worker_runs_with_the_app_and_readiness_reports_its_loss(
        make_database, kafka_bootstrap):
    settings = Settings(database_url=await make_database("dispatch_ready"), jwt_secret=SECRET,
                        kafka_bootstrap_servers=kafka_bootstrap,
                        consumer_group=f"dispatch-{uuid.uuid4().hex[:8]}")
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://dispatch") as client:
        runtime = app.state.runtime
        # The lifespan returns once the database is ready; workers start behind it.
        await asyncio.wait_for(runtime.started.wait(), timeout=60)
        [timers] = [t for t in runtime._tasks if t.get_name() == "timers"]  # noqa: SLF001
        ready = await client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["checks"]["workers"] == "ok"
        timers.cancel()
        await asyncio.wait([timers])
        not_ready = await client.get("/readyz")
        assert not_ready.status_code == 503
        assert not_ready.json()["checks"]["workers"].startswith("unavailable")
