"""Consumer loop: event in -> handler effect + processed(event_id) in one transaction ->
offset committed after. A redelivered event finds its dedupe row and changes nothing. A
record that cannot be parsed, or whose handler rejects it, is parked in dead_letters with
the reason, so it neither blocks the partition nor kills the consumer. When the database
is unreachable nothing is parked: the loop backs off and re-reads from the last commit.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRecord
from aiokafka.errors import KafkaError
from prometheus_client import Counter
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from redgrid_shared import codec
from redgrid_shared.events import Envelope

log = logging.getLogger(__name__)
Handler = Callable[[asyncpg.Connection, Envelope], Awaitable[None]]
CONSUMED = Counter("redgrid_events_consumed_total", "Events consumed",
                   ["group", "outcome"])
# Errors that say nothing about the event: the database restarted, refused or dropped the
# connection, or a concurrent writer won. They are retried, never parked.
TRANSIENT = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
             asyncpg.exceptions.OperatorInterventionError,
             asyncpg.exceptions.InsufficientResourcesError, asyncpg.SerializationError,
             asyncpg.DeadlockDetectedError, OSError, TimeoutError)
MAX_BACKOFF_SECONDS = 10.0


async def apply_once(pool: asyncpg.Pool, topic: str, env: Envelope, handler: Handler) -> bool:
    """Apply an event unless already applied; returns True when it had an effect."""
    async with pool.acquire() as conn, conn.transaction():
        fresh = await conn.fetchval(
            """INSERT INTO processed_events (event_id, topic, event_type) VALUES ($1, $2, $3)
               ON CONFLICT (event_id) DO NOTHING RETURNING true""", env.id, topic, env.type)
        if not fresh:
            return False
        await handler(conn, env)
        return True


async def park(pool: asyncpg.Pool, record: ConsumerRecord, reason: str) -> None:
    """Keep a record that cannot be applied, with the reason, for an operator."""
    log.error("parking %s[%s]@%s: %s", record.topic, record.partition, record.offset, reason)
    headers = {k: v.decode("utf-8", "replace") for k, v in (record.headers or ())}
    await pool.execute(
        """INSERT INTO dead_letters (topic, partition, "offset", key, headers, value, reason)
           VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (topic, partition, "offset") DO NOTHING""",
        record.topic, record.partition, record.offset, record.key, headers, record.value,
        reason[:2000])


async def process_record(pool: asyncpg.Pool, record: ConsumerRecord, handler: Handler, *,
                         attempts: int = 5) -> str:
    """Decode and apply one record; the outcome is `applied`, `duplicate` or `parked`."""
    try:
        env = codec.from_kafka(record.headers or [], record.key, record.value or b"")
    except codec.MalformedEvent as exc:
        await park(pool, record, f"malformed: {exc}")
        return "parked"
    try:
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type(TRANSIENT), stop=stop_after_attempt(attempts),
            wait=wait_exponential(multiplier=0.05, max=2), reraise=True,
        ):
            with attempt:
                applied = await apply_once(pool, record.topic, env, handler)
        return "applied" if applied else "duplicate"
    except TRANSIENT:
        raise  # the database is gone: stop without committing, redelivery will retry
    except Exception as exc:
        await park(pool, record, f"handler failed on {env.type} {env.id}: "
                                 f"{type(exc).__name__}: {exc}")
        return "parked"


class ConsumerLoop:
    """Runs a consumer group over topics, committing offsets only after effects commit."""

    def __init__(self, *, pool: asyncpg.Pool, bootstrap: str, group_id: str,
                 topics: tuple[str, ...], handler: Handler, **consumer_options):
        self._pool, self._handler, self._group = pool, handler, group_id
        self._consumer = AIOKafkaConsumer(
            *topics, bootstrap_servers=bootstrap, group_id=group_id,
            enable_auto_commit=False, auto_offset_reset="earliest",
            max_poll_records=200, **consumer_options,
        )
        self.processed = 0

    async def start(self) -> None:
        await self._consumer.start()

    async def stop(self) -> None:
        await self._consumer.stop()

    async def run(self) -> None:
        """Consume until cancelled; after any failure, back off and resume every partition
        from its last commit, so nothing is skipped and the loop never dies."""
        backoff, rewind = 0.5, False
        while True:
            try:
                if rewind:
                    await self._rewind()
                    rewind = False
                await self._consume_batch()
                backoff = 0.5
            except asyncio.CancelledError:
                raise
            except KafkaError as exc:
                # e.g. a commit refused after a rebalance took the partition away: its new
                # owner re-reads from the last commit, and dedupe absorbs the overlap.
                log.warning("%s: %s; resuming from committed offsets", self._group, exc)
                rewind = True
            except Exception:
                log.exception("%s: cannot apply events now; retrying in %.1fs", self._group,
                              backoff)
                rewind = True
            if rewind:
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    async def _consume_batch(self) -> None:
        batches = await self._consumer.getmany(timeout_ms=500)
        for tp, records in batches.items():
            for record in records:
                outcome = await process_record(self._pool, record, self._handler)
                CONSUMED.labels(self._group, outcome).inc()
                self.processed += 1
            # One commit per partition batch, after every effect in it is committed: a crash
            # before it redelivers the batch, and the dedupe rows make that harmless.
            await self._consumer.commit({tp: records[-1].offset + 1})

    async def _rewind(self) -> None:
        """Seek each partition still assigned back to its committed offset."""
        for tp in self._consumer.assignment():
            committed = await self._consumer.committed(tp)
            if committed is None:
                await self._consumer.seek_to_beginning(tp)
            else:
                self._consumer.seek(tp, committed)
