"""Create and drop throwaway databases so tests and services do not share tables."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit, urlunsplit

import asyncpg


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def unique_name(hint: str = "test") -> str:
    """A fresh, valid database name such as t_test_infra_3f2a9c1b."""
    slug = re.sub(r"[^a-z0-9]+", "_", hint.lower()).strip("_")[:40]
    return f"t_{slug}_{uuid.uuid4().hex[:8]}"


async def create_database(url: str, hint: str = "test") -> str:
    """CREATE a uniquely named database on url's server and return its URL."""
    name = unique_name(hint)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(url, name)


async def drop_database(url: str, database_url: str) -> None:
    """DROP the database database_url names, disconnecting its clients, via a connection to url."""
    name = urlsplit(database_url).path.lstrip("/")
    conn = await asyncpg.connect(url)
    try:
        # FORCE: a service under test may still hold connections at teardown.
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
