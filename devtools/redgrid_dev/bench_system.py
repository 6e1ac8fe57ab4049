"""The system's figures for `make bench`: intake alone, the backlog catch-up, the open loop."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field

import aiohttp
import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition

from redgrid_dev.bench_hops import hops
from redgrid_dev.bench_report import percentiles
from redgrid_shared import codec, topics
from redgrid_shared.auth import mint_token

SECRET = "redgrid-bench-secret-long-enough-for-hs256"
DEADLINE = 60.0
BUILDING = "b-bench-1"
CATEGORIES = ("repair.pipe", "repair.public", "repair.paid", "safety.fire", "repair.seepage")


@dataclass
class Probe:
    """HTTP access to a running system for one community; intake replicas in turn.

    Reports go through `load`, an aiohttp session: the load generator shares the machine's
    two cores with what it measures, and httpx spent ~1.8 ms of CPU per POST there (the
    bench process was the busiest on the machine, intake ~60 %), against a fraction of
    that for aiohttp. `client` (httpx) does the few set-up and polling calls."""

    client: httpx.AsyncClient
    load: aiohttp.ClientSession
    intake: list[str]
    dispatch: str
    stats: str
    community: str
    reported: int = 0
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._next = itertools.cycle(self.intake)

    def auth(self, role: str, sub: str) -> dict[str, str]:
        """Bearer header for (role, sub), minted once."""
        if sub not in self.tokens:
            token = mint_token(secret=SECRET, sub=sub, role=role, community=self.community)
            self.tokens[sub] = {"Authorization": f"Bearer {token}"}
        return self.tokens[sub]

    async def report(self, n: int, resident: str) -> str:
        """POST one report (expecting 201) and return the issue id."""
        body = {"category": CATEGORIES[n % len(CATEGORIES)], "description": f"bench report {n}",
                "building": BUILDING, "unit": f"{n % 30 + 1}-{n % 7 + 1}01"}
        async with self.load.post(f"{next(self._next)}/v1/issues", json=body,
                                  headers=self.auth("resident", resident)) as response:
            if response.status != 201:
                raise RuntimeError(f"POST /v1/issues -> {response.status}: "
                                   f"{await response.text()}")
            answer = await response.json()
        self.reported += 1
        return answer["id"]

    async def counted(self) -> int:
        """How many reports stats counts as assigned (0 while stats is not up)."""
        try:
            response = await self.client.get(f"{self.stats}/v1/stats/summary",
                                             headers=self.auth("operator", "op-bench"))
        except httpx.TransportError:
            return 0
        return response.json()["by_status"].get("assigned", 0) if response.is_success else 0


async def configure_grid(probe: Probe) -> None:
    """PUT the one grid that covers the bench building, as admin."""
    body = {"community": probe.community, "name": "压测网格", "buildings": [BUILDING],
            "steward": "s-bench", "repairer": "r-bench", "backup_steward": "s-bench-2",
            "backup_repairer": "r-bench-2", "members": []}
    response = await probe.client.put(f"{probe.dispatch}/v1/grids/g-bench", json=body,
                                      headers=probe.auth("admin", "admin-bench"))
    if not response.is_success:
        raise RuntimeError(f"PUT /v1/grids/g-bench -> {response.status_code}: {response.text}")


async def sequential(probe: Probe, n: int) -> dict:
    """One client, one report after another: POST -> 201 latency."""
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        await probe.report(i, f"u-seq-{i % 20}")
        times.append(time.perf_counter() - t0)
    return percentiles(times)


async def concurrent(probe: Probe, total: int, clients: int) -> dict:
    """`clients` reporters share `total` reports: accepted per second and POST latency."""
    numbers, times = iter(range(total)), []

    async def reporter(k: int) -> None:
        for i in numbers:
            t0 = time.perf_counter()
            await probe.report(i, f"u-conc-{k}")
            times.append(time.perf_counter() - t0)

    start = time.perf_counter()
    await asyncio.gather(*(reporter(k) for k in range(clients)))
    elapsed = time.perf_counter() - start
    return {"reports": total, "clients": clients, "per_second": round(total / elapsed, 1),
            "latency_ms": percentiles(times)}


async def catch_up(probe: Probe, database_url: str, intake_schema: str = "intake") -> dict:
    """Poll intake's view and stats until both show every report assigned; rate from the
    first assignment seen to the last (process start-up is not counted). Stats' summary
    (a request with its queries, every 20 ms) is asked only once intake's view (one count)
    is complete: the probe should not weigh on what it measures."""
    conn = await asyncpg.connect(database_url)
    want, first, deadline = probe.reported, None, time.perf_counter() + DEADLINE
    try:
        while True:
            in_view = await conn.fetchval(
                f"SELECT count(*) FROM {intake_schema}.issues WHERE community = $1 "
                "AND status = 'assigned'", probe.community)
            counted = await probe.counted() if in_view >= want else 0
            now = time.perf_counter()
            if first is None and in_view:
                first, seen_at_first = now, in_view
            if in_view >= want and counted >= want:
                break
            if now > deadline:
                raise TimeoutError(f"backlog: {in_view}/{want} in intake's view, "
                                   f"{counted}/{want} counted after {DEADLINE}s")
            await asyncio.sleep(0.02)
    finally:
        await conn.close()
    elapsed = max(now - first, 1e-3)
    return {"reports": want, "seconds": round(elapsed, 3),
            "per_second": round((want - seen_at_first) / elapsed, 1)}


async def open_loop(probe: Probe, bootstrap: str, *, rate: float, seconds: float,
                    database_url: str | None = None) -> dict:
    """Reports at a fixed rate regardless of answers; report sent -> issue.assigned on the
    dispatch topic, read by a consumer of our own at the end of the topic. With
    `database_url`, also the time of each hop (bench_hops)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False, fetch_max_wait_ms=5)
    await consumer.start()
    partitions = [TopicPartition(topics.DISPATCH_EVENTS, p)
                  for p in consumer.partitions_for_topic(topics.DISPATCH_EVENTS)]
    consumer.assign(partitions)
    await consumer.seek_to_end(*partitions)
    for tp in partitions:
        await consumer.position(tp)
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}

    async def watch() -> None:
        while True:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                now = time.perf_counter()
                for r in records:
                    try:
                        env = codec.from_kafka(r.headers, r.key, r.value)
                    except codec.MalformedEvent:
                        continue
                    if env.short_type == "issue.assigned":
                        seen.setdefault(env.data.get("issue_id"), now)

    async def one(i: int, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        t0 = time.perf_counter()
        sent[await probe.report(i, f"u-open-{i % 50}")] = t0

    watcher = asyncio.create_task(watch())
    try:
        start, n = time.perf_counter() + 0.2, int(rate * seconds)
        await asyncio.gather(*(one(i, start + i / rate) for i in range(n)))
        deadline = time.perf_counter() + DEADLINE
        while not set(sent) <= set(seen):
            if watcher.done():
                watcher.result()
            if time.perf_counter() > deadline:
                raise TimeoutError(f"open loop: {len(set(sent) - set(seen))} never assigned")
            await asyncio.sleep(0.05)
    finally:
        watcher.cancel()
        await consumer.stop()
    result = {"rate": rate, "reports": len(sent),
              "report_to_assigned_ms": percentiles([seen[i] - t for i, t in sent.items()])}
    if database_url:
        wall = time.time() - time.perf_counter()
        result["hops_ms"] = await hops(database_url, {i: t + wall for i, t in sent.items()},
                                       {i: t + wall for i, t in seen.items()})
    return result
