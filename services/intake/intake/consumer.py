"""Dispatch events in -> the resident's view of the issue, applied once per event id.

The shared loop runs `handle` inside the transaction that writes the processed-event row,
so an effect and its dedupe row commit together; raising parks the event in dead_letters.
"""

import asyncpg

from intake import handlers
from redgrid_shared import events, topics

TOPICS: tuple[str, ...] = (topics.DISPATCH_EVENTS,)


async def handle(conn: asyncpg.Connection, env: events.Envelope) -> None:
    """Apply `issue.assigned` and `issue.unroutable`; every other type is not ours to follow."""
    if env.short_type not in (events.IssueAssigned.TYPE, events.IssueUnroutable.TYPE):
        return
    await handlers.on_dispatch_event(conn, env, events.parse(env))
