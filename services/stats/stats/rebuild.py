"""Rebuild the stats read models from offset 0 into another schema and compare with live.

`python -m stats.rebuild --schema stats_rebuild [--community C] [--as-of T]` drops and
re-creates the schema, consumes both topics from the beginning with a fresh consumer group
until caught up and quiet (see `replay`), prints the rebuilt summary, and exits 1 when it
differs from the live projection's summary for the same scope and as_of.
"""

import argparse
import asyncio
import json
import logging
import sys
import uuid
from datetime import datetime

import asyncpg
from aiokafka import AIOKafkaConsumer

from redgrid_shared import consumer, db, logreader
from redgrid_shared.clock import clock_from_settings, system_clock

from stats import figures, projections, queries
from stats.main import MIGRATIONS, TOPICS
from stats.models import Summary
from stats.scope import Scope, parse_moment
from stats.settings import Settings

log = logging.getLogger(__name__)


async def summarize(pool: asyncpg.Pool, *, community: str | None, as_of: datetime) -> Summary:
    """The all-time summary of one community (or all, when None) as of a moment."""
    scope = Scope(community=community, as_of=as_of)
    return Summary.of(scope, figures.tally(await queries.counts(pool, scope)))


async def replay(pool: asyncpg.Pool, bootstrap: str, *, timeout_seconds: float = 600,
                 idle_seconds: float = 1.0) -> int:
    """Apply every record until caught up and the topics stay quiet; returns how many were read.

    See `redgrid_shared.logreader` for what "caught up" means on Tansu and on Kafka.
    """
    kafka = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             group_id=f"stats-rebuild-{uuid.uuid4().hex[:12]}",
                             auto_offset_reset="earliest")

    async def apply(records) -> None:
        for record in records:
            await consumer.process_record(pool, record, projections.apply)

    await kafka.start()
    try:
        partitions = await logreader.partitions_of(kafka, TOPICS)
        return await logreader.read_to_end(kafka, partitions, apply, idle_seconds=idle_seconds,
                                           timeout_seconds=timeout_seconds)
    finally:
        await kafka.stop()


async def rebuild(database_url: str, bootstrap: str, schema: str, *, community: str | None = None,
                  as_of: datetime | None = None) -> Summary:
    """Project both topics from offset 0 into a fresh `schema`; the summary of the result."""
    if schema == Settings().schema:
        raise ValueError(f"refusing to rebuild into the live schema {schema!r}")
    as_of = as_of or system_clock()
    admin = await asyncpg.connect(database_url)
    try:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await admin.close()
    pool = await db.create_pool(database_url, schema, min_size=1, max_size=4)
    try:
        await db.migrate(pool, schema, MIGRATIONS)
        read = await replay(pool, bootstrap)
        parked = await pool.fetchval("SELECT count(*) FROM dead_letters")
        log.info("rebuilt %s from %d records (%d parked)", schema, read, parked)
        return await summarize(pool, community=community, as_of=as_of)
    finally:
        await pool.close()


async def live_summary(settings: Settings, *, community: str | None, as_of: datetime) -> Summary:
    """The summary the running service's projection gives for the same scope."""
    pool = await db.create_pool(settings.database_url, settings.schema, min_size=1, max_size=2)
    try:
        return await summarize(pool, community=community, as_of=as_of)
    finally:
        await pool.close()


def differences(rebuilt: Summary, live: Summary) -> dict[str, tuple]:
    """Figures that differ, as {name: (rebuilt, live)}."""
    a, b = rebuilt.figures(), live.figures()
    return {k: (a[k], b.get(k)) for k in a if a[k] != b.get(k)}


async def _main(args: argparse.Namespace) -> int:
    settings = Settings()
    as_of = parse_moment(args.as_of, "as_of") or clock_from_settings(settings)()
    rebuilt = await rebuild(settings.database_url, settings.kafka_bootstrap_servers, args.schema,
                            community=args.community, as_of=as_of)
    live = await live_summary(settings, community=args.community, as_of=as_of)
    print(json.dumps(rebuilt.figures(), ensure_ascii=False, indent=2))
    diff = differences(rebuilt, live)
    if diff:
        print(f"DIFFERENT from the live schema {settings.schema!r}:", file=sys.stderr)
        for name, (mine, theirs) in diff.items():
            print(f"  {name}: rebuilt {mine} != live {theirs}", file=sys.stderr)
        return 1
    print(f"equal to the live schema {settings.schema!r}")
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schema", default="stats_rebuild", help="schema to rebuild into")
    parser.add_argument("--community", help="compare this community only (default: all)")
    parser.add_argument("--as-of", help="compare as of this moment (default: now)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    sys.exit(asyncio.run(_main(args)))


if __name__ == "__main__":
    main()
