"""Applying consumed records: event in -> handler effect + processed(event_id), in one
transaction with the effect. A polled batch of one partition is applied in ONE transaction
(one commit, one fsync) with a savepoint per event, so each event keeps its own dedupe row
and its own fate: a record that cannot be parsed, or whose handler rejects it, is parked in
dead_letters with the reason while the rest of the batch commits. A transient database
error stops the whole batch, which is then retried; nothing is parked for an outage.
"""

import logging
from collections.abc import Awaitable, Callable

import asyncpg
from aiokafka import ConsumerRecord
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from redgrid_shared import codec
from redgrid_shared.events import Envelope

log = logging.getLogger(__name__)
Handler = Callable[[asyncpg.Connection, Envelope], Awaitable[None]]
# Errors that say nothing about the event: the database restarted, refused or dropped the
# connection, or a concurrent writer won. They are retried, never parked.
TRANSIENT = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
             asyncpg.exceptions.OperatorInterventionError,
             asyncpg.exceptions.InsufficientResourcesError, asyncpg.SerializationError,
             asyncpg.DeadlockDetectedError, OSError, TimeoutError)


async def apply_on(conn: asyncpg.Connection, topic: str, env: Envelope,
                   handler: Handler) -> bool:
    """Inside the caller's transaction: apply unless already applied; True when applied."""
    fresh = await conn.fetchval(
        """INSERT INTO processed_events (event_id, topic, event_type) VALUES ($1, $2, $3)
           ON CONFLICT (event_id) DO NOTHING RETURNING true""", env.id, topic, env.type)
    if not fresh:
        return False
    await handler(conn, env)
    return True


async def apply_once(pool: asyncpg.Pool, topic: str, env: Envelope, handler: Handler) -> bool:
    """Apply one event in a transaction of its own unless already applied."""
    async with pool.acquire() as conn, conn.transaction():
        return await apply_on(conn, topic, env, handler)


async def park(db: asyncpg.Pool | asyncpg.Connection, record: ConsumerRecord,
               reason: str, community: str | None = None) -> None:
    """Keep a record that cannot be applied, with the reason, for an operator."""
    log.error("parking %s[%s]@%s: %s", record.topic, record.partition, record.offset, reason)
    headers = {k: v.decode("utf-8", "replace") for k, v in (record.headers or ())}
    await db.execute(
        """INSERT INTO dead_letters (topic, partition, "offset", key, headers, value, reason,
                                     community)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
           ON CONFLICT (topic, partition, "offset") DO NOTHING""",
        record.topic, record.partition, record.offset, record.key, headers, record.value,
        reason[:2000], community)


async def _apply_batch(conn: asyncpg.Connection, records: list[ConsumerRecord],
                       handler: Handler) -> list[str]:
    outcomes = []
    for record in records:
        try:
            env = codec.from_kafka(record.headers or [], record.key, record.value or b"")
        except codec.MalformedEvent as exc:
            await park(conn, record, f"malformed: {exc}")
            outcomes.append("parked")
            continue
        try:
            async with conn.transaction():  # a savepoint: this event's effect alone
                applied = await apply_on(conn, record.topic, env, handler)
            outcomes.append("applied" if applied else "duplicate")
        except TRANSIENT:
            raise
        except Exception as exc:
            if conn.is_closed():
                raise
            community = env.data.get("community")
            await park(conn, record, f"handler failed on {env.type} {env.id}: "
                                     f"{type(exc).__name__}: {exc}",
                       community if isinstance(community, str) else None)
            outcomes.append("parked")
    return outcomes


async def process_batch(pool: asyncpg.Pool, records: list[ConsumerRecord], handler: Handler,
                        *, attempts: int = 5) -> list[str]:
    """Apply records of one partition in one transaction; an outcome per record:
    `applied`, `duplicate` or `parked`. Transient errors retry the whole batch, then raise."""
    async for attempt in AsyncRetrying(
        retry=retry_if_exception_type(TRANSIENT), stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=0.05, max=2), reraise=True,
    ):
        with attempt:
            async with pool.acquire() as conn, conn.transaction():
                return await _apply_batch(conn, records, handler)
    raise AssertionError("unreachable")


async def process_record(pool: asyncpg.Pool, record: ConsumerRecord, handler: Handler, *,
                         attempts: int = 5) -> str:
    """Decode and apply one record; the outcome is `applied`, `duplicate` or `parked`."""
    return (await process_batch(pool, [record], handler, attempts=attempts))[0]
