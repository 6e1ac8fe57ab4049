"""The rebuild from the real broker's log equals the live projection."""

import asyncio
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from aiokafka import AIOKafkaProducer

from redgrid_shared import codec
from stats import rebuild
from tests.integration.shared.helpers import decoded, read_topic
from tests.integration.stats import builders as b
from tests.integration.stats.conftest import topic_of, project

T0 = datetime(2024, 5, 4, 1, 0, tzinfo=timezone.utc)
AS_OF = T0 + timedelta(days=60)


def history(c: str) -> list:
    """A small community's month: grids, routed, unroutable, resolved and closed issues."""
    envs = [b.grid_configured(community=c, grid_id=f"{c}-g1", at=T0 - timedelta(days=1))]
    for n, category in enumerate(["repair.pipe", "safety.fire", "dispute.neighbor", "other"]):
        at = T0 + timedelta(days=n, hours=n)
        reported = b.issue_reported(community=c, at=at, category=category)
        envs.append(reported)
        if category == "other":
            envs.append(b.issue_unroutable(community=c, issue_id=reported.subject,
                                           at=at + timedelta(seconds=1)))
            continue
        envs.append(b.issue_assigned(community=c, issue_id=reported.subject, grid_id=f"{c}-g1",
                                     category=category, at=at + timedelta(minutes=1)))
        if n < 2:
            envs.append(b.issue_step("issue.resolved", community=c, issue_id=reported.subject,
                                     at=at + timedelta(hours=6)))
        if n == 0:
            envs.append(b.issue_step("issue.closed", community=c, issue_id=reported.subject,
                                     at=at + timedelta(days=2)))
    return envs


async def publish(bootstrap: str, envs: list, *, batched: bool = False) -> None:
    """One record per event; `batched` queues them all, then flushes, as a busy relay does."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=50)
    await producer.start()
    try:
        sent = []
        for env in envs:
            message = codec.to_kafka(env)
            key = message.key.encode() if isinstance(message.key, str) else message.key
            future = await producer.send(topic_of(env), value=message.value, key=key,
                                         headers=list(message.headers.items()))
            if batched:
                sent.append(future)
            else:
                await future
        await producer.flush()
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def _live_and_rebuilt(pool, settings, bootstrap, community):
    """The live summary of a community, and the one rebuilt from the log into a fresh schema."""
    live = await rebuild.summarize(pool, community=community, as_of=AS_OF)
    rebuilt = await rebuild.rebuild(settings.database_url, bootstrap,
                                    f"stats_rebuild_{uuid.uuid4().hex[:8]}",
                                    community=community, as_of=AS_OF)
    return live, rebuilt


async def test_a_rebuild_from_offset_zero_equals_the_live_projection(pool, settings, kafka_bootstrap):
    c = b.tag()
    envs = history(c)
    await project(pool, *envs)  # the live projection, as the consumer loop would have built it
    # Dispatch's events land on their topic before intake's and one is redelivered:
    # the rebuild must not care.
    dispatch_first = sorted(envs, key=lambda e: e.source.endswith("intake"))
    await publish(kafka_bootstrap, dispatch_first + dispatch_first[:2])

    live, rebuilt = await _live_and_rebuilt(pool, settings, kafka_bootstrap, c)

    assert (live.collected, live.handled, live.unroutable) == (4, 2, 1)
    assert rebuild.differences(rebuilt, live) == {}
    assert rebuilt.figures() == live.figures()


async def test_the_rebuild_refuses_the_live_schema(settings, kafka_bootstrap):
    with pytest.raises(ValueError):
        await rebuild.rebuild(settings.database_url, kafka_bootstrap, settings.schema)


async def test_a_rebuild_after_batched_produces_reads_every_record(pool, settings, kafka_bootstrap):
    # Tansu's end_offsets() lags the log after batched produces (97 said, 128 readable).
    c = b.tag()
    envs = [env for _ in range(12) for env in history(c)]
    await project(pool, *envs)
    await publish(kafka_bootstrap, envs, batched=True)

    ids = {str(env.id) for env in envs}
    read = [r for topic in {topic_of(env) for env in envs}
            for r in await read_topic(kafka_bootstrap, topic)]
    assert {str(env.id) for env in decoded(read)} >= ids

    live, rebuilt = await _live_and_rebuilt(pool, settings, kafka_bootstrap, c)
    assert (live.collected, live.handled, live.unroutable) == (48, 24, 12)
    assert rebuild.differences(rebuilt, live) == {}
