"""Follow dispatch's issue events on the resident's view and timeline, once per event.

A consumed batch is followed at once: its issues are read and locked in one statement, the
events are evolved in log order in memory, their timeline rows go in one statement and each
issue's view is written once.
"""

from collections.abc import Sequence

import asyncpg

from intake import store
from intake.follow.evolve import evolve
from intake.timeline import timeline_data
from redgrid_shared.events import Envelope, EventData


class AlreadyFollowed(Exception):
    """Some events of a batch are on the timeline already: follow them one at a time."""


async def on_dispatch_events(conn: asyncpg.Connection,
                             items: Sequence[tuple[Envelope, EventData]]) -> None:
    """Apply a batch of dispatch issue events, in log order, as `on_dispatch_event` would."""
    issues = await store.fetch_issues(conn, sorted({env.data["issue_id"] for env, _ in items}))
    changed: dict[str, dict] = {}
    rows = []
    for env, event in items:
        issue_id = env.data["issue_id"]
        issue = issues.get(issue_id)
        if issue is None:
            raise LookupError(f"unknown issue {issue_id}")
        if issue["community"] != env.data.get("community"):
            raise LookupError(f"issue {issue_id} is not of community {env.data.get('community')}")
        rows.append((env.id, issue_id, env.short_type, env.time,
                     timeline_data(env.short_type, env.data, issue=issue)))
        changes = evolve(issue, event, at=env.time)
        issues[issue_id] = {**issue, **changes}
        changed.setdefault(issue_id, {}).update(changes)
    added = await store.add_timelines(conn, rows)
    if added < len(rows):
        # The timeline row is the per-event guard: with one event, a second delivery changes
        # nothing; in a batch, the others must evolve without it, so take them one by one.
        if len(rows) == 1:
            return
        raise AlreadyFollowed(f"{len(rows) - added} of {len(rows)} events already followed")
    await store.update_issues(conn, changed)
