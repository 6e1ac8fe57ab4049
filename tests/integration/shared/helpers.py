"""Helpers for the shared integration tests: seed events, read a topic to its end."""

import time
import uuid

from aiokafka import AIOKafkaConsumer, TopicPartition

from redgrid_shared import codec, events
from redgrid_shared.eventstore import PgEventStore


async def seed(pool, count: int, *, topic: str, tag: str) -> set[str]:
    """Append `count` events across a few streams; returns their ids."""
    ids: set[str] = set()
    async with pool.acquire() as conn, conn.transaction():
        store = PgEventStore(conn)
        for i in range(count):
            stream = f"{tag}-{i % 7}"
            data = events.IssueUnroutable(issue_id=stream, community=tag, building=str(i),
                                          reason="seed")
            env = events.envelope(data, service="test", subject=stream)
            await store.append(stream, await store.version(stream), [env], topic=topic)
            ids.add(str(env.id))
    return ids


async def read_topic(bootstrap: str, topic: str, *, idle_seconds: float = 1.0,
                     timeout_seconds: float = 60) -> list:
    """Every record currently in a topic: read until caught up and quiet for `idle_seconds`.

    Caught up is measured against the larger of end_offsets() and the fetched highwater:
    Tansu's end_offsets() can report less than the log holds after batched produces.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                group_id=None, auto_offset_reset="earliest")
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        if not partitions:
            await consumer.client.force_metadata_update()
            partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        mark: dict[TopicPartition, int] = {}
        records, deadline = [], time.monotonic() + timeout_seconds
        quiet_since = time.monotonic()
        while True:
            batches = await consumer.getmany(timeout_ms=200)
            for batch in batches.values():
                records.extend(batch)
            if any(batches.values()):
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= idle_seconds:
                ends = await consumer.end_offsets(partitions)
                mark = {tp: max(mark.get(tp, 0), ends.get(tp) or 0, consumer.highwater(tp) or 0)
                        for tp in partitions}
                if all([await consumer.position(tp) >= mark[tp] for tp in partitions]):
                    return records
            if time.monotonic() > deadline:
                raise TimeoutError(f"{topic} not caught up after {timeout_seconds}s")
    finally:
        await consumer.stop()


def decoded(records) -> list[events.Envelope]:
    """The records that are events; the shared topics also carry other tests' garbage."""
    out = []
    for r in records:
        try:
            out.append(codec.from_kafka(r.headers, r.key, r.value))
        except codec.MalformedEvent:
            pass
    return out


def envelopes_with_tag(records, tag: str) -> list[events.Envelope]:
    """Decode records and keep those seeded with `tag` as community."""
    return [env for env in decoded(records) if env.data.get("community") == tag]


def new_tag() -> str:
    return f"t{uuid.uuid4().hex[:10]}"
