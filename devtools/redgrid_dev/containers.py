"""PostgreSQL and Kafka in Docker through testcontainers, for the tests when a Docker engine answers."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

POSTGRES_IMAGE = "postgres:17"
KAFKA_IMAGE = "confluentinc/cp-kafka:7.6.1"


def docker_answers(timeout: float = 3.0) -> bool:
    """True when `docker info` succeeds within the timeout (no binary or no engine: False)."""
    try:
        proc = subprocess.run(["docker", "info"], capture_output=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


@contextmanager
def postgres() -> Iterator[str]:
    """A PostgreSQL container; yields a plain postgresql:// URL for asyncpg."""
    # testcontainers 4.x keeps the modules under `community`; the top-level ones only warn and re-export.
    from testcontainers.community.postgres import PostgresContainer

    with PostgresContainer(POSTGRES_IMAGE) as pg:
        # driver=None: asyncpg rejects the default "postgresql+psycopg2://" scheme.
        yield pg.get_connection_url(driver=None)


@contextmanager
def kafka() -> Iterator[str]:
    """A Kafka container; yields its host:port bootstrap address (topics are the caller's to create)."""
    from testcontainers.community.kafka import KafkaContainer

    with KafkaContainer(KAFKA_IMAGE) as broker:
        yield broker.get_bootstrap_server()
