"""Append-only event streams with optimistic concurrency on the stream version.

`PgEventStore` works on one connection so an append shares the caller's transaction (the
event row is the outbox row; a dedupe row or a read-model update can ride along).
`MemoryEventStore` has the same contract for unit tests.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from redgrid_shared.events import Envelope

NOTIFY_PREFIX = "redgrid_outbox_"
# One channel per schema, so an append wakes only the relay of the service that made it.
NOTIFY_SQL = f"SELECT pg_notify('{NOTIFY_PREFIX}' || current_schema(), '')"


# Which outbox (database/schema) a statement wrote to: a process may hold pools on several
# databases whose schemas share a name (tests do), and each has its own relay.
_OUTBOX = "current_database() || '/' || current_schema()"
APPEND_ONE_SQL = f"""
    WITH current AS (SELECT coalesce(max(version), 0) AS v FROM events WHERE stream_id = $1),
    ins AS (
        INSERT INTO events (stream_id, version, event_id, type, source, subject, topic, data,
                            occurred_at)
        SELECT $1, $2::int + 1, $3, $4, $5, $6, $7, $8, $9 FROM current WHERE v = $2::int
        ON CONFLICT DO NOTHING RETURNING version)
    SELECT (SELECT count(*) FROM ins) AS inserted, (SELECT v FROM current) AS actual,
           {_OUTBOX} AS outbox"""
# The first event of each of several streams, one statement: a stream that has an event at
# version 1 already, or an event id stored before, inserts nothing (ON CONFLICT DO NOTHING).
START_STREAMS_SQL = f"""
    WITH ins AS (
        INSERT INTO events (stream_id, version, event_id, type, source, subject, topic, data,
                            occurred_at)
        SELECT s, 1, i, t, src, subj, $7, d, o
        FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::jsonb[],
                    $8::timestamptz[]) WITH ORDINALITY AS u(s, i, t, src, subj, d, o, n)
        ORDER BY n
        ON CONFLICT DO NOTHING RETURNING stream_id)
    SELECT ARRAY(SELECT stream_id FROM ins) AS inserted, {_OUTBOX} AS outbox"""
# The same as a column of a caller's own statement's answer.
OUTBOX_COLUMN = f"{_OUTBOX} AS outbox"


def first_event_sql(p: int) -> str:
    """The first event of a new stream as a data-modifying statement for a caller's CTE,
    its 8 parameters from $p on (`first_event_args`): a caller writes its own rows from it in
    the same statement, which in autocommit is the whole transaction (no BEGIN and COMMIT
    round trips). A stream that has an event, or a stored event id, raises
    UniqueViolationError and the statement writes nothing."""
    return (f"INSERT INTO events (stream_id, version, event_id, type, source, subject, topic, "
            f"data, occurred_at) VALUES (${p}, 1, ${p + 1}, ${p + 2}, ${p + 3}, ${p + 4}, "
            f"${p + 5}, ${p + 6}, ${p + 7}) RETURNING version")


def first_event_args(stream_id: str, e: Envelope, *, topic: str) -> tuple:
    return (stream_id, e.id, e.type, e.source, e.subject, topic, e.data, e.time)


OUTBOX_SQL = f"SELECT {_OUTBOX}"
VERSION_SQL = f"""SELECT coalesce(max(version), 0) AS v, {_OUTBOX} AS outbox
                  FROM events WHERE stream_id = $1"""
# A NOTIFY inside a transaction makes PostgreSQL serialise the commits of all notifying
# transactions, each behind the previous one's WAL flush (the `Lock: object` waits in
# benchmarks.md). Pooled connections therefore wake the relay after the commit, when the pool
# takes them back (db.py). Keyed by backend pid (a pooled proxy and its connection share it),
# the outbox (database/schema) the append wrote to.
_notify_on_release: dict[int, str] = {}
# The relays of this process that hold their outbox's relay lock, by database/schema. Only
# the lock holder listens, so when it runs here nobody else needs the NOTIFY: the release
# wakes it directly (no NOTIFY round trip on the request path, no delivery through PostgreSQL).
_local_relays: dict[str, Callable[[], None]] = {}


def relay_here(outbox: str, wake: Callable[[], None]) -> None:
    """The relay of `outbox` (as OUTBOX_SQL names it) runs in this process and holds the
    lock until `relay_gone`."""
    _local_relays[outbox] = wake


def relay_gone(outbox: str, wake: Callable[[], None]) -> None:
    """That relay lost its connection (and so the lock) or stopped: NOTIFY again."""
    if _local_relays.get(outbox) == wake:
        del _local_relays[outbox]


async def notify_if_pending(conn: asyncpg.Connection) -> None:
    """Wake the relay for an append this (released, so committed) connection made: the
    relay in this process directly, else any replica's through NOTIFY."""
    outbox = _notify_on_release.pop(conn.get_server_pid(), None)
    if outbox is None:
        return
    wake = _local_relays.get(outbox)
    if wake is not None:
        wake()
    else:
        await conn.execute(NOTIFY_SQL)


def forget_pending(conn: asyncpg.Connection) -> None:
    """Drop a wake-up pending under this connection's backend pid (see db.init_connection)."""
    _notify_on_release.pop(conn.get_server_pid(), None)


def notify_channel(schema: str) -> str:
    """The LISTEN channel of a service's relay."""
    return NOTIFY_PREFIX + schema


class ConcurrencyConflict(Exception):
    """The stream moved past the expected version; reload and decide again."""

    def __init__(self, stream_id: str, expected: int, actual: int | None = None):
        super().__init__(f"stream {stream_id}: expected version {expected}, found {actual}")
        self.stream_id, self.expected, self.actual = stream_id, expected, actual


@dataclass(frozen=True)
class StoredEvent:
    """An event as read back from its stream."""

    stream_id: str
    version: int
    position: int
    envelope: Envelope
    recorded_at: datetime | None = None


class EventStore(Protocol):
    async def append(self, stream_id: str, expected_version: int, events: list[Envelope], *,
                     topic: str) -> int: ...

    async def start_streams(self, firsts: list[tuple[str, Envelope]], *,
                            topic: str) -> set[str]: ...

    async def read(self, stream_id: str) -> list[StoredEvent]: ...

    async def version(self, stream_id: str) -> int: ...


_COLUMNS = "stream_id, version, position, event_id, type, source, subject, data, occurred_at, recorded_at"


def to_stored(row: asyncpg.Record) -> StoredEvent:
    env = Envelope(id=row["event_id"], type=row["type"], source=row["source"],
                   subject=row["subject"], time=row["occurred_at"], data=row["data"])
    return StoredEvent(row["stream_id"], row["version"], row["position"], env, row["recorded_at"])


class PgEventStore:
    """The PostgreSQL event store, bound to a connection (and so to its transaction)."""

    def __init__(self, conn: asyncpg.Connection):
        self._conn = conn

    async def version(self, stream_id: str) -> int:
        """Current version of a stream; 0 when it has no events."""
        value = await self._conn.fetchval(
            "SELECT max(version) FROM events WHERE stream_id = $1", stream_id)
        return value or 0

    async def append(self, stream_id: str, expected_version: int, events: list[Envelope], *,
                     topic: str) -> int:
        """Append after `expected_version`; a stale version raises ConcurrencyConflict."""
        if len(events) == 1:
            return await self._append_one(stream_id, expected_version, events[0], topic=topic)
        actual, outbox = await self._conn.fetchrow(VERSION_SQL, stream_id)
        if actual != expected_version:
            raise ConcurrencyConflict(stream_id, expected_version, actual)
        rows = [(stream_id, expected_version + i + 1, e.id, e.type, e.source, e.subject, topic,
                 e.data, e.time) for i, e in enumerate(events)]
        try:
            # A savepoint keeps the caller's transaction usable after a lost race.
            async with self._conn.transaction():
                await self._conn.executemany(
                    """INSERT INTO events (stream_id, version, event_id, type, source, subject,
                       topic, data, occurred_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)""", rows)
        except asyncpg.UniqueViolationError as exc:
            raise ConcurrencyConflict(stream_id, expected_version) from exc
        await self._notify(outbox)
        return expected_version + len(events)

    async def start_streams(self, firsts: list[tuple[str, Envelope]], *, topic: str) -> set[str]:
        """The first event of each (stream_id, event) given, in that order, in one round
        trip: `append(stream_id, 0, [event])` for many streams at once. Returns the streams
        started; the others already had a first event (a lost race, a redelivery) and got
        nothing, as `append` would have raised ConcurrencyConflict for them."""
        if not firsts:
            return set()
        columns = list(zip(*((sid, e.id, e.type, e.source, e.subject, e.data, e.time)
                             for sid, e in firsts)))
        sids, ids, types, sources, subjects, datas, times = map(list, columns)
        row = await self._conn.fetchrow(START_STREAMS_SQL, sids, ids, types, sources, subjects,
                                        datas, topic, times)
        await self._notify(row["outbox"])
        return set(row["inserted"])

    async def appended(self, outbox: str) -> None:
        """Wake the relay of `outbox` for events a caller's own statement appended
        (`first_event_sql`), as `append` does for its own."""
        await self._notify(outbox)

    async def _notify(self, outbox: str) -> None:
        """Wake the relay: after the pool takes the connection back, or at commit."""
        if isinstance(self._conn, PoolConnectionProxy):
            _notify_on_release[self._conn.get_server_pid()] = outbox
        else:
            await self._conn.execute(NOTIFY_SQL)  # delivered at commit

    async def _append_one(self, stream_id: str, expected_version: int, e: Envelope, *,
                          topic: str) -> int:
        """The common case in one round trip instead of five: version check and insert in one
        statement (a pooled connection notifies on release, see `_notify`). ON CONFLICT DO
        NOTHING (a lost race, or an event id stored before) inserts nothing and leaves the
        caller's transaction usable, so no savepoint is needed; a single row cannot be
        half-inserted."""
        row = await self._conn.fetchrow(APPEND_ONE_SQL, stream_id, expected_version, e.id,
                                        e.type, e.source, e.subject, topic, e.data, e.time)
        await self._notify(row["outbox"])
        if not row["inserted"]:
            raise ConcurrencyConflict(stream_id, expected_version,
                                      None if row["actual"] == expected_version else row["actual"])
        return expected_version + 1

    async def read(self, stream_id: str) -> list[StoredEvent]:
        """All events of a stream, oldest first."""
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY version", stream_id)
        return [to_stored(r) for r in rows]


class MemoryEventStore:
    """In-memory event store with the same contract, for unit tests."""

    def __init__(self) -> None:
        self.streams: dict[str, list[StoredEvent]] = {}
        self.outbox: list[tuple[str, Envelope]] = []
        self._ids: set = set()

    async def version(self, stream_id: str) -> int:
        return len(self.streams.get(stream_id, []))

    async def append(self, stream_id: str, expected_version: int, events: list[Envelope], *,
                     topic: str) -> int:
        stream = self.streams.setdefault(stream_id, [])
        if len(stream) != expected_version or any(e.id in self._ids for e in events):
            raise ConcurrencyConflict(stream_id, expected_version, len(stream))
        for e in events:
            self._ids.add(e.id)
            stream.append(StoredEvent(stream_id, len(stream) + 1, len(self.outbox) + 1, e))
            self.outbox.append((topic, e))
        return len(stream)

    async def start_streams(self, firsts: list[tuple[str, Envelope]], *, topic: str) -> set[str]:
        started = set()
        for stream_id, e in firsts:
            try:
                await self.append(stream_id, 0, [e], topic=topic)
                started.add(stream_id)
            except ConcurrencyConflict:
                pass
        return started

    async def read(self, stream_id: str) -> list[StoredEvent]:
        return list(self.streams.get(stream_id, []))
