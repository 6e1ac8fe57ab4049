"""Outbox relay: publishes committed events to Kafka in position order, then marks them.

One replica at a time holds an advisory lock and relays; the others wait to take over.
Wake-ups: an append committed on a pooled connection of this process wakes the relay
directly (eventstore.relay_here); other writers (another process, a plain connection,
republish) send NOTIFY, which the lock holder LISTENs to; a poll catches anything missed.
A crash between send and mark re-sends on restart: at-least-once, and consumers dedupe
by event id. Per-stream order holds because a stream's versions get rising positions and
each batch goes out in position order, awaited before the next.
"""

import asyncio
import logging

import asyncpg
from aiokafka import AIOKafkaProducer
from prometheus_client import Counter

from redgrid_shared import codec, db
from redgrid_shared.eventstore import (OUTBOX_SQL, notify_channel, relay_gone, relay_here,
                                       to_stored)

log = logging.getLogger(__name__)
PUBLISHED = Counter("redgrid_relay_published_total", "Events published by the outbox relay",
                    ["service"])
BATCH = 500


async def publish_pending(conn: asyncpg.Connection, producer: AIOKafkaProducer, *,
                          limit: int = BATCH) -> int:
    """Send one batch of unpublished events and mark them; returns how many were sent."""
    rows = await conn.fetch(
        """SELECT stream_id, version, position, event_id, type, source, subject, data,
                  occurred_at, recorded_at, topic
           FROM events WHERE published_at IS NULL ORDER BY position LIMIT $1""", limit)
    if not rows:
        return 0
    sends = []
    for row in rows:
        message = codec.to_kafka(to_stored(row).envelope)
        key = message.key.encode() if isinstance(message.key, str) else message.key
        sends.append(await producer.send(
            row["topic"], value=message.value, key=key, headers=list(message.headers.items())))
    await asyncio.gather(*sends)  # every record acknowledged before any is marked
    await conn.execute("UPDATE events SET published_at = now() WHERE position = ANY($1::bigint[])",
                       [r["position"] for r in rows])
    return len(rows)


class OutboxRelay:
    """Background task publishing a service's outbox for as long as the service runs."""

    def __init__(self, *, database_url: str, schema: str, producer: AIOKafkaProducer,
                 poll_seconds: float = 1.0):
        self._url, self._schema, self._producer = database_url, schema, producer
        self._poll = poll_seconds
        self._wake = asyncio.Event()
        self._stopping = False

    async def run(self) -> None:
        """Relay until stopped; reconnect and retry on any failure."""
        while not self._stopping:
            try:
                await self._run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay for %s failed; retrying", self._schema)
                await asyncio.sleep(self._poll)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def _run_once(self) -> None:
        # synchronous_commit off: the published mark need not wait for a WAL flush (~2 ms
        # here). A crash may forget a mark; the event is then sent again, which consumers
        # dedupe, exactly as after a crash between send and mark.
        conn = await asyncpg.connect(self._url, server_settings={
            "search_path": self._schema, "synchronous_commit": "off",
            "application_name": f"{self._schema}-relay"})
        outbox: str | None = None
        try:
            # Session-level lock: held while this connection lives, freed if the process dies.
            while not await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))",
                                          f"relay:{self._schema}"):
                if self._stopping:
                    return
                await asyncio.sleep(self._poll)
            await conn.add_listener(notify_channel(self._schema), lambda *_: self._wake.set())
            await db.init_connection(conn)
            outbox = await conn.fetchval(OUTBOX_SQL)
            relay_here(outbox, self._wake.set)
            while not self._stopping:
                self._wake.clear()
                sent = await publish_pending(conn, self._producer)
                PUBLISHED.labels(self._schema).inc(sent)
                if sent < BATCH:
                    try:
                        await asyncio.wait_for(self._wake.wait(), self._poll)
                    except TimeoutError:
                        pass
        finally:
            if outbox is not None:
                relay_gone(outbox, self._wake.set)
            await conn.close()
