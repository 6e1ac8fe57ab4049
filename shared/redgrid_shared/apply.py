"""Applying consumed records: event in -> handler effect + processed(event_id), in one
transaction with the effect. A polled batch of one partition is applied in ONE transaction
(one commit, one fsync), and each event keeps its own dedupe row and its own fate: a record
that cannot be parsed, or whose handler rejects it, is parked in dead_letters with the reason
while the rest of the batch commits. A transient database error stops the whole batch, which
is then retried; nothing is parked for an outage.

Two passes. The first is optimistic: one statement claims the dedupe rows of the whole batch,
the handler runs over the fresh events with no savepoints (a `Batched` handler takes them all
at once), and the batch commits. If any handler rejects an event, that pass is rolled back and
the second, careful pass applies the records one by one, each in a savepoint of its own, so
only the rejected event is parked. A batch without bad events costs one round trip for its
dedupe rows instead of three per event.
"""

import logging
from collections.abc import Awaitable, Callable, Sequence

import asyncpg
from aiokafka import ConsumerRecord
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from redgrid_shared import codec
from redgrid_shared.events import Envelope

log = logging.getLogger(__name__)
Handler = Callable[[asyncpg.Connection, Envelope], Awaitable[None]]
ManyHandler = Callable[[asyncpg.Connection, Sequence[Envelope]], Awaitable[None]]
# Errors that say nothing about the event: the database restarted, refused or dropped the
# connection, or a concurrent writer won. They are retried, never parked.
TRANSIENT = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
             asyncpg.exceptions.OperatorInterventionError,
             asyncpg.exceptions.InsufficientResourcesError, asyncpg.SerializationError,
             asyncpg.DeadlockDetectedError, OSError, TimeoutError)


class Batched:
    """A handler that applies a batch's fresh events in one call (e.g. to re-derive each
    touched read model once per batch instead of once per event). Called with one event it
    behaves like any handler, so re-applying a dead letter needs nothing special."""

    def __init__(self, many: ManyHandler):
        self.many = many

    async def __call__(self, conn: asyncpg.Connection, env: Envelope) -> None:
        await self.many(conn, [env])


class _Rejected(Exception):
    """A handler refused an event during the optimistic pass: apply one by one instead."""


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


async def _decode_or_park(conn: asyncpg.Connection, records: list[ConsumerRecord],
                          outcomes: list[str]) -> list[tuple[int, ConsumerRecord, Envelope]]:
    """Decode each record; one that is not a valid event is parked and has its outcome
    already. The rest come back with their outcome slot (`outcomes` gets a placeholder)."""
    decoded = []
    for record in records:
        try:
            env = codec.from_kafka(record.headers or [], record.key, record.value or b"")
        except codec.MalformedEvent as exc:
            await park(conn, record, f"malformed: {exc}")
            outcomes.append("parked")
            continue
        decoded.append((len(outcomes), record, env))
        outcomes.append("duplicate")
    return decoded


async def _apply_together(conn: asyncpg.Connection, records: list[ConsumerRecord],
                          handler: Handler) -> list[str]:
    """The optimistic pass: raises `_Rejected` if any handler refuses an event."""
    outcomes: list[str] = []
    firsts: dict = {}  # event id -> (outcome slot, topic, envelope) of its first copy
    for i, record, env in await _decode_or_park(conn, records, outcomes):
        firsts.setdefault(env.id, (i, record.topic, env))
    todo = list(firsts.values())
    fresh = set(await conn.fetchval(
        """WITH claimed AS (
               INSERT INTO processed_events (event_id, topic, event_type)
               SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])
               ON CONFLICT (event_id) DO NOTHING RETURNING event_id)
           SELECT coalesce(array_agg(event_id), '{}') FROM claimed""",
        [env.id for _, _, env in todo], [topic for _, topic, _ in todo],
        [env.type for _, _, env in todo]))
    chosen: list[Envelope] = []
    for i, _, env in todo:
        if env.id in fresh:
            outcomes[i] = "applied"
            chosen.append(env)
    try:
        if isinstance(handler, Batched):
            if chosen:
                await handler.many(conn, chosen)
        else:
            for env in chosen:
                await handler(conn, env)
    except TRANSIENT:
        raise
    except Exception as exc:
        if conn.is_closed():
            raise
        raise _Rejected from exc
    return outcomes


async def _apply_one_by_one(conn: asyncpg.Connection, records: list[ConsumerRecord],
                            handler: Handler) -> list[str]:
    """The careful pass: a savepoint per event, so a rejected event is parked alone."""
    outcomes: list[str] = []
    for i, record, env in await _decode_or_park(conn, records, outcomes):
        try:
            async with conn.transaction():  # a savepoint: this event's effect alone
                applied = await apply_on(conn, record.topic, env, handler)
            outcomes[i] = "applied" if applied else "duplicate"
        except TRANSIENT:
            raise
        except Exception as exc:
            if conn.is_closed():
                raise
            community = env.data.get("community")
            await park(conn, record, f"handler failed on {env.type} {env.id}: "
                                     f"{type(exc).__name__}: {exc}",
                       community if isinstance(community, str) else None)
            outcomes[i] = "parked"
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
            async with pool.acquire() as conn:
                try:
                    async with conn.transaction():
                        return await _apply_together(conn, records, handler)
                except _Rejected as rejected:
                    log.info("a handler refused an event of a batch of %d (%s); applying "
                             "them one by one", len(records), rejected.__cause__)
                async with conn.transaction():
                    return await _apply_one_by_one(conn, records, handler)
    raise AssertionError("unreachable")


async def process_record(pool: asyncpg.Pool, record: ConsumerRecord, handler: Handler, *,
                         attempts: int = 5) -> str:
    """Decode and apply one record; the outcome is `applied`, `duplicate` or `parked`."""
    return (await process_batch(pool, [record], handler, attempts=attempts))[0]
