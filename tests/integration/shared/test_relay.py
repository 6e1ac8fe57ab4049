import asyncio
import os
import signal
import subprocess
import sys
import textwrap

from aiokafka import AIOKafkaProducer

from redgrid_shared import relay
from redgrid_shared.topics import INTAKE_EVENTS
from tests.integration.shared.helpers import envelopes_with_tag, new_tag, read_topic, seed


class CrashingProducer:
    """Sends `survive` records for real, then dies as a killed process would."""

    def __init__(self, real: AIOKafkaProducer, survive: int):
        self._real, self._left = real, survive

    async def send(self, *args, **kwargs):
        if self._left == 0:
            raise ConnectionError("relay process killed mid-batch")
        self._left -= 1
        return await self._real.send(*args, **kwargs)


async def _relay_again_and_check(pool, bootstrap, tag, ids) -> None:
    """A fresh relay publishes what is left; every seeded event arrives, streams in order."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        async with pool.acquire() as conn:
            while await relay.publish_pending(conn, producer):
                pass
    finally:
        await producer.stop()
    delivered = envelopes_with_tag(await read_topic(bootstrap, INTAKE_EVENTS), tag)
    assert {str(e.id) for e in delivered} == ids
    assert _first_occurrences_in_stream_order(delivered)


def _first_occurrences_in_stream_order(envs) -> bool:
    seen, last = set(), {}
    for env in envs:
        if env.id in seen:
            continue
        seen.add(env.id)
        n = int(env.data["building"])
        if n < last.get(env.subject, -1):
            return False
        last[env.subject] = n
    return True


async def test_a_relay_dying_mid_batch_loses_nothing_and_keeps_stream_order(pool, kafka_bootstrap):
    tag = new_tag()
    ids = await seed(pool, 40, topic=INTAKE_EVENTS, tag=tag)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        async with pool.acquire() as conn:
            try:
                await relay.publish_pending(conn, CrashingProducer(producer, survive=15))
            except ConnectionError:
                pass
        assert await pool.fetchval("SELECT count(*) FROM events WHERE published_at IS NULL "
                                   "AND data->>'community' = $1", tag) == 40
    finally:
        await producer.stop()
    await _relay_again_and_check(pool, kafka_bootstrap, tag, ids)


RELAY_PROCESS = textwrap.dedent("""
    import asyncio, sys
    from aiokafka import AIOKafkaProducer
    from redgrid_shared.relay import OutboxRelay

    async def main(url, bootstrap):
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        await OutboxRelay(database_url=url, schema="svc", producer=producer).run()

    asyncio.run(main(sys.argv[1], sys.argv[2]))
""")


async def test_a_killed_relay_process_resumes_and_every_event_arrives(pool, kafka_bootstrap,
                                                                        fresh_database_url):
    tag = new_tag()
    await pool.execute("UPDATE events SET published_at = now() WHERE published_at IS NULL")
    ids = await seed(pool, 3000, topic=INTAKE_EVENTS, tag=tag)
    proc = subprocess.Popen([sys.executable, "-c", RELAY_PROCESS, fresh_database_url,
                             kafka_bootstrap], start_new_session=True)
    try:
        deadline = asyncio.get_running_loop().time() + 60
        while await pool.fetchval("SELECT count(*) FROM events WHERE published_at IS NOT NULL "
                                  "AND data->>'community' = $1", tag) == 0:
            assert asyncio.get_running_loop().time() < deadline, "relay never published"
            await asyncio.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    left = await pool.fetchval("SELECT count(*) FROM events WHERE published_at IS NULL "
                               "AND data->>'community' = $1", tag)
    assert left > 0, "the relay finished before it was killed; the test proved nothing"

    await _relay_again_and_check(pool, kafka_bootstrap, tag, ids)
