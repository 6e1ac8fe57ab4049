"""`make run`: PostgreSQL and broker (unless given), the three services, demo directory and
the demo year (imported ledger), dev tokens."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import warnings
from pathlib import Path

from redgrid_dev import demo_directory, replay
from redgrid_dev.broker import TansuBroker, ensure_topics
from redgrid_dev.ports import is_free
from redgrid_dev.postgres import EmbeddedPostgres
from redgrid_dev.services import DEFAULT_PORTS, Service, first_exit, wait_all_ready
from redgrid_shared.settings import DEV_JWT_SECRET

DEFAULT_SECRET = DEV_JWT_SECRET
DEV_PRINCIPALS = (  # (role, sub, grids)
    ("resident", "u-1001", []),
    ("steward", "s-01", ["g-01"]),
    ("repairer", "r-01", ["g-01"]),
    ("operator", "op-1", []),
    ("admin", "admin-1", []),
)


def repo_root() -> Path:
    """The nearest folder at or above the working directory holding uv.lock."""
    here = Path.cwd().absolute()
    return next((p for p in (here, *here.parents) if (p / "uv.lock").exists()), here)


def main(argv: list[str]) -> int:
    """Bring everything up and block until Ctrl-C, SIGTERM or a service dying."""
    # Until the event loop takes over, SIGTERM/SIGHUP unwind like Ctrl-C so the `with` blocks stop servers.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_interrupt)
    data = Path(os.environ.get("REDGRID_DATA_DIR", repo_root() / ".data"))
    env = dict(os.environ)
    env.setdefault("REDGRID_JWT_SECRET", DEFAULT_SECRET)
    # `make demo` replays a year of reports through a few desk accounts in a minute or two.
    env.setdefault("RATE_LIMIT_WRITES", "6000/minute")
    env.setdefault("MEDIA_DIR", str(data / "media"))  # intake's uploaded photos
    try:
        with contextlib.ExitStack() as infra:
            if not env.get("DATABASE_URL"):
                print(f"starting PostgreSQL (data in {data / 'pg'})", flush=True)
                pg = infra.enter_context(EmbeddedPostgres(data / "pg", port=5432))
                env["DATABASE_URL"] = pg.database_url
            if not env.get("KAFKA_BOOTSTRAP_SERVERS"):
                print("starting Tansu broker", flush=True)
                data.mkdir(parents=True, exist_ok=True)
                broker = infra.enter_context(TansuBroker(port=9092, log_file=data / "tansu.log"))
                env["KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap
                _republish(env["DATABASE_URL"])
            else:
                asyncio.run(ensure_topics(env["KAFKA_BOOTSTRAP_SERVERS"]))
            print(f"DATABASE_URL={env['DATABASE_URL']}\nKAFKA_BOOTSTRAP_SERVERS={env['KAFKA_BOOTSTRAP_SERVERS']}",
                  flush=True)
            try:
                return asyncio.run(_supervise(env))
            finally:
                # A second Ctrl-C must not interrupt pg_ctl stop and leave the server running.
                for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                    signal.signal(sig, signal.SIG_IGN)
                print("stopping infrastructure", flush=True)
    except KeyboardInterrupt:
        return 130


async def _supervise(env: dict[str, str]) -> int:
    """Run the services until a stop signal (exit 0) or an unexpected exit/failure (exit 1)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    services = [Service(name, port) for name, port in DEFAULT_PORTS.items()]
    # Another process on a service port would answer /readyz for it and hide the real failure.
    busy = [f"{s.name} ({s.port})" for s in services if not is_free(s.port)]
    if busy:
        print(f"error: ports in use: {', '.join(busy)}; is another `make run` up?", file=sys.stderr)
        return 1
    stopping = asyncio.create_task(stop.wait())
    exited = ready = None
    try:
        for service in services:
            await service.start(env)
        exited = asyncio.create_task(first_exit(services))
        ready = asyncio.create_task(wait_all_ready(services))
        await asyncio.wait({stopping, exited, ready}, return_when=asyncio.FIRST_COMPLETED)
        if not stopping.done() and not exited.done():
            ready.result()  # raises if a service never became ready
            await asyncio.to_thread(_load_directory, env, services)
            await _load_demo_year(env, services)
            _print_banner(env, services)
            await asyncio.wait({stopping, exited}, return_when=asyncio.FIRST_COMPLETED)
        if exited.done():
            dead = exited.result()
            print(f"{dead.name} exited unexpectedly with code {dead.proc.returncode}; shutting down", file=sys.stderr)
            return 1
        return 0
    except (RuntimeError, TimeoutError) as err:
        print(f"error: {err}; shutting down", file=sys.stderr)
        return 1
    finally:
        print("stopping services", flush=True)
        for task in (stopping, exited, ready):
            if task is not None:
                task.cancel()
        await asyncio.gather(*(s.stop() for s in services))


def _republish(database_url: str) -> None:
    """Queue the stored events for the new, empty broker log and say how many."""
    counts = asyncio.run(replay.republish_event_stores(database_url))
    if counts:
        detail = ", ".join(f"{schema} {n}" for schema, n in counts.items())
        print(f"broker log starts empty: queued {sum(counts.values())} stored events for republishing"
              f" ({detail})", flush=True)


def _load_directory(env: dict[str, str], services: list[Service]) -> None:
    dispatch = next(s for s in services if s.name == "dispatch")
    token = _mint(env, "admin", "admin-1", [])
    try:
        ids = demo_directory.load(dispatch.url, token)
        print(f"loaded demo grids {', '.join(ids)} into dispatch", flush=True)
    except Exception as err:  # the system is up; a directory problem should not take it down
        print(f"warning: could not load the demo directory: {err}", file=sys.stderr)


async def _load_demo_year(env: dict[str, str], services: list[Service]) -> None:
    """Import the seed community's past year (idempotent: a second run writes nothing), so the
    dashboard has history at once; `make demo` adds this month through the live APIs."""
    from datetime import datetime, timezone

    from redgrid_dev import demo_ledger
    from redgrid_dev.import_ledger import Target, import_ledger

    urls = {s.name: s.url for s in services}
    target = Target(urls["intake"], urls["dispatch"], _mint(env, "admin", "admin-1", []))
    try:
        results = await import_ledger(demo_ledger.jsonl(datetime.now(timezone.utc)), "jsonl",
                                      target)
        written = results["dispatch"]["streams_written"]
        print(f"demo year of 二桥西社区: {written} issues imported "
              f"({results['dispatch']['streams_already']} already there)", flush=True)
    except Exception as err:  # the system is up; demo data should not take it down
        print(f"warning: could not import the demo year: {err}", file=sys.stderr)


def _mint(env: dict[str, str], role: str, sub: str, grids: list[str]) -> str:
    from redgrid_shared.auth import mint_token

    # The well-known dev secret is short on purpose; PyJWT's key-length warning would only add noise.
    warnings.filterwarnings("ignore", message="The HMAC key is")
    return mint_token(secret=env["REDGRID_JWT_SECRET"], sub=sub, role=role,
                      community=demo_directory.COMMUNITY, grids=grids)


def _print_banner(env: dict[str, str], services: list[Service]) -> None:
    lines = ["", "RedGrid is running (Ctrl-C to stop)"]
    lines += [f"  {s.name:<8} {s.url}   docs: {s.url}/docs" for s in services]
    stats = next(s for s in services if s.name == "stats")
    operator = _mint(env, "operator", "op-1", [])
    lines += ["", "Point a browser at the operations dashboard (signed in as operator op-1):",
              f"  {stats.url}/dashboard#token={operator}", ""]
    if env["REDGRID_JWT_SECRET"] == DEFAULT_SECRET:
        lines.append("JWT secret: the development secret (set REDGRID_JWT_SECRET for anything else)")
    lines.append("Development tokens (community erqiaoxi, 24 h):")
    for role, sub, grids in DEV_PRINCIPALS:
        lines.append(f"  {role:<9} {sub:<8} {_mint(env, role, sub, grids)}")
    lines += ["  use as: curl -H 'Authorization: Bearer <token>' ...", ""]
    print("\n".join(lines), flush=True)


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
