"""Follow dispatch's issue events on the resident's view and timeline, once per event."""

import asyncpg

from intake import store
from intake.follow.evolve import evolve
from intake.timeline import timeline_data
from redgrid_shared.events import Envelope, EventData


async def on_dispatch_event(conn: asyncpg.Connection, env: Envelope, event: EventData) -> None:
    """Apply one dispatch issue event: its timeline entry, then the view's changes."""
    issue_id = env.data["issue_id"]
    issue = await store.fetch_issue(conn, issue_id, for_update=True)
    if issue is None:
        # Intake commits a report before dispatch can hear of it, so an unknown issue means a
        # foreign or corrupt event: raise so the loop parks it in dead_letters for an operator.
        raise LookupError(f"unknown issue {issue_id}")
    if issue["community"] != env.data.get("community"):
        raise LookupError(f"issue {issue_id} is not of community {env.data.get('community')}")
    # The timeline row doubles as a per-event guard: a second delivery changes nothing.
    added = await store.add_timeline(
        conn, event_id=env.id, issue_id=issue_id, type=env.short_type, occurred_at=env.time,
        data=timeline_data(env.short_type, env.data, issue=issue))
    if added:
        await store.update_issue(conn, issue_id, evolve(issue, event, at=env.time))
