"""Dispatch events in -> the resident's view of the issue and the categories' limits,
applied once per event id.

The shared loop runs `handler` inside the transaction that writes the processed-event rows,
so effects and their dedupe rows commit together. It takes a consumed batch's fresh events at
once; raising makes the loop apply them one by one, and parks the event that still fails.
"""

from collections.abc import Sequence

import asyncpg

from intake.categories import handlers as categories
from intake.follow import handlers as follow
from intake.follow.evolve import FOLLOWED
from redgrid_shared import events, topics
from redgrid_shared.apply import Batched

TOPICS: tuple[str, ...] = (topics.DISPATCH_EVENTS,)
# Only these are parsed: a malformed event of a type intake does not follow is not its concern.
ISSUE_TYPES = frozenset(t for t, model in events.EVENT_TYPES.items() if issubclass(model, FOLLOWED))


async def handle_many(conn: asyncpg.Connection, envs: Sequence[events.Envelope]) -> None:
    """Follow every dispatch issue event and `sla.changed`; other types are not ours.
    Limits are applied one by one, the issue events of the batch together."""
    followed = []
    for env in envs:
        if env.short_type == events.SlaChanged.TYPE:
            await categories.on_sla_changed(conn, env, events.SlaChanged.model_validate(env.data))
        elif env.short_type in ISSUE_TYPES:
            followed.append((env, events.parse(env)))
    if followed:
        await follow.on_dispatch_events(conn, followed)


handler = Batched(handle_many)
handle = handler  # called with one event, it follows that one (dead-letter re-apply, tests)
