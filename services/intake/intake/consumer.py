"""Dispatch events in -> the resident's view of the issue and the categories' limits,
applied once per event id.

The shared loop runs `handle` inside the transaction that writes the processed-event row,
so an effect and its dedupe row commit together; raising parks the event in dead_letters.
"""

import asyncpg

from intake.categories import handlers as categories
from intake.follow import handlers as follow
from intake.follow.evolve import FOLLOWED
from redgrid_shared import events, topics

TOPICS: tuple[str, ...] = (topics.DISPATCH_EVENTS,)
# Only these are parsed: a malformed event of a type intake does not follow is not its concern.
ISSUE_TYPES = frozenset(t for t, model in events.EVENT_TYPES.items() if issubclass(model, FOLLOWED))


async def handle(conn: asyncpg.Connection, env: events.Envelope) -> None:
    """Follow every dispatch issue event and `sla.changed`; other types are not ours."""
    if env.short_type == events.SlaChanged.TYPE:
        await categories.on_sla_changed(conn, env, events.SlaChanged.model_validate(env.data))
    elif env.short_type in ISSUE_TYPES:
        await follow.on_dispatch_event(conn, env, events.parse(env))
