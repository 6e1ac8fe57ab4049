"""The three services as real processes on free ports, against the session's PostgreSQL
and broker, with a database and consumer groups of their own."""

import os
import uuid
from dataclasses import dataclass

import pytest_asyncio

from redgrid_dev.ports import free_port
from redgrid_dev.services import Service, wait_all_ready
from redgrid_shared.auth import mint_token

SECRET = "e2e-secret-that-is-long-enough-for-hs256"


@dataclass
class System:
    urls: dict[str, str]
    community: str

    def token(self, role: str, sub: str, grids: list[str] = ()) -> dict[str, str]:
        token = mint_token(secret=SECRET, sub=sub, role=role, community=self.community,
                           grids=list(grids))
        return {"Authorization": f"Bearer {token}"}


# Package scope: the processes stop when the e2e tests end, so they never react to events
# other tests put on the shared topics.
@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def system(make_database, kafka_bootstrap):
    database_url = await make_database("e2e")
    run = uuid.uuid4().hex[:8]
    services = [Service(name, free_port()) for name in ("intake", "dispatch", "stats")]
    base_env = {**os.environ, "DATABASE_URL": database_url,
                "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDGRID_JWT_SECRET": SECRET,
                "RELAY_POLL_SECONDS": "0.5"}
    try:
        for service in services:
            await service.start({**base_env, "KAFKA_CONSUMER_GROUP": f"e2e-{run}-{service.name}"})
        await wait_all_ready(services, timeout=120)
        yield System({s.name: s.url for s in services}, community=f"c-{run}")
    finally:
        for service in services:
            await service.stop()
