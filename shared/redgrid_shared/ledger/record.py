"""Write one service's part of a ledger in the caller's transaction, or say why it cannot.

A stream is written whole or not at all: absent, it gets every planned event; holding exactly
the planned event ids, it was imported before and is skipped; holding anything else (live
work, or another version of the row), it is a conflict reported with the ledger lines behind it.
"""

from dataclasses import dataclass, field

import asyncpg

from redgrid_shared.eventstore import PgEventStore
from redgrid_shared.ledger.plan import Stream


@dataclass
class Outcome:
    written: list[Stream] = field(default_factory=list)
    already: list[Stream] = field(default_factory=list)
    conflicts: dict[str, str] = field(default_factory=dict)  # "line 12: ledger_id" -> why

    @property
    def events_written(self) -> int:
        return sum(len(s.events) for s in self.written)


async def check(conn: asyncpg.Connection, streams: dict[str, Stream]) -> Outcome:
    """Sort the streams into new, already imported and conflicting; writes nothing."""
    outcome = Outcome()
    existing: dict[str, set] = {}
    rows = await conn.fetch("SELECT stream_id, event_id FROM events WHERE stream_id = ANY($1)",
                            list(streams))
    for row in rows:
        existing.setdefault(row["stream_id"], set()).add(row["event_id"])
    for stream in streams.values():
        held = existing.get(stream.stream_id)
        if held is None:
            outcome.written.append(stream)
        elif held == {e.id for e in stream.events}:
            outcome.already.append(stream)
        else:
            for line in sorted(stream.lines):
                outcome.conflicts.setdefault(
                    f"line {line}: ledger_id",
                    f"{stream.stream_id} already holds other events (live work, or this row "
                    "imported before with other values); a ledger cannot change history")
    return outcome


async def write(conn: asyncpg.Connection, outcome: Outcome, *, topic: str) -> None:
    """Append every new stream from version 0 (a concurrent writer raises ConcurrencyConflict)."""
    store = PgEventStore(conn)
    for stream in outcome.written:
        await store.append(stream.stream_id, 0, stream.events, topic=topic)
