"""`make bench`: latency and throughput of report -> assigned -> counted, on a fresh system."""

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
import time
import uuid
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import httpx

from redgrid_dev import databases
from redgrid_dev.bench_report import machine, percentiles, print_table
from redgrid_dev.broker import TansuBroker, ensure_topics
from redgrid_dev.ports import free_port
from redgrid_dev.postgres import EmbeddedPostgres
from redgrid_dev.run import repo_root
from redgrid_dev.services import Service, wait_all_ready

SECRET = "redgrid-bench-secret-long-enough-for-hs256"
POLL = 0.005  # seconds between polls of a read model
DEADLINE = 60.0  # seconds any one wait may take before the run fails
BUILDING = "b-bench-1"
CATEGORIES = ("repair.pipe", "repair.public", "repair.paid", "safety.fire", "repair.seepage")


@dataclass
class LoggedService(Service):
    """A Service whose output goes to a file rather than the terminal."""

    log_file: Path | None = None

    async def _forward_output(self) -> None:
        with open(self.log_file, "ab") as out:
            async for line in self.proc.stdout:
                out.write(line)


@dataclass
class Probe:
    """HTTP access to a running system for one community, and how many reports it has."""

    client: httpx.AsyncClient
    urls: dict[str, str]
    community: str
    reported: int = 0
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)

    def auth(self, role: str, sub: str) -> dict[str, str]:
        """Bearer header for (role, sub), minted once."""
        if sub not in self.tokens:
            from redgrid_shared.auth import mint_token
            token = mint_token(secret=SECRET, sub=sub, role=role, community=self.community)
            self.tokens[sub] = {"Authorization": f"Bearer {token}"}
        return self.tokens[sub]

    async def report(self, n: int, resident: str) -> str:
        """POST one report (expecting 201) and return the issue id."""
        body = {"category": CATEGORIES[n % len(CATEGORIES)], "description": f"bench report {n}",
                "building": BUILDING, "unit": f"{n % 30 + 1}-{n % 7 + 1}01"}
        response = await self.client.post(f"{self.urls['intake']}/v1/issues", json=body,
                                          headers=self.auth("resident", resident))
        if response.status_code != 201:
            raise RuntimeError(f"POST /v1/issues -> {response.status_code}: {response.text}")
        self.reported += 1
        return response.json()["id"]

    async def until_assigned(self, issue_id: str, resident: str) -> None:
        """Poll intake's view of the issue until it shows `assigned`."""
        url, headers = f"{self.urls['intake']}/v1/issues/{issue_id}", self.auth("resident", resident)

        async def assigned() -> bool:
            return (await self.client.get(url, headers=headers)).json().get("status") == "assigned"
        await _until(assigned, f"{issue_id} assigned")

    async def until_counted(self) -> None:
        """Poll the stats summary until every report so far counts as assigned."""
        url, headers, want = f"{self.urls['stats']}/v1/stats/summary", self.auth("operator", "op-bench"), self.reported

        async def counted() -> bool:
            response = await self.client.get(url, headers=headers)
            return response.status_code == 200 and response.json()["by_status"].get("assigned", 0) >= want
        await _until(counted, f"stats counting {want} assigned")

    async def dispatch_delay(self, issue_id: str, resident: str) -> float:
        """Seconds between the issue.reported and issue.assigned event times on its timeline."""
        response = await self.client.get(f"{self.urls['intake']}/v1/issues/{issue_id}/timeline",
                                         headers=self.auth("resident", resident))
        body = response.json()
        items = body["items"] if isinstance(body, dict) else body
        times = {e["type"]: datetime.fromisoformat(e["time"]) for e in items}
        return (times["issue.assigned"] - times["issue.reported"]).total_seconds()


async def _until(check, what: str) -> None:
    """Await check() every POLL seconds until it is true; TimeoutError after DEADLINE."""
    deadline = time.perf_counter() + DEADLINE
    while not await check():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{what}: not seen within {DEADLINE}s")
        await asyncio.sleep(POLL)


async def configure_grid(probe: Probe) -> None:
    """PUT the one grid that covers the bench building, as admin."""
    body = {"community": probe.community, "name": "压测网格", "buildings": [BUILDING],
            "steward": "s-bench", "repairer": "r-bench", "backup_steward": "s-bench-2",
            "backup_repairer": "r-bench-2", "members": []}
    response = await probe.client.put(f"{probe.urls['dispatch']}/v1/grids/g-bench", json=body,
                                      headers=probe.auth("admin", "admin-bench"))
    if not response.is_success:
        raise RuntimeError(f"PUT /v1/grids/g-bench -> {response.status_code}: {response.text}")


async def warm_up(probe: Probe, n: int) -> None:
    """A few reports end to end, so connections, caches and consumer groups are settled."""
    for i in range(n):
        await probe.until_assigned(await probe.report(i, "u-warm"), "u-warm")
    await probe.until_counted()


async def latency_run(probe: Probe, n: int, stats_every: int) -> dict[str, list[float]]:
    """Sequential reports: POST latency, report->assigned, and every k-th report->counted."""
    post, assigned, counted, decided = [], [], [], []
    for i in range(n):
        resident = f"u-lat-{i % 20}"
        t0 = time.perf_counter()
        issue_id = await probe.report(i, resident)
        post.append(time.perf_counter() - t0)
        await probe.until_assigned(issue_id, resident)
        assigned.append(time.perf_counter() - t0)
        if i % stats_every == 0:
            await probe.until_counted()
            counted.append(time.perf_counter() - t0)
            decided.append(await probe.dispatch_delay(issue_id, resident))
    await probe.until_counted()
    return {"post_201": post, "report_to_assigned": assigned, "report_to_counted": counted,
            "reported_to_assigned_event": decided}


async def throughput_run(probe: Probe, total: int, concurrency: int) -> dict:
    """K reporters share M reports; then wait until all are assigned and counted."""
    numbers, issued, post = iter(range(total)), [], []

    async def reporter(k: int) -> None:
        resident = f"u-tp-{k}"
        for i in numbers:
            t0 = time.perf_counter()
            issued.append((await probe.report(i, resident), resident))
            post.append(time.perf_counter() - t0)

    start = time.perf_counter()
    await asyncio.gather(*(reporter(k) for k in range(concurrency)))
    accepted = time.perf_counter() - start
    for issue_id, resident in issued:
        await probe.until_assigned(issue_id, resident)
    assigned = time.perf_counter() - start
    await probe.until_counted()
    counted = time.perf_counter() - start
    return {"reports": total, "concurrency": concurrency, "accept_seconds": round(accepted, 3),
            "accepted_per_second": round(total / accepted, 1), "post_201_ms": percentiles(post),
            "all_assigned_seconds": round(assigned, 3), "all_counted_seconds": round(counted, 3),
            "assigned_per_second": round(total / assigned, 1)}


async def run_bench(env: dict[str, str], args: argparse.Namespace, logs: Path) -> dict:
    """Start the services, measure, and always stop them."""
    run = uuid.uuid4().hex[:8]
    services = [LoggedService(name, free_port(), log_file=logs / f"{name}.log")
                for name in ("intake", "dispatch", "stats")]
    try:
        for s in services:
            await s.start({**env, "KAFKA_CONSUMER_GROUP": f"bench-{run}-{s.name}"})
        await wait_all_ready(services, timeout=120)
        print("services ready; configuring grid and warming up", flush=True)
        limits = httpx.Limits(max_connections=args.concurrency * 2 + 8)
        async with httpx.AsyncClient(timeout=10, limits=limits) as client:
            probe = Probe(client, {s.name: s.url for s in services}, community=f"bench-{run}")
            await configure_grid(probe)
            await warm_up(probe, args.warmup)
            print(f"latency run: {args.reports} sequential reports", flush=True)
            latency = await latency_run(probe, args.reports, args.stats_every)
            print(f"throughput run: {args.throughput_reports} reports, {args.concurrency} reporters", flush=True)
            throughput = await throughput_run(probe, args.throughput_reports, args.concurrency)
        return {"latency_ms": {k: percentiles(v) for k, v in latency.items()}, "throughput": throughput}
    except BaseException:
        for s in services:
            if s.log_file.exists():
                tail = s.log_file.read_text(errors="replace").splitlines()[-15:]
                print(f"--- {s.name} log (tail) ---", *tail, sep="\n", file=sys.stderr)
        raise
    finally:
        await asyncio.gather(*(s.stop() for s in services))


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m redgrid_dev bench", description=__doc__)
    parser.add_argument("--reports", type=int, default=200, help="sequential reports in the latency run")
    parser.add_argument("--warmup", type=int, default=20, help="reports before measuring")
    parser.add_argument("--stats-every", type=int, default=10, help="measure report->counted for every k-th")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent reporters (throughput run)")
    parser.add_argument("--throughput-reports", type=int, default=400, help="reports in the throughput run")
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
    env = {**os.environ, "REDGRID_JWT_SECRET": SECRET, "RATE_LIMIT_WRITES": ""}
    started = datetime.now(timezone.utc)
    try:
        with contextlib.ExitStack() as infra:
            infra.enter_context(_database(env, tmp))
            infra.enter_context(_broker(env, tmp))
            results = asyncio.run(run_bench(env, args, tmp))
    except KeyboardInterrupt:
        print("interrupted; everything stopped", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    record = {"started_at": started.isoformat(timespec="seconds"), "machine": machine(),
              "config": {**{k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                         "relay_poll_seconds": env.get("RELAY_POLL_SECONDS", "default"),
                         "poll_interval_ms": POLL * 1000, "external_postgres": bool(os.environ.get("DATABASE_URL")),
                         "external_broker": bool(os.environ.get("KAFKA_BOOTSTRAP_SERVERS"))},
              **results}
    print_table(results)
    out = args.out or repo_root() / ".data" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{started.astimezone():%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    print(f"\nresults written to {path}")
    return 0


@contextlib.contextmanager
def _database(env: dict[str, str], tmp: Path):
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
        yield


@contextlib.contextmanager
def _broker(env: dict[str, str], tmp: Path):
    """$KAFKA_BOOTSTRAP_SERVERS with the topics ensured, else a Tansu broker of our own."""
    if env.get("KAFKA_BOOTSTRAP_SERVERS"):
        asyncio.run(ensure_topics(env["KAFKA_BOOTSTRAP_SERVERS"]))
        yield
        return
    print("starting Tansu broker", flush=True)
    with TansuBroker(log_file=tmp / "tansu.log") as broker:
        env["KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap
        yield


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
