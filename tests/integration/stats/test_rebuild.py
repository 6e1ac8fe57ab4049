"""Rebuild from the real broker's log into a fresh schema, switch while a live consumer runs:
every stats endpoint answers byte-identically before and after, nothing is lost after the
switch, and replaying the whole log again into the live projections changes nothing."""

import asyncio
import time
import uuid
from datetime import date, datetime, timedelta, timezone

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer

from redgrid_shared import codec
from redgrid_shared.consumer import ConsumerLoop
from stats import projections, rebuild
from stats.main import create_app
from stats.settings import TOPICS
from tests.integration.shared.helpers import decoded, read_topic
from tests.integration.stats import builders as b
from tests.integration.stats.conftest import bearer, topic_of

T0 = datetime(2024, 5, 4, 1, 0, tzinfo=timezone.utc)
AS_OF = "2024-07-01T00:00:00+08:00"
SELECTIONS = [{}, {"from": "2024-05-01", "to": "2024-06-01"}, {"as_of": "2024-05-06"},
              {"grid": "g-1", "category": "repair.pipe,safety.fire"}, {"staff": "s-01"}]
VIEWS = ("summary", "grids", "staff", "timeseries", "meetings", "campaigns", "overdue")


def history(c: str) -> list:
    """A small community's month: routed, unroutable, resolved, closed, rated, decided."""
    envs = [b.grid_configured(community=c, grid_id="g-1", at=T0 - timedelta(days=1))]
    decided = []
    for n, category in enumerate(["repair.pipe", "safety.fire", "dispute.neighbor", "other"]):
        at = T0 + timedelta(days=n, hours=n)
        reported = b.issue_reported(community=c, at=at, category=category)
        i = reported.subject
        envs.append(reported)
        if category == "other":
            envs.append(b.issue_unroutable(community=c, issue_id=i, at=at + timedelta(seconds=1)))
            continue
        envs.append(b.issue_assigned(community=c, issue_id=i, grid_id="g-1", category=category,
                                     at=at + timedelta(minutes=1)))
        envs.append(b.issue_step("issue.accepted", community=c, issue_id=i,
                                 at=at + timedelta(minutes=30)))
        if n < 2:
            envs.append(b.issue_step("issue.resolved", community=c, issue_id=i, by="r-01",
                                     on_time=n == 0, at=at + timedelta(hours=6)))
            envs.append(b.resident("issue.rated", community=c, issue_id=i, score=3 + n,
                                   at=at + timedelta(hours=8)))
            decided.append((i, "resolved"))
        if n == 0:
            envs.append(b.issue_step("issue.closed", community=c, issue_id=i,
                                     at=at + timedelta(days=2)))
    envs.append(b.meeting_held(community=c, on=date(2024, 5, 14), at=T0 + timedelta(days=10),
                               decisions=decided))
    envs += b.campaign(community=c, campaign_id="k-1", at=T0, issue_ids=[d[0] for d in decided],
                       starts_on=date(2024, 5, 1), ends_on=date(2024, 5, 31))
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


async def snapshot(client, c: str) -> dict:
    """The exact bytes of every stats endpoint for several selections, JSON and CSV."""
    out = {}
    for selection in SELECTIONS:
        params = {"as_of": AS_OF, **selection}
        for view in VIEWS:
            for path, extra in ((view, {}), ("export.csv", {"view": view})):
                res = await client.get(f"/v1/stats/{path}", params={**params, **extra},
                                       headers=bearer(c))
                assert res.status_code == 200, res.text
                out[(path, view, tuple(sorted(params.items())))] = res.content
    return out


async def until(check, *, seconds: float = 60) -> None:
    """Retry `check` (async, returns bool) until true, or fail at the deadline."""
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "not reached before the deadline"
        await asyncio.sleep(0.1)


async def collected(client, c: str) -> int:
    res = await client.get("/v1/stats/summary", params={"as_of": AS_OF}, headers=bearer(c))
    return res.json()["collected"] if res.status_code == 200 else -1


async def test_a_rebuild_switches_over_with_every_endpoint_unchanged_and_nothing_lost(
        pool, settings, client, kafka_bootstrap):
    c = b.tag()
    envs = history(c)
    # Dispatch's events land before intake's, one is published twice: the rebuild must not care.
    await publish(kafka_bootstrap, sorted(envs, key=lambda e: e.source.endswith("intake"))
                  + envs[:2])
    live = ConsumerLoop(pool=pool, bootstrap=kafka_bootstrap, group_id=f"stats-{uuid.uuid4().hex[:8]}",
                        topics=TOPICS, handler=projections.apply, fetch_max_wait_ms=50)
    await live.start()
    task = asyncio.create_task(live.run())
    try:
        await until(lambda: applied(pool, envs))
        before = await snapshot(client, c)
        done = await rebuild.rebuild(settings.database_url, kafka_bootstrap, settings.schema)
        assert done.state == "done" and done.retired and done.read >= len(envs)
        after = await snapshot(client, c)
        assert [(k, before[k], after[k]) for k in before if before[k] != after[k]][:2] == []

        # The live consumer goes on writing into the new schema, without loss or double count.
        late = b.issue_reported(community=c, at=T0 + timedelta(days=20))
        await publish(kafka_bootstrap, [late, late])
        await until(lambda: _equals(collected(client, c), 5))
        conn = await asyncpg.connect(settings.database_url)
        try:
            old = await conn.fetchval(
                f'SELECT count(*) FROM "{done.retired}".issue_events WHERE issue_id = $1',
                late.subject)
            new = await conn.fetchval(
                f'SELECT count(*) FROM "{settings.schema}".issue_events WHERE issue_id = $1',
                late.subject)
        finally:
            await conn.close()
        assert (old, new) == (0, 1)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await live.stop()


async def _equals(awaitable, value) -> bool:
    return await awaitable == value


async def applied(pool, envs) -> bool:
    """Whether the live consumer has applied every one of these events."""
    ids = list({env.id for env in envs})
    return await pool.fetchval("SELECT count(*) FROM processed_events WHERE event_id = ANY($1)",
                               ids) == len(ids)


async def test_replaying_the_whole_log_again_into_the_live_projections_changes_nothing(
        pool, client, kafka_bootstrap):
    c = b.tag()
    envs = history(c)
    async with pool.acquire() as conn, conn.transaction():
        await projections.apply_many(conn, envs)
    before = await snapshot(client, c)
    await publish(kafka_bootstrap, envs, batched=True)
    records = [r for topic in TOPICS for r in await read_topic(kafka_bootstrap, topic)]
    log = [env for env in decoded(records) if env.data.get("community") == c]
    assert {env.id for env in log} == {env.id for env in envs}
    # No dedupe rows in the way: the projections themselves must absorb the replay.
    for chunk in range(0, len(log), 7):
        async with pool.acquire() as conn, conn.transaction():
            await projections.apply_many(conn, log[chunk:chunk + 7])
    assert await snapshot(client, c) == before


async def test_the_admin_endpoint_rebuilds_and_reports_progress(pool, settings, runtime,
                                                                 kafka_bootstrap):
    app = create_app(settings.model_copy(update={"kafka_bootstrap_servers": kafka_bootstrap}),
                     runtime=runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://stats") as client:
        await _admin_rebuild(pool, client, kafka_bootstrap)


async def _admin_rebuild(pool, client, kafka_bootstrap) -> None:
    c = b.tag()
    envs = history(c)
    async with pool.acquire() as conn, conn.transaction():
        for env in envs:
            await conn.execute("INSERT INTO processed_events (event_id, topic, event_type) "
                               "VALUES ($1, $2, $3)", env.id, topic_of(env), env.type)
        await projections.apply_many(conn, envs)
    await publish(kafka_bootstrap, envs)
    before = await snapshot(client, c)
    for role in ("operator", "resident", "admin"):  # a community's own admin too
        res = await client.post("/v1/stats/rebuild", headers=bearer(c, role=role))
        assert res.status_code == 403
    ops = "ops"  # REDGRID_OPS_COMMUNITY's default: its admins operate the platform
    started = await client.post("/v1/stats/rebuild", headers=bearer(ops, role="admin"))
    assert started.status_code == 202, started.text
    again = await client.post("/v1/stats/rebuild", headers=bearer(ops, role="admin"))
    assert again.status_code == 409

    async def finished() -> bool:
        res = await client.get("/v1/stats/rebuild/progress", headers=bearer(ops, role="admin"))
        assert res.status_code == 200 and res.json()["state"] != "failed", res.text
        return res.json()["state"] == "done"

    await until(finished, seconds=120)
    progress = (await client.get("/v1/stats/rebuild/progress",
                                 headers=bearer(ops, role="admin"))).json()
    assert progress["read"] >= len(envs) and progress["total"] >= len(envs)
    assert await snapshot(client, c) == before
