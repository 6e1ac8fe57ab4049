"""Intake use cases: report an issue, read issues and timelines.

Pure helpers come first (decide what a command means, evolve the read model by an event,
decide who may see what); the async use cases below them do the I/O through `store`.
"""

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from datetime import datetime, timezone

import asyncpg

from intake import store
from redgrid_shared.domain import Invalid, NotAllowed, NotFound
from intake.media import links as photo_links
from intake.models import IssuePage, IssueView, ReportIssue, TimelineEntry
from intake.timeline import timeline_data
from intake.words import labels, summaries
from intake.words.language import DEFAULT, Lang
from redgrid_shared import idempotency, topics
from redgrid_shared.auth import Principal
from redgrid_shared.clock import Clock, system_clock
from redgrid_shared.events import Envelope, IssueReported, envelope
from redgrid_shared.eventstore import PgEventStore

SERVICE = "intake"
# Roles that may file a report for a resident (at the desk, a meeting or a grid visit).
PROXY_ROLES = frozenset({"steward", "operator", "admin"})


def new_issue_id() -> str:
    """A readable, unguessable issue id such as `iss-3f9c2a7d41b0e865`."""
    return f"iss-{uuid.uuid4().hex[:16]}"


def stream_of(issue_id: str) -> str:
    return f"issue-{issue_id}"


# --- pure: decide and evolve ---------------------------------------------------------------

def decide_report(principal: Principal, command: ReportIssue, *, issue_id: str) -> IssueReported:
    """The IssueReported fact a report command produces; NotAllowed or Invalid if not."""
    if principal.role == "resident":
        if command.on_behalf_of is not None and command.on_behalf_of != principal.sub:
            raise NotAllowed("residents report only for themselves",
                             {"body.on_behalf_of": "not allowed for residents"})
        reporter = principal.sub
    elif principal.role in PROXY_ROLES:
        if command.on_behalf_of is None:
            raise Invalid("body.on_behalf_of", "required when staff report for a resident")
        reporter = command.on_behalf_of
    else:
        raise NotAllowed("this role may not report issues")
    return IssueReported(
        issue_id=issue_id, community=principal.community, reporter_id=reporter,
        reported_by=principal.sub, reported_by_role=principal.role, category=command.category, description=command.description,
        building=command.building, unit=command.unit, vulnerable=command.vulnerable,
        photos=[str(p) for p in command.photos], source=command.source)


def issue_from_reported(event: IssueReported, *, at: datetime, version: int) -> dict:
    """The read-model row a fresh report creates."""
    return {
        "id": event.issue_id, "community": event.community, "reporter_id": event.reporter_id,
        "reported_by": event.reported_by, "reported_by_role": event.reported_by_role,
        "category": event.category,
        "description": event.description, "building": event.building, "unit": event.unit,
        "vulnerable": event.vulnerable, "photos": list(event.photos), "source": event.source,
        "status": "reported", "stream_version": version, "created_at": at, "updated_at": at,
    }


def can_see(principal: Principal, issue) -> bool:
    """Owner resident, staff of the issue's grid (or who filed it), or the community's desk."""
    if issue["community"] != principal.community:
        return False
    if principal.is_desk:
        return True
    if principal.is_staff:
        return issue["grid_id"] in principal.grids or filed_on_behalf(principal, issue)
    return issue["reporter_id"] == principal.sub


def filed_on_behalf(principal: Principal, issue) -> bool:
    """This very person filed it for a resident: the same sub in the same role, since
    (community, role, sub) is a person. A repairer or admin who shares a steward's id, or a
    steward who shares a resident's id, sees nothing; an unknown filer role matches no one."""
    return (principal.role in PROXY_ROLES and issue["reported_by"] == principal.sub
            and issue["reported_by_role"] == principal.role
            and issue["reporter_id"] != principal.sub)


def scope_of(principal: Principal) -> store.Scope:
    """The list filter matching `can_see`."""
    if principal.is_desk:
        return store.Scope(community=principal.community)
    if principal.is_staff:
        filer = (principal.sub, principal.role) if principal.role in PROXY_ROLES else None
        return store.Scope(community=principal.community, grids=principal.grids,
                           reported_by=filer)
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
        raise Invalid("query.cursor", "not a cursor this API returned") from None


def view(row, lang: Lang = DEFAULT) -> IssueView:
    """The API view of an issue row, its status in words of `lang`."""
    return IssueView.model_validate({**dict(row), "status_label": labels.status(row["status"], lang)})


def timeline_entry(row, lang: Lang) -> TimelineEntry:
    """A stored timeline row as the API shows it, with its summary in `lang`."""
    return TimelineEntry(type=row["type"], time=row["occurred_at"], event_id=row["event_id"],
                         data=row["data"], summary=summaries.summarize(row["type"], row["data"], lang))


# --- use cases ----------------------------------------------------------------------------

async def report_issue(pool: asyncpg.Pool, *, principal: Principal, command: ReportIssue,
                       idempotency_key: str | None, clock: Clock = system_clock,
                       new_id: Callable[[], str] = new_issue_id,
                       lang: Lang = DEFAULT) -> idempotency.CommandResult:
    """Record a report: its event, read-model row and first timeline entry in one statement
    (`store.insert_report`). With an Idempotency-Key or photos that statement runs in a
    transaction with the key's row and the photos' claims; without either it needs none, as
    one statement commits on its own, all or nothing (no BEGIN and COMMIT round trips,
    docs/benchmarks.md, third round)."""
    if principal.role != "resident" and principal.role not in PROXY_ROLES:
        raise NotAllowed("this role may not report issues")

    async def effect(conn: asyncpg.Connection) -> tuple[int, dict]:
        issue_id, now = new_id(), clock()
        event = decide_report(principal, command, issue_id=issue_id)
        env = envelope(event, service=SERVICE, subject=issue_id, time=now)
        row = dict(await store.insert_report(
            conn, issue_from_reported(event, at=now, version=1), stream_id=stream_of(issue_id),
            event=env, topic=topics.INTAKE_EVENTS, entry=timeline_data(env.short_type, env.data)))
        await PgEventStore(conn).appended(row.pop("outbox"))
        await photo_links.attach_photos(conn, principal=principal, photos=event.photos,
                                        issue_id=issue_id)
        return 201, view(row, lang).model_dump(mode="json")

    if idempotency_key is None and not command.photos:
        return await idempotency.run_statement(pool, effect)
    return await idempotency.run_command(
        pool, principal=principal, key=idempotency_key, operation="report_issue",
        payload=command.model_dump(mode="json"), effect=effect)


async def get_issue(pool: asyncpg.Pool, *, principal: Principal, issue_id: str,
                    lang: Lang = DEFAULT) -> IssueView:
    """One issue the caller may see, else 404."""
    async with pool.acquire() as conn:
        return view(await visible_issue(conn, principal, issue_id), lang)


async def list_issues(pool: asyncpg.Pool, *, principal: Principal, status: str | None,
                      cursor: str | None, limit: int, lang: Lang = DEFAULT) -> IssuePage:
    """A page of the issues in the caller's scope, newest first."""
    after = decode_cursor(cursor) if cursor else None
    async with pool.acquire() as conn:
        rows = await store.page_issues(conn, scope=scope_of(principal), status=status,
                                       after=after, limit=limit + 1)
    more, rows = len(rows) > limit, rows[:limit]
    next_cursor = encode_cursor(rows[-1]["created_at"], rows[-1]["id"]) if more else None
    return IssuePage(items=[view(r, lang) for r in rows], next_cursor=next_cursor)


async def get_timeline(pool: asyncpg.Pool, *, principal: Principal, issue_id: str,
                       lang: Lang = DEFAULT) -> list[TimelineEntry]:
    """The events of an issue the caller may see, oldest first."""
    async with pool.acquire() as conn:
        await visible_issue(conn, principal, issue_id)
        rows = await store.timeline(conn, issue_id)
    return [timeline_entry(r, lang) for r in rows]


async def visible_issue(conn: asyncpg.Connection, principal: Principal, issue_id: str, *,
                        for_update: bool = False):
    """The issue row if the caller may see it, else NotFound (absent and hidden look alike)."""
    issue = await store.fetch_issue(conn, issue_id, for_update=for_update)
    if issue is None or not can_see(principal, issue):
        # The same answer for "absent" and "not yours": existence is not disclosed.
        raise NotFound(f"no issue {issue_id} visible to you")
    return issue


async def add_to_timeline(conn: asyncpg.Connection, env: Envelope, issue_id: str) -> bool:
    """Record an intake event on its issue's timeline (once per event id)."""
    return await store.add_timeline(
        conn, event_id=env.id, issue_id=issue_id, type=env.short_type, occurred_at=env.time,
        data=timeline_data(env.short_type, env.data))
