"""The services as real processes on free ports, with a database and consumer groups of
their own: `system` (the three, on the session's broker, wall time) and `workflow_stack`
(intake, two dispatch replicas and stats on a broker of their own, SLAs scaled down and one
moving clock; see stack.py)."""

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from redgrid_dev.broker import TansuBroker
from redgrid_dev.ports import free_port
from redgrid_dev.services import Service, wait_all_ready
from redgrid_shared.auth import mint_token
from redgrid_shared.clock import write_offset

from tests.conftest import use_docker

SECRET = "e2e-secret-that-is-long-enough-for-hs256"


@dataclass
class System:
    urls: dict[str, str]
    community: str

    def token(self, role: str, sub: str, grids: list[str] = ()) -> dict[str, str]:
        token = mint_token(secret=SECRET, sub=sub, role=role, community=self.community,
                           grids=list(grids))
        return {"Authorization": f"Bearer {token}"}


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def system_bootstrap(kafka_bootstrap, tmp_path_factory):
    """A broker for `system` only, unless the suite runs on external ones: on the session's
    broker, stats would first replay every event the integration tests left on the topics."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or use_docker():
        yield kafka_bootstrap
        return
    log = Path(tmp_path_factory.mktemp("tansu-system")) / "tansu.log"
    with TansuBroker(log_file=log) as broker:
        yield broker.bootstrap


# Package scope: the processes stop when the e2e tests end, so they never react to events
# other tests put on the shared topics.
@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def system(make_database, system_bootstrap):
    kafka_bootstrap = system_bootstrap
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


# --- the workflow stack (tests/e2e/stack.py) ------------------------------------------------

@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def workflow_bootstrap(kafka_bootstrap, tmp_path_factory):
    """A broker for the workflow stack only, unless the suite runs on external ones: the
    package's `system` on the shared topics would otherwise route these reports too, and these
    replicas would route everyone else's."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or use_docker():
        yield kafka_bootstrap
        return
    log = Path(tmp_path_factory.mktemp("tansu-workflow")) / "tansu.log"
    with TansuBroker(log_file=log) as broker:
        yield broker.bootstrap


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def workflow_stack(make_database, workflow_bootstrap, tmp_path_factory):
    """Intake, two dispatch replicas and stats on one moving clock, SLAs scaled down."""
    from tests.e2e.stack import SCALE, Stack

    database_url = await make_database("e2e_workflow")
    run = uuid.uuid4().hex[:8]
    clock_file = Path(tmp_path_factory.mktemp("clock")) / "offset"
    write_offset(clock_file, 0)
    env = {**os.environ, "DATABASE_URL": database_url,
           "KAFKA_BOOTSTRAP_SERVERS": workflow_bootstrap, "REDGRID_JWT_SECRET": SECRET,
           "RELAY_POLL_SECONDS": "0.5", "SLA_TIME_SCALE": str(SCALE),
           "TIMER_POLL_SECONDS": "0.2", "REDGRID_CLOCK_OFFSET_FILE": str(clock_file),
           "RATE_LIMIT_WRITES": ""}  # one resident files hundreds of reports here
    intake, stats = Service("intake", free_port()), Service("stats", free_port())
    dispatchers = [Service("dispatch", free_port()) for _ in range(2)]
    try:
        for service in (intake, stats):
            await service.start({**env, "KAFKA_CONSUMER_GROUP": f"wf-{run}-{service.name}"})
        for service in dispatchers:  # one consumer group: the replicas share the partitions
            await service.start({**env, "KAFKA_CONSUMER_GROUP": f"wf-{run}-dispatch"})
        await wait_all_ready([intake, stats, *dispatchers], timeout=120)
        yield Stack({"intake": intake.url, "dispatch": dispatchers[0].url, "stats": stats.url},
                    dispatchers, {**env, "KAFKA_CONSUMER_GROUP": f"wf-{run}-dispatch"},
                    database_url, clock_file)
    finally:
        for service in (intake, stats, *dispatchers):
            await service.stop()


@pytest.fixture
def stack(workflow_stack):
    """The workflow stack, for a community of this test's own."""
    return workflow_stack.fresh()
