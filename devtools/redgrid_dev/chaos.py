"""`make chaos`: reports keep coming while the system is hurt, and none is lost or doubled.

The three services run as processes on an embedded PostgreSQL and a Tansu broker of this
run's own. Reporters send reports with Idempotency-Keys and retry each until it is
accepted, while faults come in turn: each service SIGKILLed and restarted, PostgreSQL
crash-stopped (immediate mode) and restarted, the broker frozen (SIGSTOP) for seconds. Then
the run waits for the system to settle and checks, from the public APIs and the stores, that
every accepted report was assigned once, counted once, is seen by its resident, and that
nothing was parked (`chaos_check.py`).

Timers too (`chaos_timers.py`): a share of the reports is left un-signed, and with
SLA_TIME_SCALE its sign-off deadline passes during the faults; dispatch is killed around those
deadlines, once on purpose while its timer worker fires a backlog. The check then wants, for
every passed deadline, exactly one issue.overdue and one issue.escalated, `escalated` in
intake's view and in stats' figures. Another share is signed off by an operator through
dispatch's API during the faults (`chaos_staff.py`), retried with an Idempotency-Key: one
issue.accepted each. Meetings are not exercised yet.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import shutil
import signal
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from redgrid_dev import chaos_check, chaos_staff, chaos_timers
from redgrid_dev.broker import TansuBroker
from redgrid_dev.ports import free_port
from redgrid_dev.postgres import EmbeddedPostgres
from redgrid_dev.services import LoggedService, wait_all_ready
from redgrid_shared.auth import mint_token

SECRET = "redgrid-chaos-secret-long-enough-for-hs256"
BUILDING = "b-chaos-1"
FAULTS = ("kill intake", "kill dispatch", "crash postgres", "kill stats", "freeze broker",
          "kill dispatch while firing")
RETRYABLE = (httpx.TransportError, httpx.TimeoutException)


@dataclass
class Config:
    reports: int = 3000
    rate: float = 25.0  # reports per second, paced
    reporters: int = 16
    fault_every: float = 5.0
    freeze_seconds: float = 3.0
    settle_timeout: float = 180.0
    seed: int = 1
    unsigned_every: int = 4  # every n-th report is left un-signed: its deadline passes
    signoff_seconds: float = 15.0  # the urgent 30 min to sign off, scaled (SLA_TIME_SCALE)
    dispatch_down: float = 2.0  # how long dispatch stays dead while deadlines pile up
    signed_every: int = 8  # every n-th report (a low-priority one) is signed off by an operator


@dataclass
class Figures:
    accepted: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (issue, resident)
    final: dict[str, str] = field(default_factory=dict)  # issue -> escalated | accepted
    retries: int = 0
    accept_retries: int = 0
    signing: list[asyncio.Task] = field(default_factory=list)  # sign-offs under way
    faults: list[str] = field(default_factory=list)
    backlogs: list[int] = field(default_factory=list)  # due timers left at each mid-fire kill


@dataclass
class System:
    tmp: Path
    pg: EmbeddedPostgres
    broker: TansuBroker
    services: dict[str, LoggedService]
    env: dict[str, dict[str, str]]  # per service
    community: str

    def token(self, role: str, sub: str) -> dict[str, str]:
        return {"Authorization": "Bearer " + mint_token(secret=SECRET, sub=sub, role=role,
                                                        community=self.community)}

    def url(self, name: str) -> str:
        return self.services[name].url

    async def restart(self, name: str) -> None:
        service = self.services[name]
        await service.kill()
        await service.start(self.env[name])

    async def fault(self, kind: str, cfg: Config, figures: Figures) -> None:
        """Inflict one fault and undo it (restart, thaw)."""
        if kind == "kill dispatch while firing":
            figures.backlogs.append(
                await chaos_timers.kill_dispatch_while_firing(self, cfg.dispatch_down))
        elif kind.startswith("kill "):
            await self.restart(kind.removeprefix("kill "))
        elif kind == "crash postgres":
            await asyncio.to_thread(self.pg.crash)
            await asyncio.sleep(1.0)
            await asyncio.to_thread(self.pg.start)
        elif kind == "freeze broker":
            os.kill(self.broker.pid, signal.SIGSTOP)
            try:
                await asyncio.sleep(cfg.freeze_seconds)
            finally:
                os.kill(self.broker.pid, signal.SIGCONT)


async def start_system(tmp: Path, cfg: Config) -> System:
    """PostgreSQL and the broker on fixed ports (they must come back where clients look)."""
    pg = await asyncio.to_thread(EmbeddedPostgres(tmp / "pg", port=free_port()).start)
    broker = await asyncio.to_thread(TansuBroker(log_file=tmp / "tansu.log").start)
    run = uuid.uuid4().hex[:8]
    base = {**os.environ, "DATABASE_URL": pg.database_url, "REDGRID_JWT_SECRET": SECRET,
            "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap, "RELAY_POLL_SECONDS": "0.5"}
    env = {name: {**base, "KAFKA_CONSUMER_GROUP": f"chaos-{run}-{name}"}
           for name in ("intake", "dispatch", "stats")}
    env["dispatch"]["SLA_TIME_SCALE"] = str(chaos_timers.time_scale(cfg.signoff_seconds))
    services = {name: LoggedService(name, free_port(), log_file=tmp / f"{name}.log")
                for name in env}
    system = System(tmp, pg, broker, services, env, community=f"chaos-{run}")
    for name, service in services.items():
        await service.start(env[name])
    await wait_all_ready(list(services.values()), timeout=120)
    return system


async def stop_system(system: System) -> None:
    await asyncio.gather(*(s.stop() for s in system.services.values()),
                         return_exceptions=True)
    await asyncio.to_thread(system.broker.stop)
    await asyncio.to_thread(system.pg.stop)


async def send_until_accepted(client: httpx.AsyncClient, system: System, figures: Figures,
                              cfg: Config, n: int, deadline: float) -> None:
    """POST report n with its own Idempotency-Key until a 201 comes back."""
    resident, key = f"u-chaos-{n % 97}", f"chaos-report-{n}"
    body = {"category": chaos_timers.category(n, cfg.unsigned_every),
            "description": f"chaos report {n}",
            "building": BUILDING, "unit": f"{n % 30 + 1}-{n % 7 + 1}01"}
    headers = {**system.token("resident", resident), "Idempotency-Key": key}
    for attempt in itertools.count():
        if attempt:
            figures.retries += 1
            await asyncio.sleep(min(0.1 * 2 ** min(attempt, 5), 2.0))
        if time.monotonic() > deadline:
            raise TimeoutError(f"report {n} never accepted")
        try:
            response = await client.post(f"{system.url('intake')}/v1/issues", json=body,
                                         headers=headers)
        except RETRYABLE:
            continue
        if response.status_code == 201:
            issue = response.json()["id"]
            figures.accepted[key] = (issue, resident)
            unsigned = chaos_timers.unsigned(n, cfg.unsigned_every)
            if unsigned:
                figures.final[issue] = "escalated"
            elif chaos_staff.signed(n, cfg.signed_every, unsigned):
                figures.signing.append(asyncio.create_task(
                    sign_off(client, system, figures, issue, n, deadline)))
            return
        if response.status_code < 500:
            raise RuntimeError(f"report {n}: {response.status_code} {response.text}")


async def sign_off(client: httpx.AsyncClient, system: System, figures: Figures, issue: str,
                   n: int, deadline: float) -> None:
    """The sign-off of one issue, beside the reports (it waits for dispatch to assign it)."""
    figures.accept_retries += await chaos_staff.accept_until_done(client, system, issue, n,
                                                                  deadline)
    figures.final[issue] = "accepted"


async def configure_grid(client: httpx.AsyncClient, system: System) -> None:
    body = {"community": system.community, "name": "混沌网格", "buildings": [BUILDING],
            "steward": "s-chaos", "repairer": "r-chaos", "backup_steward": "s-chaos-2",
            "backup_repairer": "r-chaos-2", "members": []}
    response = await client.put(f"{system.url('dispatch')}/v1/grids/g-chaos", json=body,
                                headers={**system.token("admin", "admin-chaos"),
                                         "Idempotency-Key": "chaos-grid"})
    response.raise_for_status()


async def run(cfg: Config, tmp: Path, log=print) -> dict:
    """Start, load under faults, settle, check; always stop everything."""
    rng = random.Random(cfg.seed)
    figures = Figures()
    system = await start_system(tmp, cfg)
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            await configure_grid(client, system)
            log(f"system up; {cfg.reports} reports by {cfg.reporters} reporters, "
                f"at {cfg.rate}/s, a fault every {cfg.fault_every}s")
            numbers, started = iter(range(cfg.reports)), time.monotonic()
            deadline = time.monotonic() + cfg.settle_timeout + cfg.reports / cfg.rate

            async def reporter() -> None:
                for n in numbers:
                    await asyncio.sleep(max(0.0, started + n / cfg.rate - time.monotonic()))
                    await send_until_accepted(client, system, figures, cfg, n, deadline)

            stop = asyncio.Event()

            async def faults() -> None:
                """One fault after another until `stop`; a fault is never cut in half."""
                for kind in itertools.cycle(FAULTS):
                    pause = cfg.fault_every * rng.uniform(0.7, 1.3)
                    try:
                        await asyncio.wait_for(stop.wait(), pause)
                        return
                    except TimeoutError:
                        pass
                    log(f"  fault {len(figures.faults) + 1}: {kind} "
                        f"({len(figures.accepted)} accepted so far)")
                    await system.fault(kind, cfg, figures)
                    figures.faults.append(kind)

            chaos = asyncio.create_task(faults())
            try:
                await asyncio.gather(*(reporter() for _ in range(cfg.reporters)))
                # The last reports' deadlines pass under faults too.
                await asyncio.wait([chaos], timeout=cfg.signoff_seconds + 1)
            finally:
                stop.set()
                outcome, = await asyncio.gather(chaos, return_exceptions=True)
            if isinstance(outcome, Exception):
                raise outcome
            await asyncio.gather(*figures.signing)
            loaded = time.monotonic()
            log(f"load done in {loaded - started:.1f}s; waiting for the system to settle")
            await wait_all_ready(list(system.services.values()), timeout=120)
            result = await chaos_check.settle(client, system, figures.accepted,
                                              figures.final, timeout=cfg.settle_timeout)
            return {"reports": len(figures.accepted), "faults": len(figures.faults),
                    "faults_by_kind": {k: figures.faults.count(k) for k in FAULTS},
                    "post_retries": figures.retries, "accept_retries": figures.accept_retries,
                    "mid_fire_kills": sum(1 for b in figures.backlogs if b > 0),
                    "mid_fire_backlogs": figures.backlogs,
                    "load_seconds": round(loaded - started, 1),
                    "settle_seconds": round(time.monotonic() - loaded, 1), **result}
    except BaseException:
        for task in figures.signing:
            task.cancel()
        for s in system.services.values():
            if s.log_file.exists():
                tail = s.log_file.read_text(errors="replace").splitlines()[-10:]
                print(f"--- {s.name} log (tail) ---", *tail, sep="\n", file=sys.stderr)
        raise
    finally:
        await stop_system(system)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m redgrid_dev chaos", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    for name, default in vars(Config()).items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default)
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    """Run the long chaos test and print its figures; exit 1 if anything was lost or doubled."""
    cfg = Config(**vars(parse(argv)))
    tmp = Path(tempfile.mkdtemp(prefix="redgrid-chaos-", dir="/tmp"))
    try:
        figures = asyncio.run(run(cfg, tmp))
    except KeyboardInterrupt:
        return 130
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    for name, value in figures.items():
        print(f"{name:<24}{value}")
    return 0 if chaos_check.passed(figures) else 1
