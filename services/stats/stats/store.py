"""Every write of the stats projections (reads live in queries.py). Batches, not loops:
one statement per table per transaction, whatever the number of events."""

import asyncpg

from redgrid_shared import events
from redgrid_shared.events import Envelope

Key = tuple[str, str]


async def lock_issues(conn: asyncpg.Connection, keys: list[Key]) -> None:
    """Serialise re-derivations of one issue (two topics, maybe two replicas), in key order."""
    await conn.execute(
        """SELECT count(pg_advisory_xact_lock(hashtextextended(k, 7)))
           FROM (SELECT k FROM unnest($1::text[]) k ORDER BY k) s""",
        [f"{c}/{i}" for c, i in keys])


async def add_issue_events(conn: asyncpg.Connection, rows: list[tuple]) -> None:
    await conn.executemany(
        """INSERT INTO issue_events (event_id, community, issue_id, type, at, data)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING""", rows)


def _keys(keys: list[Key]) -> tuple[list[str], list[str]]:
    return [k[0] for k in keys], [k[1] for k in keys]


_IN = "(community, issue_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))"


async def issue_events(conn: asyncpg.Connection, keys: list[Key]) -> dict[Key, list[dict]]:
    rows = await conn.fetch(
        f"SELECT community, issue_id, event_id::text, type, at, data FROM issue_events WHERE {_IN}",
        *_keys(keys))
    out: dict[Key, list[dict]] = {}
    for r in rows:
        out.setdefault((r["community"], r["issue_id"]), []).append(
            {"event_id": r["event_id"], "type": r["type"], "at": r["at"], "data": r["data"]})
    return out


async def flows_of(conn: asyncpg.Connection, keys: list[Key]) -> dict[Key, list[tuple]]:
    rows = await conn.fetch(
        f"""SELECT community, issue_id, at, metric, grid, category, source, person, n, amount
            FROM issue_flows WHERE {_IN}""", *_keys(keys))
    out: dict[Key, list[tuple]] = {}
    for r in rows:
        out.setdefault((r[0], r[1]), []).append(tuple(r)[2:])
    return out


async def states_of(conn: asyncpg.Connection, keys: list[Key]) -> dict[Key, list[tuple]]:
    rows = await conn.fetch(
        f"""SELECT community, issue_id, reported_at, from_at, to_at, status, grid, category,
                   source, overdue, steward, repairer, meeting_date
            FROM issue_states WHERE {_IN} ORDER BY from_at""", *_keys(keys))
    out: dict[Key, list[tuple]] = {}
    for r in rows:
        out.setdefault((r[0], r[1]), []).append(tuple(r)[2:])
    return out


async def replace_flows(conn: asyncpg.Connection, keys: list[Key], rows: list[tuple]) -> None:
    if not keys:
        return
    await conn.execute(f"DELETE FROM issue_flows WHERE {_IN}", *_keys(keys))
    if rows:
        await conn.copy_records_to_table("issue_flows", records=rows, columns=[
            "community", "issue_id", "at", "metric", "grid", "category", "source", "person",
            "n", "amount"])


async def replace_states(conn: asyncpg.Connection, keys: list[Key], rows: list[tuple]) -> None:
    if not keys:
        return
    await conn.execute(f"DELETE FROM issue_states WHERE {_IN}", *_keys(keys))
    if rows:
        await conn.copy_records_to_table("issue_states", records=rows, columns=[
            "community", "issue_id", "reported_at", "from_at", "to_at", "status", "grid",
            "category", "source", "overdue", "steward", "repairer", "meeting_date"])


async def add_counters(conn: asyncpg.Connection, rows: list[tuple]) -> None:
    """Add deltas (already summed per key, in key order so writers lock rows alike)."""
    if not rows:
        return
    columns = list(zip(*rows))
    await conn.execute(
        """INSERT INTO counters AS c (community, kind, period, bucket, metric, grid, category,
                                      source, person, n, amount)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::text[],
                                $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[],
                                $11::numeric[])
           ON CONFLICT (community, kind, person, period, bucket, metric, grid, category, source)
           DO UPDATE SET n = c.n + EXCLUDED.n, amount = c.amount + EXCLUDED.amount""",
        *[list(col) for col in columns])


async def add_meeting(conn: asyncpg.Connection, env: Envelope, data: events.MeetingHeld) -> None:
    a = data.attendees
    attendees = len({*a.community, *a.property_company, *a.owner_representatives, *a.volunteers})
    await conn.execute(
        """INSERT INTO meetings (event_id, community, meeting_date, recorded_at, attendees,
                                 decisions)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING""",
        env.id, data.community, data.meeting_date, env.time, attendees,
        [d.model_dump(mode="json") for d in data.decisions])


async def add_grid_holders(conn: asyncpg.Connection, env: Envelope,
                           data: events.GridConfigured) -> None:
    await conn.execute(
        """INSERT INTO grid_holders (event_id, community, grid_id, name, steward, repairer, from_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING""",
        env.id, data.community, data.grid_id, data.name, data.steward, data.repairer, env.time)


async def open_campaign(conn: asyncpg.Connection, env: Envelope,
                        data: events.CampaignOpened) -> None:
    await conn.execute(
        """INSERT INTO campaigns (community, campaign_id, name, categories, departments,
                                  starts_on, ends_on, opened_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (community, campaign_id) DO UPDATE SET name = EXCLUDED.name,
             categories = EXCLUDED.categories, departments = EXCLUDED.departments,
             starts_on = EXCLUDED.starts_on, ends_on = EXCLUDED.ends_on,
             opened_at = EXCLUDED.opened_at""",
        data.community, data.campaign_id, data.name, list(data.categories),
        list(data.departments), data.starts_on, data.ends_on, env.time)


async def add_campaign_issues(conn: asyncpg.Connection, env: Envelope,
                              data: events.CampaignIssuesAdded) -> None:
    await conn.executemany(
        """INSERT INTO campaign_issues (community, campaign_id, issue_id, added_at)
           VALUES ($1, $2, $3, $4) ON CONFLICT (community, campaign_id, issue_id)
           DO UPDATE SET added_at = LEAST(campaign_issues.added_at, EXCLUDED.added_at)""",
        [(data.community, data.campaign_id, i, env.time) for i in data.issue_ids])


async def close_campaign(conn: asyncpg.Connection, env: Envelope,
                         data: events.CampaignClosed) -> None:
    await conn.execute(
        """UPDATE campaigns SET closed_at = $3, results = $4
           WHERE community = $1 AND campaign_id = $2""",
        data.community, data.campaign_id, env.time, data.results)


async def add_availability(conn: asyncpg.Connection, env: Envelope,
                           data: events.StaffAvailabilityChanged) -> None:
    await conn.execute(
        """INSERT INTO staff_availability (event_id, community, staff_id, available, at)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING""",
        env.id, data.community, data.staff_id, data.available, env.time)
