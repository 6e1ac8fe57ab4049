"""SQL of meetings: the minutes rows, agenda summaries and each agenda issue's history."""

from datetime import date, datetime

import asyncpg

from redgrid_shared.events import MeetingHeld

Db = asyncpg.Connection | asyncpg.Pool
_SUMMARY = """issue_id, category, description, building, grid_id, status, urgent, vulnerable,
              reported_at"""


async def minutes(db: Db, community: str, meeting_date: date) -> asyncpg.Record | None:
    return await db.fetchrow("SELECT * FROM meetings WHERE community = $1 AND meeting_date = $2",
                             community, meeting_date)


async def save_minutes(conn: asyncpg.Connection, event: MeetingHeld, *, at: datetime) -> None:
    await conn.execute(
        """INSERT INTO meetings (community, meeting_date, recorded_by, recorded_at, attendees,
               decisions) VALUES ($1,$2,$3,$4,$5,$6)""",
        event.community, event.meeting_date, event.recorded_by, at,
        event.attendees.model_dump(mode="json"),
        [d.model_dump(mode="json") for d in event.decisions])


async def summaries(db: Db, community: str, issue_ids: list[str]) -> list[asyncpg.Record]:
    """Working rows of these issues of the community, in the order given."""
    rows = await db.fetch(
        f"SELECT {_SUMMARY} FROM dispatch_issues WHERE community = $1 AND issue_id = ANY($2)",
        community, issue_ids)
    by_id = {r["issue_id"]: r for r in rows}
    return [by_id[i] for i in issue_ids if i in by_id]


async def histories(db: Db, issue_ids: list[str]) -> dict[str, list[asyncpg.Record]]:
    """Each issue's dispatch events, oldest first."""
    rows = await db.fetch(
        """SELECT subject, type, occurred_at, data FROM events
           WHERE stream_id = ANY($1) ORDER BY stream_id, version""",
        [f"issue-{i}" for i in issue_ids])
    result: dict[str, list[asyncpg.Record]] = {i: [] for i in issue_ids}
    for r in rows:
        result[r["subject"]].append(r)
    return result


async def lock_meeting(conn: asyncpg.Connection, community: str, meeting_date: date) -> None:
    """Serialise recordings of one meeting's minutes until the transaction ends: a second
    recording then reads the first one's minutes (409), not its half-changed agenda."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))",
                       f"meeting:{community}/{meeting_date.isoformat()}")
