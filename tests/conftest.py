"""Shared fixtures: real PostgreSQL and broker, started lazily, once per session.

`DATABASE_URL` / `KAFKA_BOOTSTRAP_SERVERS` point the suite at external servers. Otherwise, when a
Docker engine answers, PostgreSQL and Kafka run in containers (testcontainers); without one, an
embedded PostgreSQL and a Tansu broker run on free ports with data in a temp folder.
`REDGRID_TEST_INFRA=docker|embedded` forces either. Unit tests request neither and so start nothing.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from redgrid_dev import containers, databases
from redgrid_dev.broker import TansuBroker, ensure_topics
from redgrid_dev.postgres import EmbeddedPostgres

MARKS_BY_FOLDER = {"integration": pytest.mark.integration, "e2e": pytest.mark.e2e}


@functools.cache
def use_docker() -> bool:
    """Whether to run the servers in containers: REDGRID_TEST_INFRA if set, else whether Docker answers."""
    forced = os.environ.get("REDGRID_TEST_INFRA", "").strip().lower()
    if forced not in ("", "docker", "embedded"):
        raise pytest.UsageError(f"REDGRID_TEST_INFRA must be docker or embedded, not {forced!r}")
    return forced == "docker" if forced else containers.docker_answers()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by folder so `-m "not e2e"` selects without decorators in every file."""
    for item in items:
        for folder, mark in MARKS_BY_FOLDER.items():
            if folder in Path(str(item.path)).parts:
                item.add_marker(mark)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of the `redgrid` database on a session-wide PostgreSQL."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    if use_docker():
        with containers.postgres() as url:
            yield url
        return
    # Not under pytest's basetemp: that folder is 0700 and pruned by concurrent pytest runs,
    # and the server runs as another user when the suite runs as root.
    data = Path(tempfile.mkdtemp(prefix="redgrid-test-pg-"))
    try:
        with EmbeddedPostgres(data / "pg") as pg:
            yield pg.database_url
    finally:
        shutil.rmtree(data, ignore_errors=True)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """host:port of a session-wide broker with the services' topics created."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        await ensure_topics(os.environ["KAFKA_BOOTSTRAP_SERVERS"])
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"]
        return
    if use_docker():
        with containers.kafka() as bootstrap:
            await ensure_topics(bootstrap)
            yield bootstrap
        return
    log = tmp_path_factory.mktemp("tansu") / "tansu.log"
    with TansuBroker(log_file=log) as broker:
        yield broker.bootstrap


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def make_database(database_url: str) -> AsyncIterator[Callable[[str], Awaitable[str]]]:
    """Factory: `await make_database("hint")` returns the URL of a new empty database; all dropped at the end."""
    created: list[str] = []

    async def make(hint: str = "test") -> str:
        url = await databases.create_database(database_url, hint)
        created.append(url)
        return url

    yield make
    for url in created:
        await databases.drop_database(database_url, url)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def fresh_database_url(make_database: Callable[[str], Awaitable[str]], request: pytest.FixtureRequest) -> str:
    """URL of an empty database of this test module's own."""
    return await make_database(request.module.__name__.rsplit(".", 1)[-1])
