import asyncio
import uuid

from aiokafka import AIOKafkaProducer

from redgrid_shared import codec, events
from redgrid_shared.consumer import ConsumerLoop, process_record
from redgrid_shared.topics import DISPATCH_EVENTS
from tests.integration.shared.helpers import new_tag, records_of

# A crashed member that never left is noticed after its session times out.
FAST_GROUP = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 500}


async def _counter_handler(conn, env):
    """Deliberately not idempotent on its own: only the dedupe row can save it."""
    await conn.execute(
        """INSERT INTO effect_counts (tag, n) VALUES ($1, 1)
           ON CONFLICT (tag) DO UPDATE SET n = effect_counts.n + 1""", env.data["community"])


async def _produce(bootstrap, envs, *, extra_raw: list[bytes] = ()):
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for raw in extra_raw:
            await producer.send_and_wait(DISPATCH_EVENTS, raw, key=b"garbage")
        for env in envs:
            m = codec.to_kafka(env)
            await producer.send_and_wait(DISPATCH_EVENTS, m.value, key=m.key.encode(),
                                         headers=list(m.headers.items()))
    finally:
        await producer.stop()


def _events(tag, n):
    return [events.envelope(events.IssueUnroutable(issue_id=f"{tag}-{i}", community=tag,
                                                   building="b", reason="r"),
                            service="test", subject=f"{tag}-{i}") for i in range(n)]


async def _count(pool, tag):
    return await pool.fetchval("SELECT n FROM effect_counts WHERE tag = $1", tag) or 0


async def _run_until(loop: ConsumerLoop, predicate, timeout=30.0):
    task = asyncio.create_task(loop.run())
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while not await predicate():
            assert asyncio.get_running_loop().time() < deadline, "consumer never caught up"
            assert not task.done(), task
            await asyncio.sleep(0.02)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_crash_between_effect_and_offset_commit_causes_no_double_effect(pool,
                                                                               kafka_bootstrap):
    await pool.execute("CREATE TABLE IF NOT EXISTS effect_counts (tag text PRIMARY KEY, n int)")
    tag, group = new_tag(), f"crash-{uuid.uuid4().hex[:8]}"
    envs = _events(tag, 10)
    await _produce(kafka_bootstrap, envs)

    class CrashBeforeCommit(Exception):
        pass

    first = ConsumerLoop(pool=pool, bootstrap=kafka_bootstrap, group_id=group,
                         topics=(DISPATCH_EVENTS,), handler=_counter_handler, **FAST_GROUP)
    await first.start()

    real_commit = first._consumer.commit
    crashed = asyncio.Event()

    async def crash_once_ours_applied(offsets):
        # Other tests' records may precede ours on the shared topic: commit those normally,
        # then "die" after our first effect committed in Postgres but before its offset.
        if await _count(pool, tag) >= 1:
            crashed.set()
            raise CrashBeforeCommit
        await real_commit(offsets)

    first._consumer.commit = crash_once_ours_applied
    task = asyncio.create_task(first.run())
    try:
        await asyncio.wait_for(crashed.wait(), 30)
    finally:
        task.cancel()  # the process is gone: no further commit, no clean hand-over
        await asyncio.gather(task, return_exceptions=True)
        await first.stop()
    applied_before_crash = await _count(pool, tag)
    assert applied_before_crash >= 1

    second = ConsumerLoop(pool=pool, bootstrap=kafka_bootstrap, group_id=group,
                          topics=(DISPATCH_EVENTS,), handler=_counter_handler, **FAST_GROUP)
    await second.start()
    try:
        async def all_seen():
            return await pool.fetchval(
                "SELECT count(*) FROM processed_events WHERE event_id = ANY($1::uuid[])",
                [e.id for e in envs]) == len(envs)
        await _run_until(second, all_seen)
    finally:
        await second.stop()
    assert await _count(pool, tag) == len(envs)


async def test_a_malformed_record_is_parked_and_the_next_event_still_applies(pool,
                                                                             kafka_bootstrap):
    await pool.execute("CREATE TABLE IF NOT EXISTS effect_counts (tag text PRIMARY KEY, n int)")
    tag, group = new_tag(), f"bad-{uuid.uuid4().hex[:8]}"
    garbage = f"not a cloudevent {tag}".encode()
    await _produce(kafka_bootstrap, _events(tag, 1), extra_raw=[garbage])
    loop = ConsumerLoop(pool=pool, bootstrap=kafka_bootstrap, group_id=group,
                        topics=(DISPATCH_EVENTS,), handler=_counter_handler)
    await loop.start()
    try:
        async def applied_and_parked():
            # Different keys, maybe different partitions: either may be handled first.
            return await _count(pool, tag) == 1 and await pool.fetchval(
                "SELECT count(*) FROM dead_letters WHERE value = $1", garbage) == 1
        await _run_until(loop, applied_and_parked)
    finally:
        await loop.stop()
    reason = await pool.fetchval("SELECT reason FROM dead_letters WHERE value = $1", garbage)
    assert reason and reason.startswith("malformed")


async def test_a_handler_failure_parks_the_event_with_its_reason(pool):
    env = _events(new_tag(), 1)[0]
    m = codec.to_kafka(env)

    class Record:
        topic, partition, offset = DISPATCH_EVENTS, 99, int(uuid.uuid4().int % 10**9)
        key, value, headers = m.key.encode(), m.value, list(m.headers.items())

    async def broken(conn, env):
        await conn.execute("INSERT INTO effect_counts (tag, n) VALUES ('half-written', 1)")
        raise RuntimeError("bug in handler")

    await pool.execute("CREATE TABLE IF NOT EXISTS effect_counts (tag text PRIMARY KEY, n int)")
    assert await process_record(pool, Record, broken) == "parked"
    assert await pool.fetchval("SELECT count(*) FROM effect_counts WHERE tag='half-written'") == 0
    assert await pool.fetchval("SELECT count(*) FROM processed_events WHERE event_id=$1",
                               env.id) == 0
    assert "bug in handler" in await pool.fetchval(
        "SELECT reason FROM dead_letters WHERE partition = 99 AND \"offset\" = $1", Record.offset)


async def test_two_replicas_in_one_group_apply_every_event_exactly_once(pool, kafka_bootstrap):
    await pool.execute("CREATE TABLE IF NOT EXISTS effect_counts (tag text PRIMARY KEY, n int)")
    tag, group = new_tag(), f"replicas-{uuid.uuid4().hex[:8]}"
    envs = _events(tag, 60)
    await _produce(kafka_bootstrap, envs[:30])
    replicas = [ConsumerLoop(pool=pool, bootstrap=kafka_bootstrap, group_id=group,
                             topics=(DISPATCH_EVENTS,), handler=_counter_handler, **FAST_GROUP)
                for _ in range(2)]
    await replicas[0].start()
    tasks = [asyncio.create_task(replicas[0].run())]
    try:
        await _produce(kafka_bootstrap, envs[30:45])
        await replicas[1].start()  # joins mid-stream: a rebalance while records flow
        tasks.append(asyncio.create_task(replicas[1].run()))
        await _produce(kafka_bootstrap, envs[45:])
        deadline = asyncio.get_running_loop().time() + 60
        while await pool.fetchval(
                "SELECT count(*) FROM processed_events WHERE event_id = ANY($1::uuid[])",
                [e.id for e in envs]) < len(envs):
            assert asyncio.get_running_loop().time() < deadline, "replicas never caught up"
            assert not any(t.done() for t in tasks), [t for t in tasks if t.done()]
            await asyncio.sleep(0.05)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for replica in replicas:
            await replica.stop()
    assert await _count(pool, tag) == len(envs)


async def test_one_failing_event_in_a_batch_is_parked_and_the_others_commit_once(pool):
    from redgrid_shared.consumer import process_batch

    await pool.execute("CREATE TABLE IF NOT EXISTS effect_counts (tag text PRIMARY KEY, n int)")
    tag = new_tag()
    envs = _events(tag, 5)
    records = records_of(envs, topic=DISPATCH_EVENTS, partition=98)
    bad_id = envs[2].id

    async def picky(conn, env):
        await _counter_handler(conn, env)
        if env.id == bad_id:
            raise ValueError("cannot apply this one")

    outcomes = await process_batch(pool, records, picky)
    assert outcomes == ["applied", "applied", "parked", "applied", "applied"]
    assert await _count(pool, tag) == 4  # the parked event's effect was rolled back alone
    assert await pool.fetchval("SELECT count(*) FROM processed_events WHERE event_id=$1",
                               bad_id) == 0
    # The same batch again (a redelivery) changes nothing and parks nothing new.
    again = await process_batch(pool, records, picky)
    assert again.count("duplicate") == 4 and await _count(pool, tag) == 4
    assert await pool.fetchval("SELECT count(*) FROM dead_letters WHERE partition = 98 AND "
                               "\"offset\" = $1", records[2].offset) == 1



async def test_a_batched_handler_gets_the_fresh_events_of_a_batch_in_one_call(pool):
    from redgrid_shared.apply import Batched
    from redgrid_shared.consumer import process_batch

    await pool.execute("CREATE TABLE IF NOT EXISTS effect_counts (tag text PRIMARY KEY, n int)")
    tag, calls = new_tag(), []
    envs = _events(tag, 6)

    async def many(conn, batch):
        calls.append([e.id for e in batch])
        for env in batch:
            await _counter_handler(conn, env)

    handler = Batched(many)
    # the first two were applied before (a redelivery overlaps them); event 3 comes twice
    assert await process_batch(pool, records_of(envs[:2], topic=DISPATCH_EVENTS, partition=97),
                               handler) == ["applied"] * 2
    calls.clear()
    records = records_of(envs[:4] + [envs[3]] + envs[4:], topic=DISPATCH_EVENTS, partition=97)
    outcomes = await process_batch(pool, records, handler)
    assert outcomes == ["duplicate", "duplicate", "applied", "applied", "duplicate",
                        "applied", "applied"]
    assert calls == [[e.id for e in envs[2:]]]  # once, the fresh ones, in log order
    assert await _count(pool, tag) == 6


async def test_a_batched_handler_that_rejects_one_event_parks_only_that_one(pool):
    from redgrid_shared.apply import Batched
    from redgrid_shared.consumer import process_batch

    await pool.execute("CREATE TABLE IF NOT EXISTS effect_counts (tag text PRIMARY KEY, n int)")
    tag = new_tag()
    envs = _events(tag, 5)
    bad_id, sizes = envs[1].id, []

    async def many(conn, batch):
        sizes.append(len(batch))
        for env in batch:
            await _counter_handler(conn, env)
            if env.id == bad_id:
                raise ValueError("cannot apply this one")

    records = records_of(envs, topic=DISPATCH_EVENTS, partition=96)
    outcomes = await process_batch(pool, records, Batched(many))
    assert outcomes == ["applied", "parked", "applied", "applied", "applied"]
    assert sizes == [5, 1, 1, 1, 1, 1]  # the whole batch, then one by one
    assert await _count(pool, tag) == 4  # the rolled-back first pass left nothing behind
    assert await pool.fetchval("SELECT count(*) FROM processed_events WHERE event_id = ANY($1)",
                               [e.id for e in envs]) == 4
    assert "cannot apply this one" in await pool.fetchval(
        "SELECT reason FROM dead_letters WHERE partition = 96 AND \"offset\" = $1",
        records[1].offset)
