"""Dispatch on a database of the module's own: migrated runtime (no relay) and an HTTP client."""

import httpx
import pytest_asyncio

from redgrid_shared.auth import mint_token
from redgrid_shared.runtime import Runtime

from dispatch.main import MIGRATIONS, create_app
from dispatch.settings import Settings

SECRET = "dispatch-integration-secret-32-bytes!"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def app(fresh_database_url):
    """The dispatch app with its runtime started: pool and migrations, no relay or consumer."""
    settings = Settings(database_url=fresh_database_url, jwt_secret=SECRET)
    runtime = Runtime(settings, migrations=MIGRATIONS)
    app = create_app(settings, runtime)
    await runtime.start(relay=False)
    yield app
    await runtime.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://dispatch") as c:
        yield c


@pytest_asyncio.fixture(loop_scope="session")
async def pool(app):
    return app.state.runtime.pool


def auth(role: str = "admin", sub: str = "a-01", community: str = "erqiaoxi",
         grids: tuple[str, ...] = ()) -> dict:
    token = mint_token(secret=SECRET, sub=sub, role=role, community=community, grids=grids)
    return {"Authorization": f"Bearer {token}"}
