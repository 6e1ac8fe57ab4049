"""Helpers for the shared integration tests: seed events, read a topic to its end."""

import uuid

from aiokafka import AIOKafkaConsumer

from redgrid_shared import codec, events, logreader
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
    """Every record currently in a topic (see `redgrid_shared.logreader` for "currently")."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                group_id=None, auto_offset_reset="earliest")
    records: list = []

    async def keep(batch) -> None:
        records.extend(batch)

    await consumer.start()
    try:
        partitions = await logreader.partitions_of(consumer, (topic,))
        await logreader.read_to_end(consumer, partitions, keep, idle_seconds=idle_seconds,
                                    timeout_seconds=timeout_seconds)
        return records
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


def records_of(envs, *, topic: str, partition: int) -> list:
    """Consumer records as the loop gets them, at fresh offsets of a made-up partition."""
    base = int(uuid.uuid4().int % 10**9)
    out = []
    for i, env in enumerate(envs):
        m = codec.to_kafka(env)
        out.append(type("Record", (), {"topic": topic, "partition": partition,
                                       "offset": base + i, "key": m.key.encode(),
                                       "value": m.value, "headers": list(m.headers.items())}))
    return out

