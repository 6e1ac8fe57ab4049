"""Event-store contract cases, each taking a fresh store (memory or PostgreSQL)."""

import pytest

from redgrid_shared import events
from redgrid_shared.eventstore import ConcurrencyConflict

TOPIC = "redgrid.intake.events"


def _event(stream: str):
    data = events.IssueUnroutable(issue_id=stream, community="c", building="b", reason="r")
    return events.envelope(data, service="intake", subject=stream)


async def appends_and_reads_back_in_order(store):
    stream = "issue-contract-1"
    assert await store.version(stream) == 0
    first, second = _event(stream), _event(stream)
    assert await store.append(stream, 0, [first], topic=TOPIC) == 1
    assert await store.append(stream, 1, [second], topic=TOPIC) == 2
    stored = await store.read(stream)
    assert [s.version for s in stored] == [1, 2]
    assert [s.envelope.id for s in stored] == [first.id, second.id]


async def stale_version_is_a_conflict_not_an_overwrite(store):
    stream = "issue-contract-2"
    kept = _event(stream)
    await store.append(stream, 0, [kept], topic=TOPIC)
    with pytest.raises(ConcurrencyConflict):
        await store.append(stream, 0, [_event(stream)], topic=TOPIC)
    assert [s.envelope.id for s in await store.read(stream)] == [kept.id]


async def future_version_is_a_conflict(store):
    with pytest.raises(ConcurrencyConflict):
        await store.append("issue-contract-3", 5, [_event("issue-contract-3")], topic=TOPIC)
    assert await store.version("issue-contract-3") == 0


async def the_same_event_id_is_never_stored_twice(store):
    event = _event("issue-contract-4")
    await store.append("issue-contract-4", 0, [event], topic=TOPIC)
    with pytest.raises(ConcurrencyConflict):
        await store.append("issue-contract-5", 0, [event], topic=TOPIC)
    assert await store.version("issue-contract-5") == 0


async def streams_start_together_except_those_already_started(store):
    begun, reused = _event("issue-contract-6"), _event("issue-contract-7")
    await store.append("issue-contract-6", 0, [begun], topic=TOPIC)
    firsts = [("issue-contract-6", _event("issue-contract-6")),   # has a first event already
              ("issue-contract-8", _event("issue-contract-8")),
              ("issue-contract-7", reused),
              ("issue-contract-9", reused),                        # an event id stored just now
              ("issue-contract-10", _event("issue-contract-10"))]
    started = await store.start_streams(firsts, topic=TOPIC)
    assert started == {"issue-contract-8", "issue-contract-7", "issue-contract-10"}
    assert [s.envelope.id for s in await store.read("issue-contract-6")] == [begun.id]
    for stream, event in firsts[1:3] + firsts[4:]:  # stored as given, at version 1
        assert [(s.version, s.envelope) for s in await store.read(stream)] == [(1, event)]
    assert await store.version("issue-contract-9") == 0
    assert await store.version("issue-contract-10") == 1
    assert await store.start_streams([], topic=TOPIC) == set()


CONTRACT_CASES = [appends_and_reads_back_in_order, stale_version_is_a_conflict_not_an_overwrite,
                  future_version_is_a_conflict, the_same_event_id_is_never_stored_twice,
                  streams_start_together_except_those_already_started]
