"""The intake app in-process on a database of this module's own and the session broker."""

import uuid

import httpx
import pytest_asyncio

from intake.main import create_app
from intake.settings import Settings
from tests.unit.intake.builders import SECRET


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def app(fresh_database_url, kafka_bootstrap, tmp_path_factory):
    settings = Settings(database_url=fresh_database_url, kafka_bootstrap_servers=kafka_bootstrap,
                        consumer_group=f"intake-test-{uuid.uuid4().hex[:8]}", jwt_secret=SECRET,
                        relay_poll_seconds=0.2, db_pool_min=1, db_pool_max=8,
                        rate_limit_writes="100000/minute",
                        media_dir=tmp_path_factory.mktemp("media"))
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest_asyncio.fixture(loop_scope="session")
async def client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://intake") as c:
        yield c


@pytest_asyncio.fixture(loop_scope="session")
async def pool(app):
    return app.state.runtime.pool
