"""Raw baselines measured in the same run as the system: what the database and the broker
can do for a client that does nothing else. Only same-run ratios mean anything on a shared
machine, so `make bench` prints the system's figures as fractions of these."""

from __future__ import annotations

import asyncio
import os
import time
import uuid

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.structs import TopicPartition

from redgrid_dev.bench_report import percentiles

ROW = "x" * 1000  # ~1 KB, about the size of a stored event and its read-model row


async def asyncpg_transactions(database_url: str, *, connections: int = 16,
                               seconds: float = 5.0) -> dict:
    """Transactions per second, each inserting two ~1 KB rows, from `connections` clients."""
    table = f"bench_raw_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(database_url)
    await admin.execute(f"CREATE TABLE {table} (id bigserial PRIMARY KEY, k text, body text)")
    pool = await asyncpg.create_pool(database_url, min_size=connections, max_size=connections)
    done, latencies = 0, []
    stop_at = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal done
        async with pool.acquire() as conn:
            while time.perf_counter() < stop_at:
                t0 = time.perf_counter()
                async with conn.transaction():
                    await conn.execute(f"INSERT INTO {table} (k, body) VALUES ($1, $2)", "a", ROW)
                    await conn.execute(f"INSERT INTO {table} (k, body) VALUES ($1, $2)", "b", ROW)
                latencies.append(time.perf_counter() - t0)
                done += 1

    start = time.perf_counter()
    try:
        await asyncio.gather(*(client() for _ in range(connections)))
        elapsed = time.perf_counter() - start
    finally:
        await pool.close()
        await admin.execute(f"DROP TABLE {table}")
        await admin.close()
    return {"connections": connections, "transactions": done,
            "per_second": round(done / elapsed, 1), "latency_ms": percentiles(latencies)}


async def kafka_produce_consume(bootstrap: str, *, records: int = 20000, size: int = 1000,
                                fetch_max_wait_ms: int = 500, hop_wait_ms: int = 5) -> dict:
    """Records/s produced (acks=all, pipelined) and consumed back, on a fresh 3-partition
    topic; and one record's produce->consume round trip, one at a time."""
    topic = f"bench.raw.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    finally:
        await admin.close()
    value = os.urandom(size // 2).hex().encode()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
    await producer.start()
    try:
        start = time.perf_counter()
        sends = [await producer.send(topic, value=value, key=str(i % 64).encode())
                 for i in range(records)]
        await asyncio.gather(*sends)
        produced = records / (time.perf_counter() - start)
        consumed = await _consume_all(bootstrap, topic, records, fetch_max_wait_ms)
        hop = await _round_trips(bootstrap, producer, topic, 200, hop_wait_ms)
    finally:
        await producer.stop()
    return {"records": records, "record_bytes": size, "produce_per_second": round(produced, 1),
            "consume_per_second": round(consumed, 1), "round_trip_ms": percentiles(hop)}


async def _consume_all(bootstrap: str, topic: str, expected: int, wait_ms: int) -> float:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False,
                                fetch_max_wait_ms=wait_ms, max_poll_records=1000)
    await consumer.start()
    try:
        got, start = 0, time.perf_counter()
        while got < expected:
            batches = await consumer.getmany(timeout_ms=1000)
            got += sum(len(b) for b in batches.values())
        return got / (time.perf_counter() - start)
    finally:
        await consumer.stop()


async def _round_trips(bootstrap: str, producer: AIOKafkaProducer, topic: str, n: int,
                       wait_ms: int) -> list[float]:
    """Send one record, wait until a consumer at the end of the partition sees it; n times."""
    tp = TopicPartition(topic, 0)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False, fetch_max_wait_ms=wait_ms)
    await consumer.start()
    try:
        consumer.assign([tp])
        await consumer.seek_to_end(tp)
        await consumer.position(tp)
        times = []
        for i in range(n):
            t0 = time.perf_counter()
            await (await producer.send(topic, value=b"ping", partition=0))
            while not (await consumer.getmany(tp, timeout_ms=2000)).get(tp):
                pass
            times.append(time.perf_counter() - t0)
        return times
    finally:
        await consumer.stop()
