"""/metrics carries consumer lag per partition, unpublished outbox rows and unresolved dead
letters from the first scrape, collected from the real database and broker."""

import asyncio
import re
import uuid
from pathlib import Path

import httpx

from redgrid_shared.service import create_service_app
from redgrid_shared.settings import ServiceSettings
from redgrid_shared.topics import DISPATCH_EVENTS
from tests.integration.shared.helpers import new_tag, seed


def _value(text: str, metric: str, **labels) -> float | None:
    for line in text.splitlines():
        if line.startswith(metric + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


async def _noop(conn, env) -> None:
    return None


async def test_metrics_show_outbox_dead_letters_and_lag_per_partition(fresh_database_url,
                                                                       kafka_bootstrap,
                                                                       tmp_path: Path):
    name, group = f"m{uuid.uuid4().hex[:6]}", f"metrics-{uuid.uuid4().hex[:8]}"
    settings = ServiceSettings(service_name=name, DATABASE_URL=fresh_database_url,
                               KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap)
    app = create_service_app(settings=settings, title="t", description="t", routers=[],
                             migrations=tmp_path, relay=False,
                             consumers={group: ((DISPATCH_EVENTS,), _noop)})
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://svc") as client:
        first = (await client.get("/metrics")).text
        assert _value(first, "redgrid_outbox_unpublished", service=name) == 0
        assert _value(first, "redgrid_dead_letters", service=name) == 0
        assert "# TYPE redgrid_consumer_lag gauge" in first

        pool = app.state.runtime.pool
        await seed(pool, 3, topic=DISPATCH_EVENTS, tag=new_tag())  # no relay: stays unpublished
        await pool.execute("""INSERT INTO dead_letters (topic, partition, "offset", headers,
                              value, reason) VALUES ('t', 0, 1, '{}', 'x', 'test')""")
        later = (await client.get("/metrics")).text
        assert _value(later, "redgrid_outbox_unpublished", service=name) == 3
        assert _value(later, "redgrid_dead_letters", service=name) == 1

        deadline = asyncio.get_running_loop().time() + 60
        while True:  # the consumer reaches the end of every partition it holds
            text = (await client.get("/metrics")).text
            lags = re.findall(rf'redgrid_consumer_lag{{group="{group}",partition="(\d+)",'
                              rf'topic="{re.escape(DISPATCH_EVENTS)}"}} (\S+)', text)
            if len(lags) == 3 and all(float(v) == 0 for _, v in lags):
                break
            assert asyncio.get_running_loop().time() < deadline, lags
            await asyncio.sleep(0.2)
