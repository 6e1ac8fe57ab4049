"""Dispatch use cases: configure a grid, read the directory, route a reported issue.

Pure decisions sit at the top (`evolve`, `decide_configure`, `clocks`, `route`); the async
use cases below load state, call them, and write the event and its directory rows in one
transaction.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from redgrid_shared import catalog, idempotency, topics
from redgrid_shared.auth import Principal
from redgrid_shared.clock import Clock
from redgrid_shared.errors import ApiError
from redgrid_shared.events import (Envelope, GridConfigured, GridMember, IssueAssigned,
                                   IssueReported, IssueUnroutable, envelope, parse)
from redgrid_shared.eventstore import ConcurrencyConflict, PgEventStore

from dispatch import store
from dispatch.models import ConfigureGrid, GridPage, GridView

SERVICE = "dispatch"
NO_GRID = "no_grid_for_building"
UNKNOWN_CATEGORY = "unknown_category"


@dataclass(frozen=True)
class Grid:
    """A grid's configuration as its events left it."""

    grid_id: str
    community: str
    name: str
    buildings: tuple[str, ...]
    steward: str
    repairer: str
    backup_steward: str | None = None
    backup_repairer: str | None = None
    members: tuple[GridMember, ...] = ()

    def same_as(self, other: "Grid") -> bool:
        """Equal up to the order of buildings and members (a reordered list changes nothing)."""
        def key(g: Grid) -> tuple:
            return (g.community, g.name, frozenset(g.buildings), g.steward, g.repairer,
                    g.backup_steward, g.backup_repairer, frozenset(g.members))
        return key(self) == key(other)


def grid_stream(community: str, grid_id: str) -> str:
    """A grid's stream: a grid is (community, grid_id); no id may contain "/" (ID_PATTERN)."""
    return f"grid-{community}/{grid_id}"


def issue_stream(issue_id: str) -> str:
    return f"issue-{issue_id}"


def evolve(_: Grid | None, event: GridConfigured) -> Grid:
    """A grid.configured event replaces the whole configuration."""
    return Grid(event.grid_id, event.community, event.name, tuple(event.buildings),
                event.steward, event.repairer, event.backup_steward, event.backup_repairer,
                tuple(event.members))


def decide_configure(current: Grid | None, command: ConfigureGrid, *, grid_id: str,
                     principal: Principal, taken: dict[str, str]) -> GridConfigured | None:
    """The event a PUT produces, None when nothing changes; ApiError when refused.

    `current` is the grid of the caller's community with this id (another community's grid
    with the same id is a different grid and never reaches here). `taken` maps each
    requested building already held by another grid to that grid.
    """
    if command.community != principal.community:
        raise ApiError(403, "forbidden", "admins configure the grids of their own community only",
                       {"body.community": f"must be your community, {principal.community}"})
    if taken:
        raise building_taken(taken)
    event = GridConfigured(
        grid_id=grid_id, community=command.community, name=command.name,
        buildings=list(command.buildings), steward=command.steward, repairer=command.repairer,
        backup_steward=command.backup_steward, backup_repairer=command.backup_repairer,
        members=[GridMember(id=m.id, role=m.role) for m in command.members],
        configured_by=principal.sub)
    if current is not None and current.same_as(evolve(current, event)):
        return None
    return event


def building_taken(taken: dict[str, str]) -> ApiError:
    """409 naming `body.buildings` and each building another grid holds."""
    held = "; ".join(f"{b} belongs to grid {g}" for b, g in sorted(taken.items()))
    return ApiError(409, "building_taken", f"a building has one grid only: {held}",
                    {"body.buildings": held})


@dataclass(frozen=True)
class Clocks:
    urgent: bool
    signoff: timedelta
    completion: timedelta


def clocks(category: catalog.Category, *, vulnerable: bool) -> Clocks:
    """SLA limits of a report; an elderly person or child alone makes any report urgent."""
    signoff, completion = catalog.deadlines(category, vulnerable=vulnerable)
    return Clocks(category.priority == "urgent" or vulnerable, signoff, completion)


def route(report: IssueReported, grids: Iterable[Grid], *,
          reported_at: datetime) -> IssueAssigned | IssueUnroutable:
    """Assign a report to the grid covering its building, or say why no one can take it."""
    category = catalog.CATEGORIES.get(report.category)
    grid = next((g for g in grids
                 if g.community == report.community and report.building in g.buildings), None)
    if category is None or grid is None:
        return IssueUnroutable(issue_id=report.issue_id, community=report.community,
                               building=report.building,
                               reason=UNKNOWN_CATEGORY if category is None else NO_GRID)
    limits = clocks(category, vulnerable=report.vulnerable is not None)
    return IssueAssigned(
        issue_id=report.issue_id, community=report.community, grid_id=grid.grid_id,
        steward_id=grid.steward, repairer_id=grid.repairer if category.needs_repairer else None,
        category=category.code, urgent=limits.urgent,
        signoff_due_at=reported_at + limits.signoff,
        completion_limit_minutes=int(limits.completion.total_seconds() // 60))


def visible(grid: GridView, principal: Principal) -> bool:
    """Desk roles see their community's grids; staff see the grids they hold or are named in."""
    if grid.community != principal.community:
        return False
    if principal.is_desk:
        return True
    people = {grid.steward, grid.repairer, grid.backup_steward, grid.backup_repairer}
    return principal.is_staff and (grid.grid_id in principal.grids or principal.sub in people)


# --- use cases -------------------------------------------------------------------------------

async def configure_grid(pool: asyncpg.Pool, *, grid_id: str, command: ConfigureGrid,
                         principal: Principal, idempotency_key: str | None,
                         clock: Clock) -> idempotency.CommandResult:
    """PUT a grid: (201, view) when created, (200, view) when updated or unchanged."""
    async def effect(conn: asyncpg.Connection) -> tuple[int, dict]:
        return await _configure(conn, grid_id=grid_id, command=command, principal=principal,
                                clock=clock)

    # A lost race with another PUT of this grid (or a claim of the same building) is decided
    # again on the new version: a PUT replaces the whole grid, so that loses nothing.
    return await idempotency.run_command(
        pool, principal=principal, key=idempotency_key, operation=f"put-grid:{grid_id}",
        payload=command.model_dump(mode="json"), effect=effect,
        retry_on=(ConcurrencyConflict, asyncpg.UniqueViolationError))


async def _configure(conn: asyncpg.Connection, *, grid_id: str, command: ConfigureGrid,
                     principal: Principal, clock: Clock) -> tuple[int, dict]:
    events = PgEventStore(conn)
    stream = grid_stream(principal.community, grid_id)
    history = await events.read(stream)
    current: Grid | None = None
    for stored in history:
        data = parse(stored.envelope)
        if isinstance(data, GridConfigured):
            current = evolve(current, data)
    taken = await store.buildings_held_elsewhere(conn, command.community, command.buildings,
                                                 grid_id=grid_id)
    event = decide_configure(current, command, grid_id=grid_id, principal=principal, taken=taken)
    status = 201 if current is None else 200
    if event is None:
        return status, _view(await store.grid_row(conn, principal.community, grid_id))
    now = clock()
    version = await events.append(
        stream, len(history),
        [envelope(event, service=SERVICE, subject=grid_id, time=now)],
        topic=topics.DISPATCH_EVENTS)
    row = await store.save_grid(conn, event, version=version, at=now)
    lost = await store.claim_buildings(conn, event.community, grid_id, event.buildings)
    if lost:
        # A concurrent PUT of another grid claimed it after our check; refuse the same way.
        raise building_taken(lost)
    return status, _view(row)


def _view(row) -> dict:
    return GridView.model_validate(dict(row)).model_dump(mode="json")


async def get_grid(pool: asyncpg.Pool, *, grid_id: str, principal: Principal) -> GridView:
    """One grid of the caller's community, or 404 when there is none the caller may see."""
    row = await store.grid_row(pool, principal.community, grid_id)
    grid = GridView.model_validate(dict(row)) if row else None
    if grid is None or not visible(grid, principal):
        raise ApiError(404, "not_found", f"no grid {grid_id}")
    return grid


async def list_grids(pool: asyncpg.Pool, *, principal: Principal, cursor: str | None,
                     limit: int) -> GridPage:
    """The caller's grids, by id, one page at a time."""
    scope = None if principal.is_desk else (list(principal.grids), principal.sub)
    rows = await store.list_grids(pool, community=principal.community, staff=scope,
                                  after=cursor, limit=limit + 1)
    items = [GridView.model_validate(dict(r)) for r in rows[:limit]]
    return GridPage(items=items, next_cursor=items[-1].grid_id if len(rows) > limit else None)


async def assign_issue(conn: asyncpg.Connection, env: Envelope, *, clock: Clock) -> None:
    """Route an issue.reported: append issue.assigned or issue.unroutable, once per issue."""
    report = IssueReported.model_validate(env.data)
    grids = [evolve(None, GridConfigured.model_validate(dict(row)))
             for row in await store.grids_for_building(conn, report.community, report.building)]
    decision = route(report, grids, reported_at=env.time)
    try:
        version = await PgEventStore(conn).append(
            issue_stream(report.issue_id), 0,
            [envelope(decision, service=SERVICE, subject=report.issue_id, time=clock())],
            topic=topics.DISPATCH_EVENTS)
    except ConcurrencyConflict:
        return  # already routed: the same report arrived again under another event id
    await store.record_issue(conn, report, decision, reported_at=env.time, version=version)
