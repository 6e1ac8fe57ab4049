"""Stats benchmark: `python -m stats.bench [--issues 100000]` (`make bench-stats`).

1. starts an embedded PostgreSQL and a Tansu broker (or uses --database-url/--bootstrap);
2. publishes a synthetic community year (`history.Year`) to the two topics;
3. reads the topics raw (decode nothing, apply nothing): the broker's own consume rate;
4. rebuilds the stats projections from offset 0 (`stats.rebuild`): events/s;
5. times every endpoint in-process (auth, SQL, JSON) and prints p50/p95/p99.
"""

import argparse
import asyncio
import json
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from redgrid_shared import codec, logreader
from redgrid_shared.auth import mint_token
from redgrid_shared.runtime import Runtime

from stats import rebuild
from stats.bench.history import Year
from stats.main import create_app
from stats.settings import MIGRATIONS, TOPICS, Settings

SECRET = "bench-secret-at-least-thirty-two-bytes!"
START = datetime(2025, 11, 1, tzinfo=timezone.utc)
AS_OF = "2026-11-30T10:00:00+08:00"  # after every event of the year: "now"
CASES = {
    "summary (year)": ("summary", {}),
    "summary (a month)": ("summary", {"from": "2026-03-01", "to": "2026-04-01"}),
    "summary (as_of a meeting)": ("summary", {"as_of": "2026-10-14T18:00:00+08:00"}),
    "summary (grid+category)": ("summary", {"grid": "g-03", "category": "repair.paid,repair.pipe"}),
    "summary (staff)": ("summary", {"staff": "s-03,r-03"}),
    "grids": ("grids", {}),
    "staff": ("staff", {}),
    "timeseries (30 days)": ("timeseries", {}),
    "timeseries (a year)": ("timeseries", {"from": "2025-11-01", "to": "2026-11-01"}),
    "meetings": ("meetings", {}),
    "campaigns": ("campaigns", {}),
    "export.csv (grids)": ("export.csv", {"view": "grids"}),
}


def pct(samples: list[float]) -> dict:
    ms = sorted(s * 1000 for s in samples)
    at = lambda q: round(ms[min(len(ms) - 1, int(q * len(ms)))], 2)  # noqa: E731
    return {"n": len(ms), "p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": round(ms[-1], 2)}


async def publish(bootstrap: str, year: Year) -> tuple[int, float]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20,
                                max_batch_size=512 * 1024)
    await producer.start()
    began, sent, pending = time.monotonic(), 0, []
    try:
        for env in year:
            m = codec.to_kafka(env)
            key = m.key.encode() if isinstance(m.key, str) else m.key
            topic = TOPICS[0] if env.source.endswith("intake") else TOPICS[1]
            pending.append(await producer.send(topic, m.value, key=key,
                                               headers=list(m.headers.items())))
            sent += 1
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return sent, time.monotonic() - began


async def raw_consume(bootstrap: str) -> tuple[int, float]:
    kafka = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             group_id=None, auto_offset_reset="earliest",
                             max_partition_fetch_bytes=8 * 1024 * 1024)
    await kafka.start()
    try:
        partitions = await logreader.partitions_of(kafka, TOPICS)
        began = time.monotonic()

        async def nothing(records) -> None:
            pass

        read = await logreader.read_to_end(kafka, partitions, nothing, idle_seconds=1.0,
                                           timeout_seconds=3600)
        return read, time.monotonic() - began - 1.0  # minus the quiet second that ends it
    finally:
        await kafka.stop()


async def endpoints(settings: Settings, community: str, samples: int) -> dict:
    runtime = Runtime(settings, migrations=MIGRATIONS)
    await runtime.start(relay=False)
    app = create_app(settings, runtime=runtime)
    headers = {"Authorization": "Bearer " + mint_token(secret=SECRET, sub="o-1", role="operator",
                                                       community=community)}
    out = {}
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://stats") as client:
            for name, (path, params) in CASES.items():
                times = []
                for n in range(samples + 5):
                    began = time.perf_counter()
                    res = await client.get(f"/v1/stats/{path}",
                                           params={"as_of": AS_OF, **params}, headers=headers)
                    if n >= 5:
                        times.append(time.perf_counter() - began)
                    assert res.status_code == 200, res.text
                out[name] = pct(times)
                print(f"  {name:<28} p50 {out[name]['p50']:>7} ms  p99 {out[name]['p99']:>7} ms",
                      flush=True)
    finally:
        await runtime.stop()
    return out


async def run(args: argparse.Namespace, database_url: str, bootstrap: str) -> dict:
    community = "bench"
    year = Year(community, issues=args.issues, start=START)
    sent, seconds = await publish(bootstrap, year)
    print(f"published {sent} events of {args.issues} issues in {seconds:.1f} s", flush=True)
    read, raw_seconds = await raw_consume(bootstrap)
    print(f"raw consume: {read} records in {raw_seconds:.1f} s "
          f"({read / raw_seconds:.0f}/s)", flush=True)
    progress = rebuild.Progress()
    last = [0.0]

    def report(p: rebuild.Progress) -> None:
        if time.monotonic() - last[0] > 15:
            last[0] = time.monotonic()
            print(f"  rebuild {p.state}: {p.read}/{p.total}", flush=True)

    progress.listeners.append(report)
    done = await rebuild.rebuild(database_url, bootstrap, "stats", progress=progress)
    rate = done.read / done.seconds
    print(f"rebuild: {done.read} records in {done.seconds:.1f} s ({rate:.0f}/s)", flush=True)
    settings = Settings(database_url=database_url, kafka_bootstrap_servers=bootstrap,
                        jwt_secret=SECRET, db_pool_min=1, db_pool_max=4)
    latency = await endpoints(settings, community, args.samples)
    return {"issues": args.issues, "events": sent,
            "raw_consume": {"records": read, "seconds": round(raw_seconds, 1),
                            "per_second": round(read / raw_seconds)},
            "rebuild": {"records": done.read, "applied": done.applied, "parked": done.parked,
                        "seconds": done.seconds, "per_second": round(rate)},
            "latency_ms": latency}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--database-url", help="an empty database (default: embedded)")
    parser.add_argument("--bootstrap", help="an empty broker (default: a fresh Tansu)")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    with ExitStack() as stack:
        database_url, bootstrap = args.database_url, args.bootstrap
        if database_url is None:
            from redgrid_dev.postgres import EmbeddedPostgres
            data = Path(tempfile.mkdtemp(prefix="stats-bench-pg-"))
            database_url = stack.enter_context(EmbeddedPostgres(data / "pg")).database_url
        if bootstrap is None:
            from redgrid_dev.broker import TansuBroker
            bootstrap = stack.enter_context(TansuBroker()).bootstrap
        results = asyncio.run(run(args, database_url, bootstrap))
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
