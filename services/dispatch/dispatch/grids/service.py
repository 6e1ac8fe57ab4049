"""Grid directory use cases: configure a grid (PUT), read one, list a community's grids.

Each loads the grid's state, calls the pure decisions in `grids.domain`, and writes the event
and its directory rows in one transaction.
"""

import asyncpg

from redgrid_shared import idempotency, topics
from redgrid_shared.auth import Principal
from redgrid_shared.clock import Clock
from redgrid_shared.events import GridConfigured, envelope, parse
from redgrid_shared.eventstore import ConcurrencyConflict, PgEventStore

from dispatch import SERVICE
from redgrid_shared.domain import NotFound
from dispatch.grids import store
from dispatch.grids.domain import (Grid, building_taken, decide_configure, evolve, grid_stream,
                                   visible)
from dispatch.grids.models import ConfigureGrid, GridPage, GridView

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
    # One PUT of the community's grids at a time decides the staff roles (no two concurrent
    # PUTs each giving the same person a different role).
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))",
                       f"grid-roles:{principal.community}")
    people = [p for p in (command.steward, command.repairer, command.backup_steward,
                          command.backup_repairer) if p]
    roles = await store.staff_roles(conn, principal.community, people, grid_id=grid_id)
    event = decide_configure(current, command, grid_id=grid_id, principal=principal, taken=taken,
                             roles=roles)
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
        raise NotFound(f"no grid {grid_id}")
    return grid


async def list_grids(pool: asyncpg.Pool, *, principal: Principal, cursor: str | None,
                     limit: int) -> GridPage:
    """The caller's grids, by id, one page at a time."""
    scope = (None if principal.is_desk
             else (list(principal.grids), principal.role, principal.sub))
    rows = await store.list_grids(pool, community=principal.community, staff=scope,
                                  after=cursor, limit=limit + 1)
    items = [GridView.model_validate(dict(r)) for r in rows[:limit]]
    return GridPage(items=items, next_cursor=items[-1].grid_id if len(rows) > limit else None)
