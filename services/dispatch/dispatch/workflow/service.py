"""Workflow use cases behind the HTTP routes: one command = load, decide, append, in one
transaction through `run_command` (idempotent per caller; a lost race is decided again)."""

from collections.abc import Awaitable, Callable
from datetime import datetime

import asyncpg

from redgrid_shared import idempotency
from redgrid_shared.auth import Principal
from redgrid_shared.clock import Clock

from dispatch import paging
from redgrid_shared.domain import Invalid, NotFound
from dispatch.grids import store as grids
from dispatch.grids.domain import Grid, from_row
from dispatch.sla import store as sla
from dispatch.sla.limits import Limits, limits_for
from dispatch.workflow import rules, store, stream
from dispatch.workflow.aggregate import Issue
from dispatch.workflow.models import IssueWork, WorkPage

Decision = Callable[[asyncpg.Connection, Issue, datetime], Awaitable[list]]


async def command(pool: asyncpg.Pool, *, issue_id: str, action: str, principal: Principal,
                  key: str | None, payload: object, clock: Clock,
                  decision: Decision) -> idempotency.CommandResult:
    """Run one workflow command: (200, the issue as the caller may see it)."""
    loaded: dict[str, Issue] = {}

    async def authorize(conn: asyncpg.Connection) -> None:
        # Before any replay: someone who may no longer see the issue gets 404, not a replay.
        # The load locks the issue for this transaction, so the effect decides on it as is.
        issue = await stream.load(conn, issue_id)
        if not rules.visible(issue, principal):
            raise NotFound(f"no issue {issue_id}")
        loaded["issue"] = issue

    async def effect(conn: asyncpg.Connection) -> tuple[int, dict]:
        issue = loaded["issue"]  # authorize runs first in every attempt's transaction
        now = clock()
        await stream.append(conn, issue, await decision(conn, issue, now), now=now)
        return 200, view(await store.issue_row(conn, issue_id), principal).model_dump(mode="json")

    return await idempotency.run_command(
        pool, principal=principal, key=key, operation=f"{action}:{issue_id}",
        payload=payload, effect=effect, authorize=authorize)


async def grid_of(conn: asyncpg.Connection, community: str, grid_id: str | None) -> Grid | None:
    """A grid of the community from the directory, or None."""
    row = await grids.grid_row(conn, community, grid_id) if grid_id else None
    return from_row(row) if row else None


async def limits_of(conn: asyncpg.Connection, issue: Issue) -> Limits:
    """The limits a new assignment of this issue gets now (the community's current SLA)."""
    return limits_for(issue.category or "other", vulnerable=issue.vulnerable is not None,
                      overrides=await sla.overrides(conn, issue.community))


async def target_grid(conn: asyncpg.Connection, issue: Issue, grid_id: str | None) -> Grid:
    """The grid an operator names (or the issue's own), or Invalid naming `body.grid_id`."""
    wanted = grid_id or issue.grid_id
    if wanted is None:
        raise Invalid("body.grid_id", "required: the issue has no grid yet")
    grid = await grid_of(conn, issue.community, wanted)
    if grid is None:
        raise Invalid("body.grid_id", f"no grid {wanted} in community {issue.community}")
    return grid


def sees_contact(row, principal: Principal) -> bool:
    """The resident's contact (unit, resident id) is for the staff of the issue's grid only."""
    return principal.is_staff and (row["grid_id"] in principal.grids
                                   or rules.holds(principal, row["steward_id"],
                                                  row["repairer_id"]))


def view(row, principal: Principal) -> IssueWork:
    """The working row as this caller may see it."""
    data = dict(row)
    deadline = ("signoff" if data["status"] == "assigned" else
                "completion" if data["due_at"] is not None else None)
    if not sees_contact(row, principal):
        data.update(unit=None, reporter_id=None)
    return IssueWork.model_validate({**data, "deadline": deadline})


async def tasks(pool: asyncpg.Pool, *, principal: Principal, cursor: str | None,
                limit: int) -> WorkPage:
    """Staff: the work they hold; the desk: the community's open work. Soonest deadline
    first, urgent and 一老一小 first on ties."""
    after = paging.decode(cursor, ranked=True) if cursor else None
    rows = await store.tasks(pool, community=principal.community,
                             person=None if principal.is_desk
                             else (principal.role, principal.sub),
                             after=after, limit=limit + 1)
    page = rows[:limit]
    last = page[-1] if len(rows) > limit else None
    return WorkPage(items=[view(r, principal) for r in page],
                    next_cursor=paging.encode(last["due_at"], last["tie_rank"],
                                              last["issue_id"]) if last else None)


async def queue(pool: asyncpg.Pool, *, principal: Principal, cursor: str | None,
                limit: int) -> WorkPage:
    """The desk's queue: unroutable and returned issues, longest waiting first."""
    after = paging.decode(cursor, ranked=False) if cursor else None
    rows = await store.queue(pool, community=principal.community, after=after, limit=limit + 1)
    page = rows[:limit]
    last = page[-1] if len(rows) > limit else None
    return WorkPage(items=[view(r, principal) for r in page],
                    next_cursor=paging.encode(last["updated_at"], last["issue_id"])
                    if last else None)


async def get_issue(pool: asyncpg.Pool, *, issue_id: str, principal: Principal) -> IssueWork:
    """One issue the caller may see, or 404."""
    row = await store.issue_row(pool, issue_id)
    if row is None or not rules.visible(stream.snapshot(row), principal):
        raise NotFound(f"no issue {issue_id}")
    return view(row, principal)
