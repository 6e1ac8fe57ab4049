"""Campaign use cases: open, attach issues, close, read. Each write is one transaction.

A write loads the campaign row (locked), decides with `decide`, appends the event to
campaign-<community>/<id> and updates the rows, all inside `run_command`.
"""

from datetime import datetime

import asyncpg

from redgrid_shared import idempotency, topics
from redgrid_shared.auth import Principal
from redgrid_shared.clock import Clock
from redgrid_shared.events import EventData, envelope
from redgrid_shared.eventstore import PgEventStore

from dispatch import SERVICE
from dispatch.campaigns import decide, store
from dispatch.campaigns.models import (AddIssues, CampaignPage, CampaignView, CloseCampaign,
                                       IssuesAdded, OpenCampaign)
from redgrid_shared.domain import Invalid, NotFound


CLEARED = ("resolved", "closed")


def stream(community: str, campaign_id: str) -> str:
    return f"campaign-{community}/{campaign_id}"


def view(row: asyncpg.Record) -> CampaignView:
    counts = dict(row["by_status"])
    return CampaignView(**{k: row[k] for k in CampaignView.model_fields
                           if k not in ("issue_count", "cleared", "by_status")},
                        issue_count=sum(counts.values()),
                        cleared=sum(counts.get(s, 0) for s in CLEARED), by_status=counts)


def _state(row: asyncpg.Record) -> decide.Campaign:
    return decide.Campaign(row["campaign_id"], row["community"], tuple(row["categories"]),
                           row["starts_on"], row["ends_on"], row["status"])


async def _append(conn, event: EventData, *, community: str, campaign_id: str,
                  expected: int, now: datetime) -> int:
    return await PgEventStore(conn).append(
        stream(community, campaign_id), expected,
        [envelope(event, service=SERVICE, subject=campaign_id, time=now)],
        topic=topics.DISPATCH_EVENTS)


async def _load(conn, principal: Principal, campaign_id: str) -> asyncpg.Record:
    row = await store.campaign(conn, principal.community, campaign_id, lock=True)
    if row is None:
        raise NotFound(f"no campaign {campaign_id}")
    return row


async def open_campaign(pool: asyncpg.Pool, *, command: OpenCampaign, principal: Principal,
                        idempotency_key: str | None, clock: Clock) -> idempotency.CommandResult:
    """POST /v1/campaigns: 201 with the new campaign."""
    async def effect(conn) -> tuple[int, dict]:
        seq = await store.next_seq(conn, principal.community)
        event = decide.decide_open(command, principal=principal, seq=seq)
        now = clock()
        await store.save_opened(conn, event, seq=seq, at=now)
        await _append(conn, event, community=event.community, campaign_id=event.campaign_id,
                      expected=0, now=now)
        row = await store.campaign(conn, event.community, event.campaign_id)
        return 201, view(row).model_dump(mode="json")

    return await idempotency.run_command(
        pool, principal=principal, key=idempotency_key, operation="open-campaign",
        payload=command.model_dump(mode="json"), effect=effect,
        retry_on=(asyncpg.UniqueViolationError,))


async def add_issues(pool: asyncpg.Pool, *, campaign_id: str, command: AddIssues,
                     principal: Principal, idempotency_key: str | None,
                     clock: Clock) -> idempotency.CommandResult:
    """POST /v1/campaigns/{id}/issues: attach by ids or by category and period."""
    async def effect(conn) -> tuple[int, dict]:
        row = await _load(conn, principal, campaign_id)
        campaign = _state(row)
        if command.issue_ids is not None:
            requested = list(dict.fromkeys(command.issue_ids))
            known = await store.known_issues(conn, principal.community, requested)
        else:
            window = decide.match_window(campaign, command.match)
            requested = await store.matching_issues(
                conn, principal.community, window.categories, window.start, window.end)
            known = set(requested)
        attached = await store.attached(conn, principal.community, campaign_id, requested)
        event = decide.decide_add(campaign, requested=requested, known=known, attached=attached,
                                  principal=principal, by_hand=command.issue_ids is not None)
        if event is not None:
            now = clock()
            version = await _append(conn, event, community=principal.community,
                                    campaign_id=campaign_id, expected=row["version"], now=now)
            await store.save_added(conn, event, version=version, at=now)
        fresh = await store.campaign(conn, principal.community, campaign_id)
        return 200, IssuesAdded(added=event.issue_ids if event else [],
                                already_attached=sorted(attached),
                                campaign=view(fresh)).model_dump(mode="json")

    return await idempotency.run_command(
        pool, principal=principal, key=idempotency_key, operation=f"campaign-issues:{campaign_id}",
        payload=command.model_dump(mode="json"), effect=effect)


async def close_campaign(pool: asyncpg.Pool, *, campaign_id: str, command: CloseCampaign,
                         principal: Principal, idempotency_key: str | None,
                         clock: Clock) -> idempotency.CommandResult:
    """POST /v1/campaigns/{id}/close: 200 with the closed campaign and its final counts."""
    async def effect(conn) -> tuple[int, dict]:
        row = await _load(conn, principal, campaign_id)
        event = decide.decide_close(_state(row), results=command.results, principal=principal)
        now = clock()
        version = await _append(conn, event, community=principal.community,
                                campaign_id=campaign_id, expected=row["version"], now=now)
        await store.save_closed(conn, event, version=version, at=now)
        fresh = await store.campaign(conn, principal.community, campaign_id)
        return 200, view(fresh).model_dump(mode="json")

    return await idempotency.run_command(
        pool, principal=principal, key=idempotency_key, operation=f"close-campaign:{campaign_id}",
        payload=command.model_dump(mode="json"), effect=effect)


async def get_campaign(pool: asyncpg.Pool, *, campaign_id: str,
                       principal: Principal) -> CampaignView:
    row = await store.campaign(pool, principal.community, campaign_id)
    if row is None:
        raise NotFound(f"no campaign {campaign_id}")
    return view(row)


async def list_campaigns(pool: asyncpg.Pool, *, principal: Principal, status: str | None,
                         cursor: str | None, limit: int) -> CampaignPage:
    before = None
    if cursor is not None:
        if not cursor.isdigit() or len(cursor) > 9:
            raise Invalid("query.cursor", "not a cursor this list returned")
        before = int(cursor)
    rows = await store.list_campaigns(pool, principal.community, status=status, before=before,
                                      limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return CampaignPage(items=[view(r) for r in rows],
                        next_cursor=str(rows[-1]["seq"]) if more else None)
