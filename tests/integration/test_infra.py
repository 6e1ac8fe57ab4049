"""The test infrastructure itself: PostgreSQL answers, fresh databases are isolated, the broker round-trips."""

import asyncio
import uuid

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from redgrid_dev.broker import ensure_topics, topic_names


async def test_postgres_answers_a_query(database_url):
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT current_database()") == database_url.rsplit("/", 1)[-1]
        assert await conn.fetchval("SELECT $1::int + 1", 41) == 42
    finally:
        await conn.close()


async def test_fresh_database_is_separate_from_the_shared_one(fresh_database_url, database_url):
    shared = await asyncpg.connect(database_url)
    fresh = await asyncpg.connect(fresh_database_url)
    try:
        table = f"probe_{uuid.uuid4().hex[:8]}"
        await fresh.execute(f"CREATE TABLE {table} (id int)")
        assert await shared.fetchval("SELECT to_regclass($1)", table) is None
        assert await fresh.fetchval("SELECT to_regclass($1)::text", table) == table
    finally:
        await fresh.close()
        await shared.close()


async def test_service_topics_exist_with_three_partitions(kafka_bootstrap):
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(list(topic_names()))
    finally:
        await admin.close()
    assert {t["topic"]: len(t["partitions"]) for t in described} == {name: 3 for name in topic_names()}


async def test_broker_delivers_a_produced_record_to_a_new_group_from_earliest(kafka_bootstrap):
    # A topic of its own: the services' topics must carry only real events.
    topic = f"redgrid.test.infra-{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka_bootstrap, (topic,))
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        sent = await producer.send_and_wait(topic, b"hello", key=b"issue-1")
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=kafka_bootstrap, group_id=f"test-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest", enable_auto_commit=False,
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), timeout=20)
        tp = TopicPartition(topic, record.partition)
        await consumer.commit()
        committed = await consumer.committed(tp)
    finally:
        await consumer.stop()
    assert (record.key, record.value) == (b"issue-1", b"hello")
    assert (record.partition, record.offset) == (sent.partition, sent.offset)
    assert committed == record.offset + 1
