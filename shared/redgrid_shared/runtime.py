"""The moving parts of a service process: pool, producer, outbox relay and consumer loops.

Each service's lifespan builds one Runtime and launches it. Start-up waits for PostgreSQL
and the broker with exponential back-off instead of exiting, so a service restarted during
an outage comes up by itself once they return; meanwhile it serves `/healthz`, answers
`/readyz` with 503 naming what it waits for, and database routes answer 503. The relay and
the consumer loops are background tasks that retry through later outages on their own;
`/readyz` reports any that stopped, so an orchestrator can replace the process.

Other background workers (e.g. timers) are passed as `workers`: each is spawned once start-up
finished (pool, producer and consumers ready), reported by /readyz if it stops, and should use
`backoff()` for its own retries, so every worker waits and retries the same way.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from importlib.resources.abc import Traversable

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential

from redgrid_shared import db
from redgrid_shared.consumer import ConsumerLoop, Handler
from redgrid_shared.relay import OutboxRelay
from redgrid_shared.settings import ServiceSettings
from redgrid_shared.web import NotReady

log = logging.getLogger(__name__)
Consumers = dict[str, tuple[tuple[str, ...], Handler]]
# Extra background workers (e.g. timers): name -> coroutine factory taking the started runtime.
Workers = dict[str, Callable[["Runtime"], Awaitable[None]]]


def backoff(max_seconds: float = 5.0):
    """The wait between start-up attempts: 0.2 s doubling up to `max_seconds`."""
    return wait_exponential(multiplier=0.2, max=max_seconds)


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
        self.started = asyncio.Event()
        self.waiting_for: str | None = "starting"
        self._tried = asyncio.Event()  # set once the database is ready or an attempt failed
        self._starter: asyncio.Task | None = None

    async def launch(self, *, relay: bool = True, consumers: Consumers | None = None,
                     workers: Workers | None = None) -> None:
        """Start in the background; return once the database is ready (the broker clients
        and consumer group joins go on behind: HTTP need not wait for a rebalance), or once
        a first attempt failed (then 503s are served while start-up keeps retrying)."""
        self._starter = asyncio.create_task(
            self.start(relay=relay, consumers=consumers, workers=workers), name="start-up")
        self._starter.add_done_callback(_log_crash)
        tried = asyncio.create_task(self._tried.wait())
        await asyncio.wait([self._starter, tried], return_when=asyncio.FIRST_COMPLETED)
        tried.cancel()

    async def start(self, *, relay: bool = True, consumers: Consumers | None = None,
                    workers: Workers | None = None) -> None:
        """Connect, migrate, then start the relay and one consumer loop per group; each step
        retried with back-off until its dependency answers."""
        s = self.settings
        if self.pool is None:
            self.pool = await self._retrying("database", self._open_database)
        self._tried.set()
        if relay:
            # acks=all: an event is marked published only once the broker has it durably.
            self.producer = await self._retrying("broker", lambda: _started(AIOKafkaProducer(
                bootstrap_servers=s.kafka_bootstrap_servers, acks="all", linger_ms=0)))
            self.relay = OutboxRelay(database_url=s.database_url, schema=s.schema,
                                     producer=self.producer, poll_seconds=s.relay_poll_seconds)
            self.spawn(self.relay.run(), "relay")
        for group, (topics, handler) in (consumers or {}).items():
            def make(group=group, topics=topics, handler=handler) -> ConsumerLoop:
                return ConsumerLoop(pool=self.pool, bootstrap=s.kafka_bootstrap_servers,
                                    group_id=group, topics=topics, handler=handler,
                                    fetch_max_wait_ms=s.kafka_fetch_max_wait_ms,
                                    idle_fetch_max_wait_ms=s.kafka_idle_fetch_max_wait_ms,
                                    session_timeout_ms=s.kafka_session_timeout_ms,
                                    heartbeat_interval_ms=s.kafka_heartbeat_interval_ms)
            loop = await self._retrying("broker", lambda make=make: _started(make()))
            self.consumers.append(loop)
            self.spawn(loop.run(), f"consumer:{group}")
        for name, worker in (workers or {}).items():
            self.spawn(worker(self), name)
        self.waiting_for = None
        self.started.set()

    async def _open_database(self) -> asyncpg.Pool:
        s = self.settings
        pool = await db.create_pool(s.database_url, s.schema, min_size=s.db_pool_min,
                                    max_size=s.db_pool_max)
        try:
            await db.migrate(pool, s.schema, self._migrations)
        except BaseException:
            await pool.close()
            raise
        return pool

    async def _retrying(self, what: str, attempt: Callable[[], Awaitable]):
        def waiting(state: RetryCallState) -> None:
            exc = state.outcome.exception()
            self.waiting_for = f"{what} ({type(exc).__name__})"
            self._tried.set()
            log.warning("waiting for the %s (attempt %d, next in %.1fs): %s", what,
                        state.attempt_number, state.next_action.sleep, exc)

        async for attempt_ in AsyncRetrying(retry=retry_if_exception_type(Exception),
                                            wait=backoff(), before_sleep=waiting, reraise=True):
            with attempt_:
                return await attempt()

    def spawn(self, coro, name: str) -> asyncio.Task:
        """Run a background worker for the life of the process; /readyz reports it if it stops."""
        task = asyncio.create_task(coro, name=name)
        task.add_done_callback(_log_crash)
        self._tasks.append(task)
        return task

    async def stop(self) -> None:
        """Stop start-up and background work first, then close clients and the pool."""
        if self._starter is not None:
            self._starter.cancel()
            await asyncio.gather(self._starter, return_exceptions=True)
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

    async def check_started(self) -> None:
        """Readiness: start-up finished (else: what it still waits for)."""
        if not self.started.is_set():
            raise NotReady(f"waiting for the {self.waiting_for}")

    async def check_database(self) -> None:
        """Readiness: one round trip to PostgreSQL."""
        if self.pool is None:
            raise RuntimeError("no connection yet")
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
        """Readiness: the relay, every consumer loop and every worker are still running."""
        dead = [t.get_name() for t in self._tasks if t.done()]
        if dead:
            raise RuntimeError(f"stopped: {', '.join(dead)}")


async def _started(client):
    """Start an aiokafka client; a failed one is closed so the next attempt starts afresh."""
    try:
        await client.start()
    except BaseException:
        await client.stop()
        raise
    return client


def _log_crash(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception():
        log.error("background task %s died", task.get_name(), exc_info=task.exception())
