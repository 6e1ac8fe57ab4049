"""Rebuild every stats projection from offset 0 into a fresh schema, then switch over.

    1. create schema `<live>_next`, migrate it (the live schema keeps serving);
    2. read both topics from offset 0 (no consumer group) and apply them in batches, each
       batch with its dedupe rows in one transaction;
    3. switch: one transaction locks the live `processed_events` (every consumer writes it
       first, so live consumers wait; readers go on), catches the new schema up to the end of
       the log, renames `<live>` -> `<live>_old_<time>` and `<live>_next` -> `<live>`, commits.

Nothing is lost: while the lock is held no consumer can commit, and the catch-up reads past
everything any consumer had applied. The consumer group's offsets are untouched; what the
live consumers read again after the switch is already in the new `processed_events` and is
skipped. Blocked statements re-resolve table names once the lock is released, so they land
in the new schema. `python -m stats.rebuild` is the command (progress bar); POST
/v1/stats/rebuild runs the same in the service process.
"""

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from redgrid_shared import codec, consumer, db, logreader
from redgrid_shared.events import Envelope

from stats import projections
from stats.settings import MIGRATIONS, TOPICS

log = logging.getLogger(__name__)
BATCH = 20000


@dataclass
class Progress:
    """What a rebuild has done so far; `total` is the log's size when it started."""

    rebuild_id: str = ""
    state: str = "idle"  # idle | reading | switching | done | failed
    read: int = 0
    total: int = 0
    applied: int = 0
    parked: int = 0
    schema_name: str | None = None
    retired: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None
    seconds: float = 0.0
    listeners: list[Callable[["Progress"], None]] = field(default_factory=list, repr=False)

    def view(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "listeners"}

    def tick(self) -> None:
        for listener in self.listeners:
            listener(self)


async def apply_batch(pool: asyncpg.Pool, records: list[ConsumerRecord]) -> tuple[int, int]:
    """Apply records with their dedupe rows in one transaction; (applied, parked).

    A batch that fails falls back to one record at a time, so a bad record is parked alone.
    """
    envs: list[tuple[ConsumerRecord, Envelope]] = []
    parked = 0
    for record in records:
        try:
            envs.append((record, codec.from_kafka(record.headers or [], record.key,
                                                  record.value or b"")))
        except codec.MalformedEvent as exc:
            await consumer.park(pool, record, f"malformed: {exc}")
            parked += 1
    try:
        async with pool.acquire() as conn, conn.transaction():
            fresh = {r["event_id"] for r in await conn.fetch(
                """INSERT INTO processed_events (event_id, topic, event_type)
                   SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])
                   ON CONFLICT (event_id) DO NOTHING RETURNING event_id""",
                [e.id for _, e in envs], [r.topic for r, _ in envs], [e.type for _, e in envs])}
            todo, seen = [], set()
            for _, env in envs:
                if env.id in fresh and env.id not in seen:
                    seen.add(env.id)
                    todo.append(env)
            await projections.apply_many(conn, todo, exclusive=True)
            return len(todo), parked
    except consumer.TRANSIENT:
        raise
    except Exception:
        applied = 0
        for record, _ in envs:
            outcome = await consumer.process_record(pool, record, projections.apply)
            applied += outcome == "applied"
            parked += outcome == "parked"
        return applied, parked


async def _ends(kafka: AIOKafkaConsumer, partitions: list[TopicPartition]) -> dict:
    ends = await kafka.end_offsets(partitions)
    return {tp: max(ends.get(tp) or 0, kafka.highwater(tp) or 0) for tp in partitions}


async def catch_up(kafka: AIOKafkaConsumer, partitions: list[TopicPartition], pool: asyncpg.Pool,
                   progress: Progress, *, idle_seconds: float) -> None:
    """Apply from the current positions until every partition reached the log's end."""
    quiet_since = time.monotonic()
    while True:
        got: list[ConsumerRecord] = []
        while len(got) < BATCH:  # fewer, larger transactions: each issue re-derived less often
            batches = await kafka.getmany(timeout_ms=200 if not got else 0, max_records=BATCH)
            more = [r for records in batches.values() for r in records]
            if not more:
                break
            got += more
        if got:
            applied, parked = await apply_batch(pool, got)
            progress.read += len(got)
            progress.applied += applied
            progress.parked += parked
            progress.total = max(progress.total, progress.read)
            progress.tick()
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= idle_seconds:
            ends = await _ends(kafka, partitions)
            if all([await kafka.position(tp) >= ends[tp] for tp in partitions]):
                return


def _schema_name(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,40}", name):
        raise ValueError(f"not a plain schema name: {name!r}")
    return name


async def rebuild(database_url: str, bootstrap: str, live: str, *,
                  progress: Progress | None = None, switch: bool = True,
                  idle_seconds: float = 1.0) -> Progress:
    """Rebuild `live`'s projections from offset 0 and (by default) switch over to them."""
    progress = progress or Progress()
    live = _schema_name(live)
    stamp = datetime.now(timezone.utc)
    target = f"{live}_next"
    progress.rebuild_id = progress.rebuild_id or uuid.uuid4().hex[:12]
    progress.state, progress.started_at, progress.schema_name = "reading", stamp, target
    progress.read = progress.applied = progress.parked = 0
    began = time.monotonic()
    admin = await asyncpg.connect(database_url)
    await admin.execute(f'DROP SCHEMA IF EXISTS "{target}" CASCADE')
    pool = await db.create_pool(database_url, target, min_size=1, max_size=2)
    kafka = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             group_id=None, auto_offset_reset="earliest",
                             max_partition_fetch_bytes=8 * 1024 * 1024)
    try:
        await db.migrate(pool, target, MIGRATIONS)
        await kafka.start()
        partitions = await logreader.partitions_of(kafka, TOPICS)
        kafka.assign(partitions)
        await kafka.seek_to_beginning(*partitions)
        starts = await kafka.beginning_offsets(partitions)
        ends = await _ends(kafka, partitions)
        progress.total = sum(ends[tp] - (starts.get(tp) or 0) for tp in partitions)
        progress.tick()
        await catch_up(kafka, partitions, pool, progress, idle_seconds=idle_seconds)
        await _analyze(pool, target)  # fresh statistics, so the first reads plan well
        if switch:
            progress.state = "switching"
            progress.tick()
            progress.retired = f"{live}_old_{stamp:%Y%m%d%H%M%S}"
            await _switch(admin, live, target, progress.retired,
                          lambda: catch_up(kafka, partitions, pool, progress,
                                           idle_seconds=min(idle_seconds, 0.3)))
            progress.schema_name = live
        progress.state = "done"
    except Exception as exc:
        progress.state, progress.error = "failed", f"{type(exc).__name__}: {exc}"
        log.exception("stats rebuild failed")
        raise
    finally:
        progress.finished_at = datetime.now(timezone.utc)
        progress.seconds = round(time.monotonic() - began, 3)
        progress.tick()
        await kafka.stop()
        await pool.close()
        await admin.close()
    return progress


async def _analyze(pool: asyncpg.Pool, schema: str) -> None:
    for (table,) in await pool.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1",
                                     schema):
        await pool.execute(f'ANALYZE "{schema}"."{table}"')


async def _switch(admin: asyncpg.Connection, live: str, target: str, retired: str,
                  catch_up_to_end) -> None:
    """Pause live consumers, catch up, swap the schema names, in one transaction."""
    async with admin.transaction():
        exists = await admin.fetchval(
            "SELECT to_regclass($1) IS NOT NULL", f'"{live}".processed_events')
        if exists:
            await admin.execute(f'LOCK TABLE "{live}".processed_events IN ACCESS EXCLUSIVE MODE')
        await catch_up_to_end()
        if await admin.fetchval("SELECT 1 FROM pg_namespace WHERE nspname = $1", live):
            await admin.execute(f'ALTER SCHEMA "{live}" RENAME TO "{retired}"')
        await admin.execute(f'ALTER SCHEMA "{target}" RENAME TO "{live}"')
    log.info("stats rebuilt: %s is live, the previous projections are in %s", live, retired)


async def drop_retired(database_url: str, live: str, *, keep: int = 1) -> list[str]:
    """Drop retired schemas `<live>_old_*` but the newest `keep`."""
    conn = await asyncpg.connect(database_url)
    try:
        names = [r[0] for r in await conn.fetch(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE $1 ORDER BY nspname DESC",
            f"{_schema_name(live)}\\_old\\_%")]
        for name in names[keep:]:
            await conn.execute(f'DROP SCHEMA "{name}" CASCADE')
        return names[keep:]
    finally:
        await conn.close()


def run_in_background(coro) -> asyncio.Task:
    task = asyncio.create_task(coro, name="stats-rebuild")
    task.add_done_callback(lambda t: t.cancelled() or t.exception())
    return task


def main(argv: list[str] | None = None) -> None:
    """`python -m stats.rebuild [--no-switch] [--drop-old]` with a progress bar."""
    import argparse
    import sys

    from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TimeElapsedColumn

    from stats.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-switch", action="store_true",
                        help="build <schema>_next and leave it beside the live schema")
    parser.add_argument("--drop-old", action="store_true",
                        help="drop earlier retired schemas, keeping the one just retired")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    settings = Settings()
    with Bar("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
             TimeElapsedColumn()) as bar:
        task = bar.add_task("reading the log", total=None)
        progress = Progress()
        progress.listeners.append(lambda p: bar.update(
            task, completed=p.read, total=max(p.total, p.read) or None,
            description=f"{p.state} ({p.applied} applied, {p.parked} parked)"))
        done = asyncio.run(rebuild(settings.database_url, settings.kafka_bootstrap_servers,
                                   settings.schema, progress=progress,
                                   switch=not args.no_switch))
    print(f"{done.read} records read, {done.applied} applied, {done.parked} parked in "
          f"{done.seconds:.1f} s; live schema: {done.schema_name}"
          + (f"; previous projections kept in {done.retired}" if done.retired else ""))
    if args.drop_old and not args.no_switch:
        dropped = asyncio.run(drop_retired(settings.database_url, settings.schema))
        print("dropped: " + (", ".join(dropped) or "nothing"))
    sys.exit(0 if done.state == "done" else 1)


if __name__ == "__main__":
    main()
