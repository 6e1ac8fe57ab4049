"""Stats routes: scope from the query -> queries -> figures -> JSON, CSV or the dashboard."""

import csv
import io
from datetime import datetime, time, timedelta, timezone
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from redgrid_shared.auth import Caller
from redgrid_shared.deps import PoolDep
from redgrid_shared.errors import ERROR_RESPONSES

from stats import figures, queries, scope
from stats.models import Day, GridFigures, GridsView, Summary, Timeseries

router = APIRouter(prefix="/v1/stats", tags=["stats"], responses=ERROR_RESPONSES)
MOMENT_HELP = "ISO 8601 date (an Asia/Shanghai day) or date-time"


def now(request: Request) -> datetime:
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock else datetime.now(timezone.utc)


def read_scope(
    request: Request, caller: Caller,
    community: Annotated[str | None, Query(description="defaults to the caller's")] = None,
    grid: str | None = None, category: str | None = None,
    source: Annotated[str | None, Query(description="app | meeting | grid_visit | hotline")] = None,
    from_: Annotated[str | None, Query(alias="from", description=f"inclusive; {MOMENT_HELP}")] = None,
    to: Annotated[str | None, Query(description=f"exclusive; {MOMENT_HELP}")] = None,
    as_of: Annotated[str | None, Query(description=f"default now; {MOMENT_HELP}")] = None,
) -> scope.Scope:
    """The checked scope of a request: 403 for a non-desk caller or a foreign community."""
    return scope.build(caller, now=now(request), community=community, grid=grid,
                       category=category, source=source, start=from_, end=to, as_of=as_of)


ScopeDep = Annotated[scope.Scope, Depends(read_scope)]


@router.get("/summary", response_model=Summary, summary="Headline figures, as of a moment")
async def summary(pool: PoolDep, scoped: ScopeDep) -> Summary:
    return Summary.of(scoped, figures.tally(await queries.counts(pool, scoped)))


@router.get("/grids", response_model=GridsView, summary="Collected and handled per grid")
async def grids(pool: PoolDep, scoped: ScopeDep) -> GridsView:
    per_grid = await queries.grid_counts(pool, scoped)
    owners = {r["grid_id"]: r for r in await queries.grid_owners(
        pool, community=scoped.community, as_of=scoped.as_of)}
    rows = []
    for grid_id in sorted(set(owners) | set(per_grid), key=lambda g: (g is None, g or "")):
        if scoped.grid and grid_id != scoped.grid:
            continue
        collected, handled = per_grid.get(grid_id, (0, 0))
        owner = owners.get(grid_id)
        rows.append(GridFigures(
            grid_id=grid_id, name=owner and owner["name"], steward=owner and owner["steward"],
            repairer=owner and owner["repairer"], collected=collected, handled=handled,
            handling_rate=figures.rate(handled, collected)))
    return GridsView(community=scoped.community, as_of=scoped.as_of, grids=rows)


@router.get("/timeseries", response_model=Timeseries,
            summary="Daily collected and handled (Asia/Shanghai days, default last 30)")
async def timeseries(pool: PoolDep, scoped: ScopeDep) -> Timeseries:
    days = scope.series_days(scoped)
    start = datetime.combine(days[0], time(), scope.TZ)
    end = datetime.combine(days[-1] + timedelta(days=1), time(), scope.TZ)
    per_day = await queries.daily(pool, scoped, start=start, end=end)
    return Timeseries(community=scoped.community, as_of=scoped.as_of, days=[
        Day(day=d, collected=per_day.get(d, (0, 0))[0], handled=per_day.get(d, (0, 0))[1])
        for d in days])


@router.get("/export.csv", response_class=Response, summary="The summary by category, as CSV",
            responses={200: {"content": {"text/csv": {}}}})
async def export_csv(pool: PoolDep, scoped: ScopeDep) -> Response:
    rows = figures.category_rows(await queries.counts(pool, scoped))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["category", "label_zh", "label_en", "collected", "handled", "handling_rate"])
    for r in rows:
        writer.writerow([r.category, r.label_zh, r.label_en, r.collected, r.handled,
                         "" if r.handling_rate is None else r.handling_rate])
    collected, handled = sum(r.collected for r in rows), sum(r.handled for r in rows)
    total_rate = figures.rate(handled, collected)
    writer.writerow(["total", "合计", "Total", collected, handled,
                     "" if total_rate is None else total_rate])
    name = f"stats-{scoped.community}-{scoped.as_of.astimezone(scope.TZ):%Y%m%d}.csv"
    # The BOM lets spreadsheet apps read the Chinese labels as UTF-8.
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
