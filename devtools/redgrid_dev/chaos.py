"""`make chaos`: reports keep coming while the system is hurt, and none is lost or doubled.

The three services run as processes on an embedded PostgreSQL and a Tansu broker of this
run's own. Reporters send reports with Idempotency-Keys and retry each until it is
accepted, while faults come in turn: each service SIGKILLed and restarted, PostgreSQL
crash-stopped (immediate mode) and restarted, the broker frozen (SIGSTOP) for seconds, and
dispatch killed in the middle of firing a backlog of timers (`chaos_timers.py`).

The workflow goes on under the same faults (`chaos_work.py`): every report belongs to a
cohort (left un-signed until its sign-off deadline passes; signed off by an operator; signed
off and then past its completion limit; resolved and left to the 7-day close; resolved and
confirmed or reopened by its resident just before the close fires). With SLA_TIME_SCALE and
a shifted clock (`chaos_clock.py`) the run starts two hours before a 逢四说事 meeting day;
after the load one jump brings the meeting day and every close due, and the meeting's
minutes are recorded (`chaos_meeting.py`). Then the run waits for the system to settle and
checks, from dispatch's store, intake's resident API and stats' API, that every event the
run caused is there exactly once, every issue ends in its status, nothing is parked
(`chaos_expect.py`, `chaos_check.py`).
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
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import httpx

from redgrid_dev import chaos_check, chaos_clock, chaos_timers, chaos_work, chaos_workflow
from redgrid_dev.broker import TansuBroker
from redgrid_dev.chaos_expect import Plan
from redgrid_dev.ports import free_port
from redgrid_dev.postgres import EmbeddedPostgres
from redgrid_dev.services import LoggedService, wait_all_ready
from redgrid_shared.auth import mint_token

SECRET = "redgrid-chaos-secret-long-enough-for-hs256"
BUILDING = "b-chaos-1"
FAULTS = ("kill intake", "kill dispatch", "crash postgres", "kill stats", "freeze broker",
          "kill dispatch while firing")


@dataclass
class Config:
    reports: int = 3000
    rate: float = 25.0  # reports per second, paced
    reporters: int = 16
    fault_every: float = 5.0
    freeze_seconds: float = 3.0
    settle_timeout: float = 180.0
    seed: int = 1
    signoff_seconds: float = 15.0  # the urgent 30 min to sign off, scaled (SLA_TIME_SCALE)
    dispatch_down: float = 2.0  # how long dispatch stays dead while deadlines pile up
    # Faults pause this long after the load while dispatch catches up, and resume for the
    # residents' race, the clock jump and the minutes (< 0: they never pause).
    fault_tail: float = -1.0


@dataclass
class Figures:
    plan: Plan = field(default_factory=Plan)
    residents: dict[str, str] = field(default_factory=dict)  # issue -> its resident
    numbers: dict[str, int] = field(default_factory=dict)  # issue -> report number
    retries: Counter = field(default_factory=Counter)  # by what was retried
    staff: list[asyncio.Task] = field(default_factory=list)  # sign-offs, resolutions under way
    closes: list[datetime] = field(default_factory=list)  # close_due_at of the resolutions
    faults: list[str] = field(default_factory=list)
    backlogs: list[int] = field(default_factory=list)  # due timers left at each mid-fire kill
    faulting: asyncio.Event = field(default_factory=asyncio.Event)  # clear: faults paused
    pause: asyncio.TimerHandle | None = None  # the pause to come (`fault_tail`)


@dataclass
class System:
    tmp: Path
    pg: EmbeddedPostgres
    broker: TansuBroker
    services: dict[str, LoggedService]
    env: dict[str, dict[str, str]]  # per service
    community: str
    clock_file: Path
    meeting_day: date

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
    clock_file = tmp / "clock-offset"
    day = chaos_clock.start(clock_file)
    base = {**os.environ, "DATABASE_URL": pg.database_url, "REDGRID_JWT_SECRET": SECRET,
            "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap, "RELAY_POLL_SECONDS": "0.5",
            "REDGRID_CLOCK_OFFSET_FILE": str(clock_file)}
    env = {name: {**base, "KAFKA_CONSUMER_GROUP": f"chaos-{run}-{name}"}
           for name in ("intake", "dispatch", "stats")}
    env["dispatch"]["SLA_TIME_SCALE"] = str(chaos_timers.time_scale(cfg.signoff_seconds))
    services = {name: LoggedService(name, free_port(), log_file=tmp / f"{name}.log")
                for name in env}
    system = System(tmp, pg, broker, services, env, f"chaos-{run}", clock_file, day)
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
                              n: int, deadline: float) -> None:
    """POST report n with its own Idempotency-Key until a 201 comes back."""
    resident, key, kind = f"u-chaos-{n % 97}", f"chaos-report-{n}", chaos_work.cohort(n)
    body = {"category": chaos_work.CATEGORY[kind], "description": f"chaos report {n}",
            "building": BUILDING, "unit": f"{n % 30 + 1}-{n % 7 + 1}01"}
    headers = {**system.token("resident", resident), "Idempotency-Key": key}
    r, retries = await chaos_work.post_until(client, f"{system.url('intake')}/v1/issues",
                                             json=body, headers=headers, ok=(201,),
                                             deadline=deadline, what=f"report {n}")
    figures.retries["report"] += retries
    issue = r.json()["id"]
    figures.plan.cohorts[issue], figures.residents[issue], figures.numbers[issue] = (
        kind, resident, n)
    if kind not in ("unsigned", "plain"):
        figures.staff.append(asyncio.create_task(
            staff(client, system, figures, issue, n, kind, deadline)))


async def staff(client: httpx.AsyncClient, system: System, figures: Figures, issue: str,
                n: int, kind: str, deadline: float) -> None:
    """The operator's part on one issue, beside the reports (it waits for dispatch)."""
    retries, close_due_at = await chaos_work.staff(client, system, issue, n, kind, deadline)
    figures.retries["staff"] += retries
    if close_due_at is not None:
        figures.closes.append(close_due_at)


async def configure(client: httpx.AsyncClient, system: System) -> None:
    """The grid, and the SLA limits the cohorts need."""
    body = {"community": system.community, "name": "混沌网格", "buildings": [BUILDING],
            "steward": "s-chaos", "repairer": "r-chaos", "backup_steward": "s-chaos-2",
            "backup_repairer": "r-chaos-2", "members": []}
    response = await client.put(f"{system.url('dispatch')}/v1/grids/g-chaos", json=body,
                                headers={**system.token("admin", "admin-chaos"),
                                         "Idempotency-Key": "chaos-grid"})
    response.raise_for_status()
    await chaos_work.configure_limits(client, system)


async def run(cfg: Config, tmp: Path, log=print) -> dict:
    """Start, load and work under faults, settle, check; always stop everything."""
    rng = random.Random(cfg.seed)
    figures = Figures()
    system = await start_system(tmp, cfg)
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            deadline = time.monotonic() + cfg.settle_timeout + 600 + cfg.reports / cfg.rate
            await configure(client, system)
            log(f"system up; {cfg.reports} reports by {cfg.reporters} reporters, "
                f"at {cfg.rate}/s, a fault every {cfg.fault_every}s")
            numbers, started = iter(range(cfg.reports)), time.monotonic()

            async def reporter() -> None:
                for n in numbers:
                    await asyncio.sleep(max(0.0, started + n / cfg.rate - time.monotonic()))
                    await send_until_accepted(client, system, figures, n, deadline)

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
                    await figures.faulting.wait()
                    if stop.is_set():
                        return
                    log(f"  fault {len(figures.faults) + 1}: {kind} "
                        f"({len(figures.plan.cohorts)} accepted so far)")
                    await system.fault(kind, cfg, figures)
                    figures.faults.append(kind)

            figures.faulting.set()
            chaos = asyncio.create_task(faults())
            try:
                await asyncio.gather(*(reporter() for _ in range(cfg.reporters)))
                loaded, during_load = time.monotonic(), len(figures.faults)
                if cfg.fault_tail >= 0:
                    figures.pause = asyncio.get_running_loop().call_later(
                        cfg.fault_tail, figures.faulting.clear)
                work = await chaos_workflow.run(client, system, figures, deadline, log)
                # The last deadlines (those a meeting set again) pass under faults too.
                await asyncio.wait([chaos], timeout=cfg.signoff_seconds + 1)
            finally:
                stop.set()
                figures.faulting.set()
                for task in figures.staff:
                    task.cancel()
                outcome, = await asyncio.gather(chaos, return_exceptions=True)
            if isinstance(outcome, Exception):
                raise outcome
            worked = time.monotonic()
            log(f"load done in {loaded - started:.1f}s, workflow in {worked - loaded:.1f}s; "
                "waiting for the system to settle")
            await wait_all_ready(list(system.services.values()), timeout=120)
            result = await chaos_check.settle(client, system, figures.plan, figures.residents,
                                              timeout=cfg.settle_timeout)
            return {"reports": len(figures.plan.cohorts),
                    "cohorts": dict(Counter(figures.plan.cohorts.values())),
                    "faults": len(figures.faults),
                    "faults_by_kind": {k: figures.faults.count(k) for k in FAULTS},
                    "faults_after_load": len(figures.faults) - during_load,
                    "retries": dict(figures.retries),
                    "mid_fire_kills": sum(1 for b in figures.backlogs if b > 0),
                    "mid_fire_backlogs": figures.backlogs, **work,
                    "load_seconds": round(loaded - started, 1),
                    "workflow_seconds": round(worked - loaded, 1),
                    "settle_seconds": round(time.monotonic() - worked, 1), **result}
    except BaseException:
        for task in figures.staff:
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
