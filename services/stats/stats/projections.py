"""Projections: events -> stats tables, in the caller's transaction, idempotent and order-free.

Issue events are stored per issue; every touched issue is then re-derived from all of its
events (`timeline.derive`), and only the difference from what was derived before is written:
its exact rows (`issue_flows`, `issue_states`) and the counter deltas of every bucket they
fall in. A redelivered event is filtered by the caller's dedupe row; a replay of the whole
log into live tables re-derives the same rows and so changes nothing.

`handler` is the consumer loop's: it takes the fresh events of a consumed batch at once, so
an issue touched by several of them is re-derived once per batch. `apply` takes one event,
`apply_many` any number (rebuilds read the log in large batches).
"""

import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import date

import asyncpg

from redgrid_shared import events
from redgrid_shared.apply import Batched
from redgrid_shared.events import Envelope

from stats import store
from stats.buckets import bucket_keys
from stats.timeline import ISSUE_TYPES, OPEN_STATUSES, Event, derive

Key = tuple[str, str]  # (community, issue_id)
# Counter rows with grid (and, for events, category and source) "*" hold the community's
# totals, so a selection without those filters sums a few rows instead of every grid's.
ALL = "*"


async def apply(conn: asyncpg.Connection, env: Envelope) -> None:
    """Project one event (the consumer loop's handler)."""
    await apply_many(conn, [env])


async def apply_many(conn: asyncpg.Connection, envs: Iterable[Envelope], *,
                     exclusive: bool = False) -> None:
    """Project events in one transaction; unknown types are ignored.

    `exclusive`: the caller is the only writer of these tables (a rebuild into its own
    schema), so issues need no locks — a batch may touch more issues than the lock table holds.
    """
    issue_rows: list[tuple] = []
    for env in envs:
        kind = env.short_type
        data = events.parse(env)  # validates: a malformed event raises and is parked
        if kind in ISSUE_TYPES:
            issue_rows.append((env.id, data.community, data.issue_id, kind, env.time, env.data))
        elif isinstance(data, events.MeetingHeld):
            issue_rows += _decisions(env, data)
            await store.add_meeting(conn, env, data)
        elif isinstance(data, events.GridConfigured):
            await store.add_grid_holders(conn, env, data)
        elif isinstance(data, events.CampaignOpened):
            await store.open_campaign(conn, env, data)
        elif isinstance(data, events.CampaignIssuesAdded):
            await store.add_campaign_issues(conn, env, data)
        elif isinstance(data, events.CampaignClosed):
            await store.close_campaign(conn, env, data)
        elif isinstance(data, events.StaffAvailabilityChanged):
            await store.add_availability(conn, env, data)
    if issue_rows:
        await store.add_issue_events(conn, issue_rows)
        await rederive(conn, sorted({(r[1], r[2]) for r in issue_rows}), lock=not exclusive)


handler = Batched(apply_many)


def _decisions(env: Envelope, data: events.MeetingHeld) -> list[tuple]:
    """A meeting's decision on an issue is one more event of that issue."""
    return [(uuid.uuid5(env.id, f"{i}:{d.issue_id}"), data.community, d.issue_id,
             "meeting.decision", env.time,
             {"decision": d.decision, "meeting_date": data.meeting_date.isoformat()})
            for i, d in enumerate(data.decisions)]


async def rederive(conn: asyncpg.Connection, keys: list[Key], *, lock: bool = True) -> None:
    """Re-derive issues from all their events and write what changed."""
    if lock:
        await store.lock_issues(conn, keys)
    stored = await store.issue_events(conn, keys)
    old_flows = await store.flows_of(conn, keys)
    old_states = await store.states_of(conn, keys)
    deltas: Counter = Counter()
    amounts: Counter = Counter()
    flow_rows, state_rows, replace_flows, replace_states = [], [], [], []
    for key in keys:
        d = derive([Event.of(**e) for e in stored.get(key, [])])
        new_flows = [(f.at, f.metric, f.grid, d.category, d.source, f.person, f.n, f.amount)
                     for f in d.flows]
        before = Counter(old_flows.get(key, []))
        after = Counter(new_flows)
        if before != after:
            replace_flows.append(key)
            flow_rows += [key + row for row in new_flows]
            for row, times in (before - after).items():
                _count_flow(deltas, amounts, key[0], row, -times)
            for row, times in (after - before).items():
                _count_flow(deltas, amounts, key[0], row, times)
        new_states = [(d.reported_at, s.from_at, s.to_at, s.status, s.grid, d.category,
                       d.source, s.overdue, s.steward, s.repairer, _day(s.meeting_date))
                      for s in d.states]
        old = old_states.get(key, [])
        if old != new_states:
            replace_states.append(key)
            state_rows += [key + row for row in new_states]
            _count_state(deltas, key[0], old[-1] if old else None, -1)
            _count_state(deltas, key[0], new_states[-1] if new_states else None, 1)
    await store.replace_flows(conn, replace_flows, flow_rows)
    await store.replace_states(conn, replace_states, state_rows)
    await store.add_counters(conn, [k + (n, amounts[k]) for k, n in sorted(deltas.items())
                                    if n or amounts[k]])


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _count_flow(deltas: Counter, amounts: Counter, community: str, row: tuple,
                times: int) -> None:
    at, metric, grid, category, source, person, n, amount = row
    dims = [(grid, category, source)] + ([(ALL, ALL, ALL)] if person == "" else [])
    for period, bucket in bucket_keys(at):
        for g, c, s in dims:
            key = (community, "f", period, bucket, metric, g, c, s, person)
            deltas[key] += n * times
            amounts[key] += amount * times


def _count_state(deltas: Counter, community: str, state: tuple | None, sign: int) -> None:
    """The current state of an issue in its report buckets: status, and overdue when open."""
    if state is None:
        return
    reported_at, _, _, status, grid, category, source, overdue, steward, repairer, _ = state
    metrics = [f"status.{status}"] + (["overdue"] if overdue and status in OPEN_STATUSES else [])
    people = [""] + sorted({p for p in (steward, repairer) if p})
    for period, bucket in bucket_keys(reported_at):
        for metric in metrics:
            for person in people:
                deltas[(community, "s", period, bucket, metric, grid, category, source,
                        person)] += sign
            # the whole community's row: the summary without a grid filter reads only these
            deltas[(community, "s", period, bucket, metric, ALL, category, source, "")] += sign

