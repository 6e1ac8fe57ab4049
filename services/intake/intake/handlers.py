"""Intake use cases: report an issue, read issues and timelines, follow dispatch's events.

Pure helpers come first (decide what a command means, evolve the read model by an event,
decide who may see what); the async use cases below them do the I/O through `store`.
"""

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import asyncpg

from intake import store
from intake.media import links as photo_links
from intake.models import CategoryView, IssuePage, IssueView, ReportIssue, TimelineEntry
from redgrid_shared import catalog, idempotency, topics
from redgrid_shared.auth import Principal
from redgrid_shared.clock import Clock, system_clock
from redgrid_shared.errors import ApiError
from redgrid_shared.events import Envelope, IssueAssigned, IssueReported, IssueUnroutable, envelope
from redgrid_shared.eventstore import PgEventStore

SERVICE = "intake"
# Roles that may file a report for a resident (at the desk, a meeting or a grid visit).
PROXY_ROLES = frozenset({"steward", "operator", "admin"})
# Once closed or cancelled an issue stays so; a late dispatch event only joins the timeline.
FINAL_STATUSES = frozenset({"closed", "cancelled"})
# What each event may show on a timeline: no reporter ids, no internal routing details.
TIMELINE_FIELDS = {
    "issue.reported": ("category", "description", "building", "unit", "vulnerable", "photos",
                       "source"),
    "issue.assigned": ("grid_id", "steward_id", "repairer_id", "signoff_due_at",
                       "completion_limit_minutes"),
    "issue.unroutable": ("building", "reason"),
}


def new_issue_id() -> str:
    """A readable, unguessable issue id such as `iss-3f9c2a7d41b0e865`."""
    return f"iss-{uuid.uuid4().hex[:16]}"


def stream_of(issue_id: str) -> str:
    return f"issue-{issue_id}"


# --- pure: decide and evolve ---------------------------------------------------------------

def decide_report(principal: Principal, command: ReportIssue, *, issue_id: str) -> IssueReported:
    """The IssueReported fact a report command produces, or ApiError if the caller may not."""
    if principal.role == "resident":
        if command.on_behalf_of is not None and command.on_behalf_of != principal.sub:
            raise ApiError(403, "forbidden", "residents report only for themselves",
                           {"body.on_behalf_of": "not allowed for residents"})
        reporter = principal.sub
    elif principal.role in PROXY_ROLES:
        if command.on_behalf_of is None:
            raise ApiError(422, "invalid_request", "staff must name the resident they report for",
                           {"body.on_behalf_of": "required when staff report for a resident"})
        reporter = command.on_behalf_of
    else:
        raise ApiError(403, "forbidden", "this role may not report issues")
    return IssueReported(
        issue_id=issue_id, community=principal.community, reporter_id=reporter,
        reported_by=principal.sub, category=command.category, description=command.description,
        building=command.building, unit=command.unit, vulnerable=command.vulnerable,
        photos=[str(p) for p in command.photos], source=command.source)


def issue_from_reported(event: IssueReported, *, at: datetime, version: int) -> dict:
    """The read-model row a fresh report creates."""
    return {
        "id": event.issue_id, "community": event.community, "reporter_id": event.reporter_id,
        "reported_by": event.reported_by, "category": event.category,
        "description": event.description, "building": event.building, "unit": event.unit,
        "vulnerable": event.vulnerable, "photos": list(event.photos), "source": event.source,
        "status": "reported", "stream_version": version, "created_at": at, "updated_at": at,
    }


def evolve(status: str, event: IssueAssigned | IssueUnroutable, *, at: datetime) -> dict:
    """Column changes an incoming dispatch event makes to an issue in `status`."""
    if status in FINAL_STATUSES:
        return {}
    if isinstance(event, IssueAssigned):
        # A re-assignment restarts sign-off; completion waits for the new sign-off.
        return {"status": "assigned", "grid_id": event.grid_id, "steward_id": event.steward_id,
                "repairer_id": event.repairer_id, "signoff_due_at": event.signoff_due_at,
                "completion_limit_minutes": event.completion_limit_minutes,
                "completion_due_at": None, "updated_at": at}
    return {"status": "unroutable", "updated_at": at}


def timeline_data(short_type: str, data: dict) -> dict:
    """The fields of an event its timeline readers may see."""
    return {k: data[k] for k in TIMELINE_FIELDS.get(short_type, ()) if k in data}


def can_see(principal: Principal, issue) -> bool:
    """Owner resident, staff of the issue's grid (or who filed it), or the community's desk."""
    if issue["community"] != principal.community:
        return False
    if principal.is_desk:
        return True
    if principal.is_staff:
        return issue["grid_id"] in principal.grids or issue["reported_by"] == principal.sub
    return issue["reporter_id"] == principal.sub


def scope_of(principal: Principal) -> store.Scope:
    """The list filter matching `can_see`."""
    if principal.is_desk:
        return store.Scope(community=principal.community)
    if principal.is_staff:
        return store.Scope(community=principal.community, grids=principal.grids,
                           reported_by=principal.sub)
    return store.Scope(community=principal.community, reporter_id=principal.sub)


def encode_cursor(created_at: datetime, issue_id: str) -> str:
    raw = json.dumps([created_at.isoformat(), issue_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The keyset position in a cursor, or 422 naming `query.cursor`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, issue_id = json.loads(raw)
        at = datetime.fromisoformat(created)
        if at.tzinfo is None or not isinstance(issue_id, str):
            raise ValueError("incomplete cursor")
        # A forged cursor must not reach SQL with what PostgreSQL cannot store or compare.
        if len(issue_id) > 64 or "\x00" in issue_id or not (
                1970 <= at.astimezone(timezone.utc).year < 3000):
            raise ValueError("not a cursor of this API")
        return at, issue_id
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise ApiError(422, "invalid_request", "the cursor is not one this API returned",
                       {"query.cursor": "invalid cursor"}) from None


def view(row) -> IssueView:
    return IssueView.model_validate(dict(row))


def category_views() -> list[CategoryView]:
    """The catalogue with default limits in minutes."""
    return [CategoryView(code=c.code, label_zh=c.label_zh, label_en=c.label_en,
                         needs_repairer=c.needs_repairer, priority=c.priority,
                         signoff_minutes=c.signoff // timedelta(minutes=1),
                         completion_minutes=c.completion // timedelta(minutes=1))
            for c in catalog.CATEGORIES.values()]


# --- use cases ----------------------------------------------------------------------------

async def report_issue(pool: asyncpg.Pool, *, principal: Principal, command: ReportIssue,
                       idempotency_key: str | None, clock: Clock = system_clock,
                       new_id: Callable[[], str] = new_issue_id) -> idempotency.CommandResult:
    """Record a report: event, read model, timeline and idempotency row in one transaction."""
    if principal.role != "resident" and principal.role not in PROXY_ROLES:
        raise ApiError(403, "forbidden", "this role may not report issues")

    async def effect(conn: asyncpg.Connection) -> tuple[int, dict]:
        issue_id, now = new_id(), clock()
        event = decide_report(principal, command, issue_id=issue_id)
        env = envelope(event, service=SERVICE, subject=issue_id, time=now)
        version = await PgEventStore(conn).append(stream_of(issue_id), 0, [env],
                                                  topic=topics.INTAKE_EVENTS)
        row = await store.insert_issue(conn, issue_from_reported(event, at=now, version=version))
        await photo_links.attach_photos(conn, principal=principal, photos=event.photos,
                                        issue_id=issue_id)
        await _add_to_timeline(conn, env, issue_id)
        return 201, view(row).model_dump(mode="json")

    return await idempotency.run_command(
        pool, principal=principal, key=idempotency_key, operation="report_issue",
        payload=command.model_dump(mode="json"), effect=effect)


async def get_issue(pool: asyncpg.Pool, *, principal: Principal, issue_id: str) -> IssueView:
    """One issue the caller may see, else 404."""
    async with pool.acquire() as conn:
        return view(await _visible_issue(conn, principal, issue_id))


async def list_issues(pool: asyncpg.Pool, *, principal: Principal, status: str | None,
                      cursor: str | None, limit: int) -> IssuePage:
    """A page of the issues in the caller's scope, newest first."""
    after = decode_cursor(cursor) if cursor else None
    async with pool.acquire() as conn:
        rows = await store.page_issues(conn, scope=scope_of(principal), status=status,
                                       after=after, limit=limit + 1)
    more, rows = len(rows) > limit, rows[:limit]
    next_cursor = encode_cursor(rows[-1]["created_at"], rows[-1]["id"]) if more else None
    return IssuePage(items=[view(r) for r in rows], next_cursor=next_cursor)


async def get_timeline(pool: asyncpg.Pool, *, principal: Principal,
                       issue_id: str) -> list[TimelineEntry]:
    """The events of an issue the caller may see, oldest first."""
    async with pool.acquire() as conn:
        await _visible_issue(conn, principal, issue_id)
        rows = await store.timeline(conn, issue_id)
    return [TimelineEntry(type=r["type"], time=r["occurred_at"], event_id=r["event_id"],
                          data=r["data"]) for r in rows]


async def on_dispatch_event(conn: asyncpg.Connection, env: Envelope,
                            event: IssueAssigned | IssueUnroutable) -> None:
    """Follow an assignment or an unroutable verdict on the issue's row and timeline."""
    issue = await store.fetch_issue(conn, event.issue_id, for_update=True)
    if issue is None:
        # Intake commits a report before dispatch can hear of it, so an unknown issue means a
        # foreign or corrupt event: raise so the loop parks it in dead_letters for an operator.
        raise LookupError(f"unknown issue {event.issue_id}")
    # The timeline row doubles as a per-event guard: a second delivery changes nothing.
    if not await _add_to_timeline(conn, env, event.issue_id):
        return
    await store.update_issue(conn, event.issue_id, evolve(issue["status"], event, at=env.time))


async def _visible_issue(conn: asyncpg.Connection, principal: Principal, issue_id: str):
    issue = await store.fetch_issue(conn, issue_id)
    if issue is None or not can_see(principal, issue):
        # The same answer for "absent" and "not yours": existence is not disclosed.
        raise ApiError(404, "not_found", f"no issue {issue_id} visible to you")
    return issue


async def _add_to_timeline(conn: asyncpg.Connection, env: Envelope, issue_id: str) -> bool:
    return await store.add_timeline(
        conn, event_id=env.id, issue_id=issue_id, type=env.short_type, occurred_at=env.time,
        data=timeline_data(env.short_type, env.data))
