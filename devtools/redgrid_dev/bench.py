"""`make bench`: the raw baselines and the system's figures in one run, side by side.

Order: the database and broker alone (asyncpg transactions, aiokafka produce/consume and
round trip); the web framework alone (bench_frame: the report's POST with no database,
broker or token); intake alone (one client in sequence, then 16 concurrent clients), which
leaves a backlog; dispatch and stats start and catch up on it; an open loop of reports at
a fixed rate; the idle stack's CPU. Ratios to the baselines are printed, since only
same-run ratios mean anything on a shared machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import uuid
import warnings
from datetime import datetime, timezone
from pathlib import Path

import aiohttp
import httpx

from redgrid_dev import bench_raw, bench_system, databases
from redgrid_dev.bench_cpu import CpuWindow, cpu_share, postmaster_pid
from redgrid_dev.bench_report import machine, print_open_loop, print_report
from redgrid_dev.broker import TansuBroker, ensure_topics
from redgrid_dev.ports import free_port
from redgrid_dev.postgres import EmbeddedPostgres
from redgrid_dev.run import repo_root
from redgrid_dev.services import LoggedService, wait_all_ready


async def run_bench(env: dict[str, str], args: argparse.Namespace, logs: Path,
                    infra_pids: dict[str, list[int]]) -> dict:
    """Baselines, then the services phase by phase; always stop them."""
    if args.open_loop_only:
        raw = {}
    else:
        print("raw baselines: asyncpg, aiokafka, the web framework", flush=True)
        raw = {"asyncpg": await bench_raw.asyncpg_transactions(env["DATABASE_URL"],
                                                                seconds=args.raw_seconds),
               "kafka": await bench_raw.kafka_produce_consume(env["KAFKA_BOOTSTRAP_SERVERS"]),
               "framework": await _framework(env, logs, args)}
    run = uuid.uuid4().hex[:8]
    services = {name: [LoggedService(name, free_port(), log_file=logs / f"{name}-{i}.log")
                       for i in range(args.replicas)] for name in ("intake", "dispatch", "stats")}
    everyone = [s for group in services.values() for s in group]

    async def start(name: str) -> None:
        for s in services[name]:
            await s.start({**env, "KAFKA_CONSUMER_GROUP": f"bench-{run}-{name}"})
        await wait_all_ready(services[name], timeout=120)

    def pids() -> dict[str, list[int]]:
        return {**{name: [s.proc.pid for s in group if s.proc] for name, group in services.items()},
                **infra_pids}

    try:
        # The grid exists before any report reaches dispatch, else early ones are unroutable.
        await start("dispatch")
        await start("intake")
        limits = httpx.Limits(max_connections=8)
        connector = aiohttp.TCPConnector(limit=args.concurrency * 2 + 8)
        async with httpx.AsyncClient(timeout=30, limits=limits) as client, \
                aiohttp.ClientSession(connector=connector,
                                      timeout=aiohttp.ClientTimeout(total=30)) as load:
            probe = bench_system.Probe(client, load, [s.url for s in services["intake"]],
                                       services["dispatch"][0].url, services["stats"][0].url,
                                       community=f"bench-{run}")
            await bench_system.configure_grid(probe)
            await asyncio.gather(*(s.stop() for s in services["dispatch"]))
            if args.open_loop_only:
                await asyncio.gather(start("dispatch"), start("stats"))
                return await _open_loop(probe, env, args, services, infra_pids)
            print("intake alone: warm-up, sequential, concurrent", flush=True)
            await bench_system.sequential(probe, args.warmup)
            seq = await bench_system.sequential(probe, args.reports)
            window = CpuWindow(pids(), alone={"load generator": os.getpid()})
            conc = await bench_system.concurrent(probe, args.concurrent_reports, args.concurrency)
            conc["cpu_ms_per_report"] = window.per_item(conc["reports"])
            print(f"dispatch + stats catching up on {probe.reported} reports", flush=True)
            await asyncio.gather(start("dispatch"), start("stats"))
            window = CpuWindow(pids())
            backlog = await bench_system.catch_up(probe, env["DATABASE_URL"])
            # From the services' start, so their start-up is in it: an upper bound.
            backlog["cpu_ms_per_report"] = window.per_item(backlog["reports"])
            loop = await _open_loop(probe, env, args, services, infra_pids)
        print(f"idle: settling, then {args.idle_seconds} s of CPU", flush=True)
        await asyncio.sleep(3)
        groups = {name: [s.proc.pid for s in group] for name, group in services.items()}
        idle = await cpu_share({**groups, **infra_pids}, seconds=args.idle_seconds)
        return {"raw": raw, "intake_sequential_ms": seq, "intake_concurrent": conc,
                "backlog": backlog, "open_loop": loop, "idle_cpu": idle,
                "ratios": ratios(raw, conc, backlog)}
    except BaseException:
        for s in everyone:
            if s.log_file.exists():
                tail = s.log_file.read_text(errors="replace").splitlines()[-15:]
                print(f"--- {s.log_file.name} (tail) ---", *tail, sep="\n", file=sys.stderr)
        raise
    finally:
        await asyncio.gather(*(s.stop() for s in everyone))


async def _framework(env: dict[str, str], logs: Path, args: argparse.Namespace) -> dict:
    """The concurrent POSTs against the framework alone (bench_frame), with its CPU."""
    frame = LoggedService("redgrid_dev.bench_frame", free_port(), log_file=logs / "frame.log")
    await frame.start(env)
    try:
        await wait_all_ready([frame], timeout=60)
        async with httpx.AsyncClient() as client, aiohttp.ClientSession() as load:
            probe = bench_system.Probe(client, load, [frame.url], frame.url, frame.url,
                                       community="frame")
            await bench_system.sequential(probe, args.warmup)
            window = CpuWindow({"server": [frame.proc.pid]}, alone={"load generator": os.getpid()})
            # At ~10,000/s, enough reports for a second or more of CPU time to count.
            result = await bench_system.concurrent(probe, max(args.concurrent_reports, 10_000),
                                                   args.concurrency)
            result["cpu_ms_per_report"] = window.per_item(result["reports"])
            return result
    finally:
        await frame.stop()


async def _open_loop(probe: bench_system.Probe, env: dict[str, str], args: argparse.Namespace,
                     services: dict[str, list[LoggedService]],
                     infra_pids: dict[str, list[int]]) -> dict:
    """The open loop, its hops, and the stack's CPU per report while it runs (a figure a
    busy neighbour moves less than the latency)."""
    print(f"open loop: {args.rate} reports/s for {args.open_seconds} s", flush=True)
    await bench_system.open_loop(probe, env["KAFKA_BOOTSTRAP_SERVERS"],
                                 rate=args.rate, seconds=2)  # warm the path
    groups = {name: [s.proc.pid for s in group] for name, group in services.items()}
    window = max(1.0, args.open_seconds - 1)
    loop, cpu = await asyncio.gather(
        bench_system.open_loop(probe, env["KAFKA_BOOTSTRAP_SERVERS"], rate=args.rate,
                               seconds=args.open_seconds, database_url=env["DATABASE_URL"]),
        cpu_share({**groups, **infra_pids}, seconds=window))
    per_report = {name: round(share / 100 * cpu["cores"] / args.rate * 1000, 2)
                  for name, share in cpu["percent_of_all_cores"].items()}
    return {**loop, "cpu_ms_per_report": {**per_report,
                                          "total": round(sum(per_report.values()), 2)}}


def ratios(raw: dict, conc: dict, backlog: dict) -> dict:
    """The system's rates as fractions of the raw database rate."""
    base = raw["asyncpg"]["per_second"]
    return {"intake_concurrent_vs_asyncpg": round(conc["per_second"] / base, 3),
            "intake_concurrent_vs_framework": round(
                conc["per_second"] / raw["framework"]["per_second"], 3),
            "backlog_vs_asyncpg": round(backlog["per_second"] / base, 3)}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m redgrid_dev bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=300, help="sequential reports (one client)")
    parser.add_argument("--warmup", type=int, default=30, help="reports before measuring")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent reporters")
    parser.add_argument("--concurrent-reports", type=int, default=2000,
                        help="reports shared by the concurrent reporters (then the backlog)")
    parser.add_argument("--rate", type=float, default=20.0, help="open loop: reports per second")
    parser.add_argument("--open-seconds", type=float, default=20.0, help="open loop duration")
    parser.add_argument("--idle-seconds", type=float, default=10.0, help="idle CPU window")
    parser.add_argument("--raw-seconds", type=float, default=5.0, help="asyncpg baseline window")
    parser.add_argument("--replicas", type=int, default=1, help="processes per service")
    parser.add_argument("--open-loop-only", action="store_true",
                        help="only the open loop with its hops (a quick latency check; "
                             "nothing written)")
    parser.add_argument("--out", type=Path, default=None, help="results folder (default .data/bench)")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    """Bring up infrastructure and services, benchmark, write JSON, tear everything down."""
    args = parse(argv)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_interrupt)
    warnings.filterwarnings("ignore", message="The HMAC key is")
    tmp = Path(tempfile.mkdtemp(prefix="redgrid-bench-", dir="/tmp"))
    # Throughput is measured, not the write rate limit: it is off for the bench.
    env = {**os.environ, "REDGRID_JWT_SECRET": bench_system.SECRET, "RATE_LIMIT_WRITES": ""}
    started = datetime.now(timezone.utc)
    infra_pids: dict[str, list[int]] = {}
    try:
        with contextlib.ExitStack() as infra:
            infra.enter_context(_database(env, tmp, infra_pids))
            infra.enter_context(_broker(env, tmp, infra_pids))
            results = asyncio.run(run_bench(env, args, tmp, infra_pids))
            if args.open_loop_only:
                print_open_loop(results)
                return 0
    except KeyboardInterrupt:
        print("interrupted; everything stopped", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    record = {"started_at": started.isoformat(timespec="seconds"), "machine": machine(),
              "config": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
              **results}
    print_report(results)
    out = args.out or repo_root() / ".data" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{started.astimezone():%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    print(f"\nresults written to {path}")
    return 0


@contextlib.contextmanager
def _database(env: dict[str, str], tmp: Path, pids: dict[str, list[int]]):
    """A fresh database: on $DATABASE_URL's server if set, else on an embedded PostgreSQL."""
    if env.get("DATABASE_URL"):
        server = env["DATABASE_URL"]
        env["DATABASE_URL"] = asyncio.run(databases.create_database(server, "bench"))
        try:
            yield
        finally:
            asyncio.run(databases.drop_database(server, env["DATABASE_URL"]))
        return
    print(f"starting PostgreSQL in {tmp / 'pg'}", flush=True)
    with EmbeddedPostgres(tmp / "pg") as pg:
        env["DATABASE_URL"] = pg.database_url
        pids["postgres"] = [p for p in [postmaster_pid(pg.data_dir)] if p]
        yield


@contextlib.contextmanager
def _broker(env: dict[str, str], tmp: Path, pids: dict[str, list[int]]):
    """$KAFKA_BOOTSTRAP_SERVERS with the topics ensured, else a Tansu broker of our own."""
    if env.get("KAFKA_BOOTSTRAP_SERVERS"):
        asyncio.run(ensure_topics(env["KAFKA_BOOTSTRAP_SERVERS"]))
        yield
        return
    print("starting Tansu broker", flush=True)
    with TansuBroker(log_file=tmp / "tansu.log") as broker:
        env["KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap
        pids["broker"] = [broker.pid] if broker.pid else []
        yield


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
