"""Intake and dispatch in-process, each on a database of its own, for ledger imports.

`two_services` starts them with their runtimes only (pool + migrations; no relay, no
consumers); the stats test starts whole apps on the broker itself.
"""

import httpx
import pytest_asyncio

from dispatch.main import MIGRATIONS as DISPATCH_MIGRATIONS
from dispatch.main import create_app as dispatch_app
from dispatch.settings import Settings as DispatchSettings
from intake.main import MIGRATIONS as INTAKE_MIGRATIONS
from intake.main import create_app as intake_app
from intake.settings import Settings as IntakeSettings
from redgrid_dev.import_ledger import Target
from redgrid_shared.auth import mint_token
from redgrid_shared.runtime import Runtime

SECRET = "ledger-integration-secret-32-bytes!!"


class Hosts(httpx.AsyncBaseTransport):
    """Routes each request to the in-process app named by its host."""

    def __init__(self, **apps):
        self._by_host = {host: httpx.ASGITransport(app=app) for host, app in apps.items()}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._by_host[request.url.host].handle_async_request(request)


def token(role: str = "admin", sub: str = "a-1", community: str = "erqiaoxi",
          grids: tuple[str, ...] = ()) -> str:
    return mint_token(secret=SECRET, sub=sub, role=role, community=community, grids=grids)


def target(community: str = "erqiaoxi", role: str = "admin") -> Target:
    return Target("http://intake", "http://dispatch", token(role, community=community))


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def two_services(make_database):
    """(intake app, dispatch app) with started runtimes and no background workers."""
    apps, runtimes = [], []
    for settings_cls, migrations, factory, hint in (
            (IntakeSettings, INTAKE_MIGRATIONS, intake_app, "ledger_intake"),
            (DispatchSettings, DISPATCH_MIGRATIONS, dispatch_app, "ledger_dispatch")):
        settings = settings_cls(database_url=await make_database(hint), jwt_secret=SECRET,
                                db_pool_min=1)
        runtime = Runtime(settings, migrations=migrations)
        await runtime.start(relay=False)
        apps.append(factory(settings, runtime))
        runtimes.append(runtime)
    yield tuple(apps)
    for runtime in runtimes:
        await runtime.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def transport(two_services):
    intake, dispatch = two_services
    return Hosts(intake=intake, dispatch=dispatch)
