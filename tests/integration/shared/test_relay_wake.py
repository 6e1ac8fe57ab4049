"""How an append wakes the outbox relay: directly when the lock-holding relay runs in this
process, through NOTIFY otherwise (another replica's relay listens)."""

import asyncio
import contextlib
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaProducer

from redgrid_shared.eventstore import notify_channel
from redgrid_shared.relay import OutboxRelay
from redgrid_shared.topics import INTAKE_EVENTS
from tests.integration.shared.conftest import svc_pool
from tests.integration.shared.helpers import envelopes_with_tag, new_tag, read_topic, seed

DEADLINE = 30


async def _until(check, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + DEADLINE
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, what
        await asyncio.sleep(0.01)


async def _unpublished(pool, tag: str | None = None) -> int:
    if tag is None:
        return await pool.fetchval("SELECT count(*) FROM events WHERE published_at IS NULL")
    return await pool.fetchval("SELECT count(*) FROM events WHERE published_at IS NULL "
                               "AND data->>'community' = $1", tag)


async def _listener(url: str) -> tuple[asyncpg.Connection, list]:
    conn, heard = await asyncpg.connect(url, server_settings={"search_path": "svc"}), []
    await conn.add_listener(notify_channel("svc"), lambda *args: heard.append(args))
    return conn, heard


@contextlib.asynccontextmanager
async def _relay_running(url: str, bootstrap: str):
    """The outbox relay of schema `svc` on `url`, running in this process."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    # An hour between polls: only a wake-up can make it publish within a test.
    relay = OutboxRelay(database_url=url, schema="svc", producer=producer, poll_seconds=3600)
    task = asyncio.create_task(relay.run())
    try:
        yield
    finally:
        relay.stop()
        await asyncio.wait_for(task, DEADLINE)
        await producer.stop()


def _notified(listener: asyncpg.Connection, heard: list):
    async def check() -> bool:
        await listener.fetchval("SELECT 1")  # a NOTIFY committed before is delivered by now
        return bool(heard)
    return check


async def test_a_relay_in_this_process_is_woken_directly_and_no_notify_is_sent(
        pool, kafka_bootstrap, fresh_database_url):
    # A backlog of our own: on a fresh database "nothing unpublished" holds before the relay
    # has even connected, and an append then rightly NOTIFYs. The relay publishes only after
    # taking the lock and registering (relay_here), so a drained backlog proves both.
    await seed(pool, 1, topic=INTAKE_EVENTS, tag=new_tag())
    async with _relay_running(fresh_database_url, kafka_bootstrap):
        await _until(lambda: _unpublished_is_zero(pool), "the relay never drained the backlog")
        # Listening only now: the backlog's own NOTIFY went out before the relay ran.
        listener, heard = await _listener(fresh_database_url)
        try:
            tag = new_tag()
            ids = await seed(pool, 3, topic=INTAKE_EVENTS, tag=tag)
            await _until(lambda: _unpublished_is_zero(pool, tag),
                         "the append did not wake the relay")
            assert not await _notified(listener, heard)()
        finally:
            await listener.close()
    delivered = envelopes_with_tag(await read_topic(kafka_bootstrap, INTAKE_EVENTS), tag)
    assert {str(e.id) for e in delivered} == ids


async def test_without_a_relay_in_this_process_the_release_sends_notify(pool,
                                                                         fresh_database_url):
    listener, heard = await _listener(fresh_database_url)
    try:
        tag = new_tag()
        await seed(pool, 2, topic=INTAKE_EVENTS, tag=tag)
        assert await _unpublished(pool, tag) == 2
        await _until(_notified(listener, heard),
                     "no NOTIFY after the append's connection went back to the pool")
        assert heard[0][2] == notify_channel("svc")
    finally:
        await listener.close()


async def _unpublished_is_zero(pool, tag: str | None = None) -> bool:
    return await _unpublished(pool, tag) == 0


async def test_a_relay_of_another_database_with_the_same_schema_is_not_woken_instead(
        pool, kafka_bootstrap, fresh_database_url, make_database, tmp_path_factory):
    # The neighbour: another database whose outbox is also schema "svc", relayed here.
    other_url = await make_database("relay-neighbour")
    other = await svc_pool(other_url, Path(tmp_path_factory.mktemp("no_service_sql")),
                           max_size=2)
    listener, heard = await _listener(fresh_database_url)
    try:
        async with _relay_running(other_url, kafka_bootstrap):
            # One event through the neighbour's relay: it holds the lock, waits for wake-ups.
            await seed(other, 1, topic=INTAKE_EVENTS, tag=new_tag())
            await _until(lambda: _unpublished_is_zero(other),
                         "the neighbour's relay never started")
            await seed(pool, 1, topic=INTAKE_EVENTS, tag=new_tag())
            # This database's relay runs elsewhere: it must hear of the append by NOTIFY.
            await _until(_notified(listener, heard),
                         "the append woke the neighbour's relay instead of notifying")
    finally:
        await listener.close()
        await other.close()


async def test_a_new_connection_does_not_inherit_a_wake_up_left_under_its_backend_pid(
        fresh_database_url):
    # A connection whose release skipped the reset (closed, or at max_queries) leaves its
    # entry behind; PostgreSQL may give its pid to a later connection.
    from redgrid_shared import db, eventstore
    conn = await asyncpg.connect(fresh_database_url)
    try:
        eventstore._notify_on_release[conn.get_server_pid()] = "elsewhere/svc"
        await db.init_connection(conn)
        assert conn.get_server_pid() not in eventstore._notify_on_release
    finally:
        await conn.close()
