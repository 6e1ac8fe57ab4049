"""Load an issue from its dispatch stream and append to it, with the working row and timers.

The one way any dispatch code changes an issue:

    issue = await stream.load(conn, issue_id)            # NotFound when dispatch has no such issue
    events = decide.accept(issue, by=caller, now=now, timing=timing)
    issue = await stream.append(conn, issue, events, now=now)   # ConcurrencyConflict if it moved

`append` checks the stream version the state was loaded at (optimistic concurrency) and, in
the caller's transaction, updates `dispatch_issues` and the issue's timers to the new state.
`load` locks the working row first, so writers of one issue take their turns; the version
check stays as the guard for any writer that did not load through here.
"""

from dataclasses import replace
from datetime import datetime
from itertools import repeat

import asyncpg

from redgrid_shared import topics
from redgrid_shared.events import EventData, envelope, parse
from redgrid_shared.eventstore import PgEventStore

from dispatch import SERVICE
from redgrid_shared.domain import NotFound
from dispatch.timers import plan
from dispatch.workflow import store
from dispatch.workflow.aggregate import Issue, fold


def issue_stream(issue_id: str) -> str:
    """Dispatch's stream of one issue (intake keeps its own under the same name)."""
    return f"issue-{issue_id}"


def seed(row) -> Issue:
    """The state before any dispatch event: what the report said."""
    return Issue(issue_id=row["issue_id"], community=row["community"],
                 category=row["category"], building=row["building"],
                 vulnerable=row["vulnerable"])


def snapshot(row) -> Issue:
    """Who holds the issue now, from its working row (enough to decide who may see it)."""
    return replace(seed(row), status=row["status"], grid_id=row["grid_id"],
                   steward_id=row["steward_id"], repairer_id=row["repairer_id"])


async def load(conn: asyncpg.Connection, issue_id: str) -> Issue:
    """The issue's current state, folded from its stream; NotFound if dispatch never saw it.

    Locks the issue's working row for the rest of the transaction: writers of one issue
    queue here, then decide on what the one before them committed."""
    row = await store.lock_row(conn, issue_id)
    if row is None:
        raise NotFound(f"no issue {issue_id}")
    stored = await PgEventStore(conn).read(issue_stream(issue_id))
    return fold(((parse(s.envelope), s.envelope.time) for s in stored), seed(row))


async def append(conn: asyncpg.Connection, issue: Issue, events: list[EventData], *,
                 now: datetime) -> Issue:
    """Append the events after the loaded version; returns the new state. Nothing to append
    returns the state unchanged. Raises ConcurrencyConflict when the stream moved."""
    if not events:
        return issue
    envelopes = [envelope(e, service=SERVICE, subject=issue.issue_id, time=now) for e in events]
    await PgEventStore(conn).append(issue_stream(issue.issue_id), issue.version, envelopes,
                                    topic=topics.DISPATCH_EVENTS)
    after = fold(zip(events, repeat(now)), issue)
    await store.save(conn, after, at=now, timers=plan.wanted(after))  # one statement
    return after


async def start_many(conn: asyncpg.Connection, firsts: list[tuple[Issue, EventData]], *,
                     now: datetime) -> list[Issue]:
    """`append(conn, issue, [event])` for several issues that have no dispatch event yet
    (version 0), in two round trips for all of them. An issue whose stream got a first event
    meanwhile is left out, as `append` would have raised ConcurrencyConflict for it; the
    others' new states are returned."""
    assert all(issue.version == 0 for issue, _ in firsts)
    store_ = PgEventStore(conn)
    started = await store_.start_streams(
        [(issue_stream(issue.issue_id), envelope(e, service=SERVICE, subject=issue.issue_id,
                                                 time=now)) for issue, e in firsts],
        topic=topics.DISPATCH_EVENTS)
    afters = [fold([(e, now)], issue) for issue, e in firsts
              if issue_stream(issue.issue_id) in started]
    await store.save_many(conn, [(after, plan.wanted(after)) for after in afters], at=now)
    return afters
