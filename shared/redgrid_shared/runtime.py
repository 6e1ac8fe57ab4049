"""The moving parts of a service process: pool, producer, outbox relay and consumer loops.

Each service's lifespan builds one Runtime, starts it, and stops it on shutdown. The relay
and the consumer loops are background tasks that retry through outages on their own;
`/readyz` reports any that stopped, so an orchestrator can replace the process.
"""

import asyncio
import logging
from importlib.resources.abc import Traversable

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from redgrid_shared import db
from redgrid_shared.consumer import ConsumerLoop, Handler
from redgrid_shared.relay import OutboxRelay
from redgrid_shared.settings import ServiceSettings

log = logging.getLogger(__name__)


class Runtime:
    """Owns the connections of one service process."""

    def __init__(self, settings: ServiceSettings, *, migrations: Traversable):
        self.settings = settings
        self._migrations = migrations
        self.pool: asyncpg.Pool | None = None
        self.producer: AIOKafkaProducer | None = None
        self.relay: OutboxRelay | None = None
        self.consumers: list[ConsumerLoop] = []
        self._tasks: list[asyncio.Task] = []

    async def start(self, *, relay: bool = True,
                    consumers: dict[str, tuple[tuple[str, ...], Handler]] | None = None) -> None:
        """Connect, migrate, then start the relay and one consumer loop per group."""
        s = self.settings
        self.pool = await db.create_pool(s.database_url, s.schema, min_size=s.db_pool_min,
                                         max_size=s.db_pool_max)
        await db.migrate(self.pool, s.schema, self._migrations)
        if relay:
            # acks=all: an event is marked published only once the broker has it durably.
            self.producer = AIOKafkaProducer(bootstrap_servers=s.kafka_bootstrap_servers,
                                             acks="all", linger_ms=0)
            await self.producer.start()
            self.relay = OutboxRelay(database_url=s.database_url, schema=s.schema,
                                     producer=self.producer, poll_seconds=s.relay_poll_seconds)
            self._spawn(self.relay.run(), "relay")
        for group, (topics, handler) in (consumers or {}).items():
            loop = ConsumerLoop(pool=self.pool, bootstrap=s.kafka_bootstrap_servers,
                                group_id=group, topics=topics, handler=handler,
                                fetch_max_wait_ms=s.kafka_fetch_max_wait_ms,
                                idle_fetch_max_wait_ms=s.kafka_idle_fetch_max_wait_ms)
            await loop.start()
            self.consumers.append(loop)
            self._spawn(loop.run(), f"consumer:{group}")

    def _spawn(self, coro, name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        task.add_done_callback(_log_crash)
        self._tasks.append(task)

    async def stop(self) -> None:
        """Stop background work first, then close clients and the pool."""
        if self.relay:
            self.relay.stop()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for loop in self.consumers:
            await loop.stop()
        if self.producer:
            await self.producer.stop()
        if self.pool:
            await self.pool.close()

    async def check_database(self) -> None:
        """Readiness: one round trip to PostgreSQL."""
        assert self.pool is not None
        await self.pool.fetchval("SELECT 1")

    async def check_broker(self) -> None:
        """Readiness: the broker answers a metadata request."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.settings.kafka_bootstrap_servers,
                                    request_timeout_ms=1500)
        await admin.start()
        try:
            await admin.list_topics()
        finally:
            await admin.close()

    async def check_workers(self) -> None:
        """Readiness: the relay and every consumer loop are still running."""
        dead = [t.get_name() for t in self._tasks if t.done()]
        if dead:
            raise RuntimeError(f"stopped: {', '.join(dead)}")


def _log_crash(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception():
        log.error("background task %s died", task.get_name(), exc_info=task.exception())
