"""Every SQL statement of campaigns: the campaign rows and their issue membership."""

from datetime import datetime

import asyncpg

from redgrid_shared.events import CampaignClosed, CampaignIssuesAdded, CampaignOpened

Db = asyncpg.Connection | asyncpg.Pool
_COLUMNS = """c.community, c.campaign_id, c.seq, c.name, c.categories, c.departments,
              c.starts_on, c.ends_on, c.status, c.results, c.opened_by, c.opened_at,
              c.closed_by, c.closed_at, c.version"""
# Live counts of a campaign's issues by their dispatch status.
_COUNTS = """(SELECT coalesce(jsonb_object_agg(status, n), '{}'::jsonb) FROM (
                 SELECT coalesce(d.status, 'unknown') AS status, count(*) AS n
                 FROM campaign_issues ci
                 LEFT JOIN dispatch_issues d ON d.issue_id = ci.issue_id
                      AND d.community = ci.community
                 WHERE ci.community = c.community AND ci.campaign_id = c.campaign_id
                 GROUP BY 1) s) AS by_status"""


async def next_seq(conn: asyncpg.Connection, community: str) -> int:
    """The next campaign number of a community (a concurrent open loses on UNIQUE and retries)."""
    return await conn.fetchval(
        "SELECT coalesce(max(seq), 0) + 1 FROM campaigns WHERE community = $1", community)


async def campaign(db: Db, community: str, campaign_id: str, *,
                   lock: bool = False) -> asyncpg.Record | None:
    """One campaign with its counts; `lock` holds its row until the transaction ends."""
    row = await db.fetchrow(
        f"""SELECT {_COLUMNS} FROM campaigns c WHERE community = $1 AND campaign_id = $2
            {'FOR UPDATE' if lock else ''}""", community, campaign_id)
    if row is None:
        return None
    return await db.fetchrow(f"SELECT {_COLUMNS}, {_COUNTS} FROM campaigns c "
                             "WHERE community = $1 AND campaign_id = $2", community, campaign_id)


async def list_campaigns(db: Db, community: str, *, status: str | None, before: int | None,
                         limit: int) -> list[asyncpg.Record]:
    """A community's campaigns, newest first, below a cursor."""
    return await db.fetch(
        f"""SELECT {_COLUMNS}, {_COUNTS} FROM campaigns c
            WHERE community = $1 AND ($2::text IS NULL OR status = $2)
              AND ($3::int IS NULL OR seq < $3)
            ORDER BY seq DESC LIMIT $4""", community, status, before, limit)


async def save_opened(conn: asyncpg.Connection, event: CampaignOpened, *, seq: int,
                      at: datetime) -> None:
    await conn.execute(
        """INSERT INTO campaigns (community, campaign_id, seq, name, categories, departments,
               starts_on, ends_on, opened_by, opened_at, version)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,1)""",
        event.community, event.campaign_id, seq, event.name, event.categories,
        list(event.departments), event.starts_on, event.ends_on, event.opened_by, at)


async def save_added(conn: asyncpg.Connection, event: CampaignIssuesAdded, *, version: int,
                     at: datetime) -> None:
    await conn.execute(
        """INSERT INTO campaign_issues (community, campaign_id, issue_id, added_at)
           SELECT $1, $2, i, $4 FROM unnest($3::text[]) AS i""",
        event.community, event.campaign_id, event.issue_ids, at)
    await _bump(conn, event.community, event.campaign_id, version)


async def save_closed(conn: asyncpg.Connection, event: CampaignClosed, *, version: int,
                      at: datetime) -> None:
    await conn.execute(
        """UPDATE campaigns SET status = 'closed', results = $3, closed_by = $4, closed_at = $5,
               version = $6 WHERE community = $1 AND campaign_id = $2""",
        event.community, event.campaign_id, event.results, event.closed_by, at, version)


async def _bump(conn: asyncpg.Connection, community: str, campaign_id: str, version: int) -> None:
    await conn.execute("UPDATE campaigns SET version = $3 WHERE community = $1 "
                       "AND campaign_id = $2", community, campaign_id, version)


async def attached(db: Db, community: str, campaign_id: str, issue_ids: list[str]) -> set[str]:
    """Which of these issues the campaign already holds."""
    rows = await db.fetch(
        """SELECT issue_id FROM campaign_issues WHERE community = $1 AND campaign_id = $2
           AND issue_id = ANY($3)""", community, campaign_id, issue_ids)
    return {r["issue_id"] for r in rows}


async def known_issues(db: Db, community: str, issue_ids: list[str]) -> set[str]:
    """Which of these ids are issues of the community."""
    rows = await db.fetch("SELECT issue_id FROM dispatch_issues WHERE community = $1 "
                          "AND issue_id = ANY($2)", community, issue_ids)
    return {r["issue_id"] for r in rows}


async def matching_issues(db: Db, community: str, categories: tuple[str, ...],
                          start: datetime, end: datetime) -> list[str]:
    """The community's issues in these categories reported in [start, end), not cancelled."""
    rows = await db.fetch(
        """SELECT issue_id FROM dispatch_issues WHERE community = $1 AND category = ANY($2)
           AND reported_at >= $3 AND reported_at < $4 AND status <> 'cancelled'
           ORDER BY reported_at, issue_id""", community, list(categories), start, end)
    return [r["issue_id"] for r in rows]
