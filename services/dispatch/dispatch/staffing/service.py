"""Staffing use cases: mark someone on leave or back (handing their open work to a backup),
and tell who held a grid when.

Going on leave is one transaction: staff.availability-changed on staff-<community>/<id>, the
availability row, and for each of the person's open issues either issue.assigned
(reason backup_cover, covering_for the person) to the other available holder of the role in
the issue's grid, or nothing (kept) when there is none. Coming back hands nothing back.
"""

import asyncpg

from redgrid_shared import idempotency, topics
from redgrid_shared.auth import Principal
from redgrid_shared.clock import Clock
from redgrid_shared.events import GridConfigured, StaffAvailabilityChanged, envelope
from redgrid_shared.eventstore import ConcurrencyConflict, PgEventStore

from dispatch import SERVICE
from redgrid_shared.domain import NotFound
from dispatch.grids import store as grids
from dispatch.grids.domain import visible
from dispatch.grids.models import GridView
from dispatch.sla import limits as sla
from dispatch.staffing import cover, decide, history, store
from dispatch.staffing.models import (AvailabilityView, ChangeAvailability, Configuration,
                                      GridHistory, Handover, HistoryPeriod)
from dispatch.workflow import decide as workflow
from dispatch.workflow import service as work_service
from dispatch.workflow import stream as issues


async def change_availability(pool: asyncpg.Pool, *, staff_id: str,
                              command: ChangeAvailability, principal: Principal,
                              idempotency_key: str | None, clock: Clock,
                              timing: sla.Timing) -> idempotency.CommandResult:
    """PUT /v1/staff/{id}/availability: 200 with where the person stands now."""
    async def authorize(conn: asyncpg.Connection) -> None:
        roles = (await grids.directory_roles(conn, principal.community, staff_id)
                 if principal.is_staff else None)
        decide.may_change(principal, staff_id, roles)

    async def effect(conn: asyncpg.Connection) -> tuple[int, dict]:
        now = clock()
        stream = store.staff_stream(principal.community, staff_id)
        events = PgEventStore(conn)
        version = await events.version(stream)
        row = await store.availability(conn, principal.community, staff_id)
        event = decide.decide_availability(row["available"] if row else True, command,
                                           staff_id=staff_id, principal=principal)
        if event is None:
            return 200, _view(row, principal.community, staff_id).model_dump(mode="json")
        version = await events.append(
            stream, version, [envelope(event, service=SERVICE, subject=staff_id, time=now)],
            topic=topics.DISPATCH_EVENTS)
        row = await store.save(conn, event, at=now, version=version)
        handed, kept = ([], []) if event.available else await _hand_over(
            conn, event, now=now, timing=timing)
        view = _view(row, principal.community, staff_id).model_copy(
            update={"handed_over": handed, "kept": kept})
        return 200, view.model_dump(mode="json")

    return await idempotency.run_command(
        pool, principal=principal, key=idempotency_key, operation=f"availability:{staff_id}",
        payload=command.model_dump(mode="json"), effect=effect, authorize=authorize,
        retry_on=(ConcurrencyConflict, asyncpg.UniqueViolationError))


async def _hand_over(conn: asyncpg.Connection, event: StaffAvailabilityChanged, *, now,
                     timing: sla.Timing) -> tuple[list[Handover], list[Handover]]:
    """Each open issue of the person goes to the other available holder of their role."""
    community, person = event.community, event.staff_id
    away = await store.away(conn, community)
    handed, kept = [], []
    for work in await store.open_work(conn, community, person):
        issue = await issues.load(conn, work["issue_id"])
        grid = await work_service.grid_of(conn, community, issue.grid_id)
        role = "steward" if issue.steward_id == person else "repairer"
        to = cover.replacement(grid, role, leaving=person, away=away) if grid else None
        if to is None:
            kept.append(Handover(issue_id=issue.issue_id, role=role, to=None))
            continue
        decided = workflow.cover(
            issue, by=event.changed_by, covering_for=[person], now=now,
            limits=await work_service.limits_of(conn, issue),
            timing=timing, steward_id=to if role == "steward" else None,
            repairer_id=to if role == "repairer" else None)
        await issues.append(conn, issue, decided, now=now)
        handed.append(Handover(issue_id=issue.issue_id, role=role, to=to))
    return handed, kept


def _view(row, community: str, staff_id: str) -> AvailabilityView:
    if row is None:  # never marked: available, version 0
        return AvailabilityView(staff_id=staff_id, community=community, available=True,
                                version=0)
    return AvailabilityView(staff_id=staff_id, community=community, available=row["available"],
                            note=row["note"], changed_by=row["changed_by"],
                            changed_at=row["changed_at"], version=row["version"])


async def get_availability(pool: asyncpg.Pool, *, staff_id: str,
                           principal: Principal) -> AvailabilityView:
    """Where a person of the caller's community stands (never marked: available)."""
    row = await store.availability(pool, principal.community, staff_id)
    return _view(row, principal.community, staff_id)


async def grid_history(pool: asyncpg.Pool, *, grid_id: str,
                       principal: Principal) -> GridHistory:
    """Who held a grid of the caller's community when; 404 for a grid they may not see."""
    row = await grids.grid_row(pool, principal.community, grid_id)
    if row is None or not visible(GridView.model_validate(dict(row)), principal):
        raise NotFound(f"no grid {grid_id}")
    configs = [(r["occurred_at"], r["version"], GridConfigured.model_validate(r["data"]))
               for r in await store.grid_changes(pool, principal.community, grid_id)]
    people = sorted({p for _, _, c in configs for p in (c.steward, c.repairer, c.backup_steward,
                                                        c.backup_repairer) if p})
    changes = [(r["occurred_at"], 0, StaffAvailabilityChanged.model_validate(r["data"]))
               for r in await store.availability_changes(pool, principal.community, people)]
    periods = history.periods(configs + changes)
    return GridHistory(grid_id=grid_id, community=principal.community, periods=[
        HistoryPeriod(start=p.start, end=p.end, steward=p.steward, repairer=p.repairer,
                      absent=p.absent, version=p.version,
                      configuration=Configuration.of(p.configured), cause=p.cause)
        for p in periods])
