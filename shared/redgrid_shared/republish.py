"""Republish a service's whole event store to Kafka (e.g. after the broker lost its log).

`python -m redgrid_shared.republish --schema intake [--since-position N]` clears the
published mark; the running service's relay then sends every event again, in order.
Consumers dedupe by event id, so read models stay exact.
"""

import argparse
import asyncio

import asyncpg

from redgrid_shared.eventstore import NOTIFY_SQL
from redgrid_shared.settings import ServiceSettings


async def republish(database_url: str, schema: str, since_position: int = 0) -> int:
    """Mark events from `since_position` unpublished and wake the relay; returns the count."""
    conn = await asyncpg.connect(database_url, server_settings={"search_path": schema})
    try:
        async with conn.transaction():
            status = await conn.execute(
                "UPDATE events SET published_at = NULL WHERE position >= $1", since_position)
            await conn.execute(NOTIFY_SQL)
        return int(status.split()[-1])
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schema", required=True, choices=["intake", "dispatch"])
    parser.add_argument("--since-position", type=int, default=0)
    args = parser.parse_args()
    count = asyncio.run(republish(ServiceSettings().database_url, args.schema,
                                  args.since_position))
    print(f"{count} events of {args.schema} queued for republishing")


if __name__ == "__main__":
    main()
