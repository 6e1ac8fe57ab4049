"""Dead letters: list, inspect, and re-apply after a fix. A re-apply decodes the stored
record and runs the service's handler through the same apply-once path as the consumer
(dedupe row with the effect), then marks the letter resolved with when, who and how, all
in one transaction. A record that still fails stays open with its new reason."""

from __future__ import annotations

import asyncpg

from redgrid_shared import codec
from redgrid_shared.apply import Handler, apply_on

COLUMNS = """id, topic, partition, "offset", key, headers, value, reason, community,
             recorded_at, resolved_at, resolved_by, resolution"""


class NotFound(LookupError):
    """No dead letter with this id (for this caller)."""


class AlreadyResolved(Exception):
    """The letter was resolved before; carries its row."""

    def __init__(self, row: dict):
        super().__init__(f"dead letter {row['id']} was resolved at {row['resolved_at']}")
        self.row = row


class StillFailing(Exception):
    """Re-applying failed again; the reason says why."""


def _visible(community: str | None) -> tuple[str, list]:
    """SQL filter: None sees every letter, a community only its own."""
    return ("TRUE", []) if community is None else ("community = $1", [community])


async def list_letters(db, *, community: str | None, state: str = "open", after: int = 0,
                       limit: int = 50) -> list[dict]:
    """Letters in id order after `after`; state is open, resolved or all."""
    where, args = _visible(community)
    states = {"open": "resolved_at IS NULL", "resolved": "resolved_at IS NOT NULL", "all": "TRUE"}
    n = len(args)
    rows = await db.fetch(
        f"""SELECT {COLUMNS} FROM dead_letters WHERE {where} AND {states[state]}
            AND id > ${n + 1} ORDER BY id LIMIT ${n + 2}""", *args, after, limit)
    return [dict(r) for r in rows]


async def get_letter(db, letter_id: int, *, community: str | None,
                     lock: bool = False) -> dict:
    """One letter, or NotFound (also when it belongs to another community)."""
    where, args = _visible(community)
    n = len(args)
    row = await db.fetchrow(
        f"SELECT {COLUMNS} FROM dead_letters WHERE {where} AND id = ${n + 1}"
        + (" FOR UPDATE" if lock else ""), *args, letter_id)
    if row is None:
        raise NotFound(f"no dead letter {letter_id}")
    return dict(row)


def decode(row: dict):
    """The stored record as an Envelope, or codec.MalformedEvent."""
    headers = {k: v.encode() for k, v in (row["headers"] or {}).items()}
    return codec.from_kafka(headers, row["key"], row["value"] or b"")


async def retry_on(conn: asyncpg.Connection, letter_id: int, *, by: str,
                   community: str | None, handlers: dict[str, Handler]) -> dict:
    """Inside the caller's transaction: re-apply one letter and mark it resolved; returns
    the updated row. AlreadyResolved, NotFound or StillFailing otherwise."""
    row = await get_letter(conn, letter_id, community=community, lock=True)
    if row["resolved_at"] is not None:
        raise AlreadyResolved(row)
    handler = handlers.get(row["topic"])
    if handler is None:
        raise StillFailing(f"this service has no handler for topic {row['topic']}")
    try:
        env = decode(row)
        async with conn.transaction():  # savepoint: a failing handler leaves nothing behind
            applied = await apply_on(conn, row["topic"], env, handler)
    except codec.MalformedEvent as exc:
        raise StillFailing(f"malformed: {exc}") from None
    except asyncpg.PostgresConnectionError:
        raise
    except Exception as exc:
        raise StillFailing(f"{type(exc).__name__}: {exc}") from None
    updated = await conn.fetchrow(
        f"""UPDATE dead_letters SET resolved_at = now(), resolved_by = $2, resolution = $3
            WHERE id = $1 RETURNING {COLUMNS}""",
        letter_id, by, "re-applied" if applied else "already applied (duplicate)")
    return dict(updated)


async def record_failure(db, letter_id: int, reason: str) -> None:
    """Keep the latest reason of an open letter that failed again."""
    await db.execute("UPDATE dead_letters SET reason = $2 WHERE id = $1 AND resolved_at IS NULL",
                     letter_id, f"retry failed: {reason}"[:2000])
