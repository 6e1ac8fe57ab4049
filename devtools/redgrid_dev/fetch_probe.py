"""`python -m redgrid_dev fetch_probe`: how a broker answers consumer fetches.

Times every FetchRequest an aiokafka consumer sends (by wrapping its client's `send`), in
four situations: an idle partition, a record arriving in the middle of a waiting fetch,
a large `fetch_min_bytes`, and a backlog (records per fetch). Runs against
$KAFKA_BOOTSTRAP_SERVERS, else a Tansu broker of its own. Findings: docs/benchmarks.md.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.structs import TopicPartition

from redgrid_dev.broker import TansuBroker


class FetchTimer:
    """Wraps a consumer's client so each FetchRequest's duration is recorded."""

    def __init__(self, consumer: AIOKafkaConsumer):
        self.durations: list[float] = []
        client = consumer._client
        original = client.send

        async def send(node_id, request, *args, **kwargs):
            if type(request).__name__.startswith("FetchRequest"):
                t0 = time.perf_counter()
                try:
                    return await original(node_id, request, *args, **kwargs)
                finally:
                    self.durations.append(time.perf_counter() - t0)
            return await original(node_id, request, *args, **kwargs)

        client.send = send

    def summary(self, seconds: float) -> dict:
        d = [x * 1000 for x in self.durations]
        return {"fetches_per_second": round(len(d) / seconds, 1),
                "fetch_ms_median": round(statistics.median(d), 1) if d else None,
                "fetch_ms_max": round(max(d), 1) if d else None}


async def _topic(bootstrap: str, partitions: int = 1) -> str:
    name = f"probe.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])
    finally:
        await admin.close()
    return name


async def _consumer(bootstrap: str, topic: str, **options) -> AIOKafkaConsumer:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False, **options)
    await consumer.start()
    tp = TopicPartition(topic, 0)
    consumer.assign([tp])
    await consumer.seek_to_end(tp)
    await consumer.position(tp)
    return consumer


async def idle(bootstrap: str, wait_ms: int, seconds: float = 3.0) -> dict:
    """An empty partition: does the broker hold the fetch for fetch_max_wait_ms?"""
    topic = await _topic(bootstrap)
    consumer = await _consumer(bootstrap, topic, fetch_max_wait_ms=wait_ms)
    timer = FetchTimer(consumer)
    try:
        await consumer.getmany(timeout_ms=int(seconds * 1000))
        return {"fetch_max_wait_ms": wait_ms, **timer.summary(seconds)}
    finally:
        await consumer.stop()


async def arrival(bootstrap: str, producer: AIOKafkaProducer, wait_ms: int, min_bytes: int = 1,
                  delay: float = 0.1, rounds: int = 10) -> dict:
    """A record produced `delay` s into a waiting fetch: how long until the consumer has it?"""
    topic = await _topic(bootstrap)
    consumer = await _consumer(bootstrap, topic, fetch_max_wait_ms=wait_ms,
                               fetch_min_bytes=min_bytes)
    tp = TopicPartition(topic, 0)
    seen = []
    try:
        for _ in range(rounds):
            await asyncio.sleep(delay)
            t0 = time.perf_counter()
            await (await producer.send(topic, value=b"x" * 100, partition=0))
            while not (await consumer.getmany(tp, timeout_ms=5000)).get(tp):
                pass
            seen.append((time.perf_counter() - t0) * 1000)
        return {"fetch_max_wait_ms": wait_ms, "fetch_min_bytes": min_bytes,
                "produce_to_consume_ms_median": round(statistics.median(seen), 1),
                "max": round(max(seen), 1)}
    finally:
        await consumer.stop()


async def backlog(bootstrap: str, producer: AIOKafkaProducer, records: int = 5000,
                  wait_ms: int = 500) -> dict:
    """Records waiting on one partition: how many does one fetch carry?"""
    topic = await _topic(bootstrap)
    sends = [await producer.send(topic, value=b"y" * 1000, partition=0) for _ in range(records)]
    await asyncio.gather(*sends)
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False, auto_offset_reset="earliest",
                                fetch_max_wait_ms=wait_ms, max_poll_records=100000)
    await consumer.start()
    timer = FetchTimer(consumer)
    per_poll, got = [], 0
    try:
        while got < records:
            batches = await consumer.getmany(timeout_ms=2000)
            n = sum(len(b) for b in batches.values())
            if n:
                per_poll.append(n)
            got += n
        return {"records": records, "record_bytes": 1000, "fetch_requests": len(timer.durations),
                "records_per_poll": per_poll[:10], "polls": len(per_poll)}
    finally:
        await consumer.stop()


async def probe(bootstrap: str) -> dict:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
    await producer.start()
    try:
        return {
            "idle": [await idle(bootstrap, w) for w in (10, 100, 500)],
            "arrival_mid_wait": [await arrival(bootstrap, producer, w) for w in (10, 100, 500)],
            "large_min_bytes": await arrival(bootstrap, producer, 500, min_bytes=100_000),
            "backlog": await backlog(bootstrap, producer),
        }
    finally:
        await producer.stop()


def main(argv: list[str]) -> int:
    """Run the probe and print its findings as JSON."""
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if bootstrap:
        print(json.dumps(asyncio.run(probe(bootstrap)), indent=2))
        return 0
    with TansuBroker(topics=()) as broker:
        print(json.dumps(asyncio.run(probe(broker.bootstrap)), indent=2))
    return 0
