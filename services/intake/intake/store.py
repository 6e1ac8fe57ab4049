"""Every SQL statement intake runs against its own schema (the shared event store aside)."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from redgrid_shared.events import Envelope
from redgrid_shared.eventstore import OUTBOX_COLUMN, first_event_args, first_event_sql

ISSUE_COLUMNS = (
    "id", "community", "reporter_id", "reported_by", "reported_by_role", "category", "description", "building",
    "unit", "vulnerable", "photos", "source", "status", "grid_id", "steward_id", "repairer_id",
    "signoff_due_at", "completion_limit_minutes", "completion_due_at", "meeting_date",
    "stream_version", "created_at", "updated_at", "resolution_note", "amount_charged",
    "resolved_at", "close_due_at", "department", "pending_action", "pending_event_id", "rating",
    "rating_comment",
)
# Columns an event may change after the report; the rest are fixed at creation.
MUTABLE_COLUMNS = frozenset({
    "status", "grid_id", "steward_id", "repairer_id", "signoff_due_at",
    "completion_limit_minutes", "completion_due_at", "meeting_date", "stream_version",
    "updated_at", "resolution_note", "amount_charged", "resolved_at", "close_due_at",
    "department", "pending_action", "pending_event_id", "rating", "rating_comment",
})


@dataclass(frozen=True)
class Scope:
    """Which issues a caller may list: all of a community, narrowed by reporter or grids."""

    community: str
    reporter_id: str | None = None
    grids: tuple[str, ...] | None = None
    # (sub, role): staff also see what they, in that role, filed for a resident
    reported_by: tuple[str, str] | None = None


async def insert_issue(conn: asyncpg.Connection, row: dict) -> asyncpg.Record:
    """Insert a new issue row and return it."""
    columns = [c for c in ISSUE_COLUMNS if c in row]
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    return await conn.fetchrow(
        f"INSERT INTO issues ({', '.join(columns)}) VALUES ({placeholders}) RETURNING *",
        *(row[c] for c in columns))


async def insert_report(conn: asyncpg.Connection, row: dict, *, stream_id: str,
                        event: Envelope, topic: str, entry: dict) -> asyncpg.Record:
    """A new issue in one statement: its stream's first event (the outbox row), its row and
    its first timeline entry, the row returned with the `outbox` it was written to. Run
    outside a transaction it commits on its own; if any part fails, nothing is written."""
    columns = [c for c in ISSUE_COLUMNS if c in row]
    n = len(columns)
    e = n + 1  # the event's parameters: stream, id, type, source, subject, topic, data, time
    return await conn.fetchrow(
        f"""WITH appended AS ({first_event_sql(e)}),
                 issue AS (INSERT INTO issues ({', '.join(columns)})
                           SELECT {', '.join(f'${i}' for i in range(1, n + 1))} FROM appended
                           RETURNING *),
                 entry AS (INSERT INTO issue_timeline (event_id, issue_id, type, occurred_at,
                                                       data)
                           SELECT ${e + 1}, id, ${e + 8}, ${e + 7}, ${e + 9} FROM issue)
            SELECT issue.*, {OUTBOX_COLUMN} FROM issue""",
        *(row[c] for c in columns), *first_event_args(stream_id, event, topic=topic),
        event.short_type, entry)


async def fetch_issue(conn: asyncpg.Connection, issue_id: str, *,
                      for_update: bool = False) -> asyncpg.Record | None:
    """One issue row, optionally locked for the rest of the transaction."""
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(f"SELECT * FROM issues WHERE id = $1{lock}", issue_id)


async def fetch_issues(conn: asyncpg.Connection, ids: list[str]) -> dict[str, dict]:
    """Issues by id, locked for the rest of the transaction (in id order, as others lock)."""
    rows = await conn.fetch(
        "SELECT * FROM issues WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE", ids)
    return {r["id"]: dict(r) for r in rows}


async def update_issues(conn: asyncpg.Connection, changes: dict[str, dict]) -> None:
    """Apply column changes to several issues: one pipelined statement per set of columns."""
    by_columns: dict[tuple[str, ...], list[tuple]] = {}
    for issue_id, change in sorted(changes.items()):
        unknown = set(change) - MUTABLE_COLUMNS
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        if change:
            columns = tuple(sorted(change))
            by_columns.setdefault(columns, []).append(
                (issue_id, *(change[c] for c in columns)))
    for columns, rows in by_columns.items():
        assignments = ", ".join(f"{c} = ${i}" for i, c in enumerate(columns, start=2))
        await conn.executemany(f"UPDATE issues SET {assignments} WHERE id = $1", rows)


async def update_issue(conn: asyncpg.Connection, issue_id: str, changes: dict) -> None:
    """Apply column changes decided by an event."""
    await update_issues(conn, {issue_id: changes})


async def page_issues(conn: asyncpg.Connection, *, scope: Scope, status: str | None,
                      after: tuple[datetime, str] | None, limit: int) -> list[asyncpg.Record]:
    """Up to `limit` issues in scope, newest first, strictly after the keyset `after`."""
    where = ["community = $1"]
    args: list = [scope.community]

    def arg(value) -> str:
        args.append(value)
        return f"${len(args)}"

    if scope.reporter_id is not None:
        where.append(f"reporter_id = {arg(scope.reporter_id)}")
    if scope.grids is not None:
        in_grid = f"grid_id = ANY({arg(list(scope.grids))}::text[])"
        if scope.reported_by is not None:
            filer, role = arg(scope.reported_by[0]), arg(scope.reported_by[1])
            in_grid = (f"({in_grid} OR (reported_by = {filer} AND reported_by_role = {role}"
                       f" AND reporter_id <> {filer}))")
        where.append(in_grid)
    if status is not None:
        where.append(f"status = {arg(status)}")
    if after is not None:
        where.append(f"(created_at, id) < ({arg(after[0])}, {arg(after[1])})")
    return await conn.fetch(
        f"""SELECT * FROM issues WHERE {' AND '.join(where)}
            ORDER BY created_at DESC, id DESC LIMIT {arg(limit)}""", *args)


async def add_timeline(conn: asyncpg.Connection, *, event_id: UUID, issue_id: str, type: str,
                       occurred_at: datetime, data: dict) -> bool:
    """Add one timeline row; False when this event is already on the timeline."""
    added = await conn.fetchval(
        """INSERT INTO issue_timeline (event_id, issue_id, type, occurred_at, data)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING RETURNING true""",
        event_id, issue_id, type, occurred_at, data)
    return bool(added)


async def add_timelines(conn: asyncpg.Connection, rows: list[tuple]) -> int:
    """Add timeline rows (event_id, issue_id, type, occurred_at, data); how many were new."""
    if not rows:
        return 0
    columns = list(zip(*rows))
    return await conn.fetchval(
        """WITH added AS (
               INSERT INTO issue_timeline (event_id, issue_id, type, occurred_at, data)
               SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[],
                                    $5::jsonb[])
               ON CONFLICT (event_id) DO NOTHING RETURNING 1)
           SELECT count(*) FROM added""", *[list(c) for c in columns])


async def timeline(conn: asyncpg.Connection, issue_id: str) -> list[asyncpg.Record]:
    """An issue's timeline rows, oldest first."""
    return await conn.fetch(
        """SELECT event_id, type, occurred_at, data FROM issue_timeline
           WHERE issue_id = $1 ORDER BY occurred_at, seq""", issue_id)


async def timeline_row(conn: asyncpg.Connection, event_id: UUID) -> asyncpg.Record | None:
    """One timeline row by its event id."""
    return await conn.fetchrow(
        "SELECT event_id, type, occurred_at, data FROM issue_timeline WHERE event_id = $1",
        event_id)
