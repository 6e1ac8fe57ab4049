"""A started stats runtime (pool + migrations, no consumers) on a database of the module's own."""

import httpx
import pytest_asyncio

from redgrid_shared import topics
from redgrid_shared.auth import mint_token
from redgrid_shared.consumer import apply_once
from redgrid_shared.events import Envelope
from redgrid_shared.runtime import Runtime
from stats import projections
from stats.main import MIGRATIONS, create_app
from stats.settings import Settings

SECRET = "integration-secret-at-least-32-bytes"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def settings(fresh_database_url) -> Settings:
    return Settings(database_url=fresh_database_url, jwt_secret=SECRET, db_pool_min=1)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def runtime(settings):
    runtime = Runtime(settings, migrations=MIGRATIONS)
    await runtime.start(relay=False)
    yield runtime
    await runtime.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def pool(runtime):
    return runtime.pool


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def client(settings, runtime):
    app = create_app(settings, runtime=runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://stats") as client:
        yield client


def bearer(community: str, role: str = "operator") -> dict:
    token = mint_token(secret=SECRET, sub="o-1", role=role, community=community)
    return {"Authorization": f"Bearer {token}"}


async def project(pool, *envelopes: Envelope) -> list[bool]:
    """Apply events as the consumer loop does: effect + dedupe row in one transaction."""
    return [await apply_once(pool, topic_of(env), env, projections.apply) for env in envelopes]


def topic_of(env: Envelope) -> str:
    return topics.INTAKE_EVENTS if env.source.endswith("intake") else topics.DISPATCH_EVENTS
