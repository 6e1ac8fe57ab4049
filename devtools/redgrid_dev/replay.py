"""Refill a fresh, empty broker from the event stores PostgreSQL already holds."""

from __future__ import annotations

import asyncpg

from redgrid_shared.republish import republish

EVENT_STORE_SCHEMAS = ("intake", "dispatch")


async def republish_event_stores(database_url: str,
                                 schemas: tuple[str, ...] = EVENT_STORE_SCHEMAS) -> dict[str, int]:
    """Mark every stored event unpublished in each schema that has an event store; counts by schema."""
    # The local broker keeps its log in memory: after a restart the log is empty while the stores
    # still mark events published, so stats could not rebuild and an event published but not yet
    # consumed would never arrive. Consumers dedupe by event id, so sending everything again is safe;
    # the services' relays send the events once they start.
    conn = await asyncpg.connect(database_url)
    try:
        present = [s for s in schemas if await conn.fetchval("SELECT to_regclass($1)", f"{s}.events")]
    finally:
        await conn.close()
    return {schema: await republish(database_url, schema) for schema in present}
