"""Stats routes: the selection from the query -> views -> JSON or CSV (the page: dashboard.py)."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from redgrid_shared.auth import Caller
from redgrid_shared.deps import PoolDep
from redgrid_shared.errors import ERROR_RESPONSES

from stats import csvexport, scope, views
from stats.models import (CampaignsView, GridsView, MeetingsView, OverdueView, StaffView,
                          SummaryView, TimeseriesView)

router = APIRouter(prefix="/v1/stats", tags=["stats"], responses=ERROR_RESPONSES)
MOMENT = "ISO 8601 date (an Asia/Shanghai day) or date-time (no offset: Shanghai time)"
MANY = "repeat the parameter or separate values with commas; values OR, parameters AND"


def now(request: Request) -> datetime:
    return request.app.state.clock()


def read_scope(
    request: Request, caller: Caller,
    community: Annotated[str | None, Query(description="the caller's (default); another is 403")] = None,
    grid: Annotated[list[str] | None, Query(description=f"grid ids; {MANY}",
                                            examples=["g-01,g-02"])] = None,
    staff: Annotated[list[str] | None, Query(description=f"person ids credited; {MANY}",
                                             examples=["s-01"])] = None,
    category: Annotated[list[str] | None, Query(description=f"category codes; {MANY}",
                                                examples=["repair.paid,repair.pipe"])] = None,
    source: Annotated[list[str] | None, Query(description=f"app | meeting | grid_visit | hotline; {MANY}",
                                              examples=["hotline"])] = None,
    from_: Annotated[str | None, Query(alias="from", description=f"inclusive; {MOMENT}",
                                       examples=["2026-01-01"])] = None,
    to: Annotated[str | None, Query(description=f"exclusive; {MOMENT}",
                                    examples=["2027-01-01"])] = None,
    as_of: Annotated[str | None, Query(description=f"default now; {MOMENT}",
                                       examples=["2026-11-14T18:00:00+08:00"])] = None,
) -> scope.Scope:
    """The checked selection of a request: 403 for a non-desk caller or a foreign community."""
    return scope.build(caller, now=now(request), community=community, grid=grid, staff=staff,
                       category=category, source=source, start=from_, end=to, as_of=as_of)


ScopeDep = Annotated[scope.Scope, Depends(read_scope)]
SEE = " The query language is in docs/api.md (stats)."


@router.get("/summary", response_model=SummaryView, summary="Every figure of a selection",
            description="Issue figures (reported in the window, status as of), event figures "
                        "(happened in the window), and what is overdue at as_of." + SEE)
async def summary(pool: PoolDep, scoped: ScopeDep) -> SummaryView:
    return await views.summary(pool, scoped)


@router.get("/grids", response_model=GridsView, summary="Figures per grid, and who did the work",
            description="Per grid: its figures, its holders at as_of, and each person's work "
                        "in it credited to whoever was named when it happened." + SEE)
async def grids(pool: PoolDep, scoped: ScopeDep) -> GridsView:
    return await views.grids(pool, scoped)


@router.get("/staff", response_model=StaffView, summary="Per-person workload",
            description="Open issues at as_of, and sign-offs, completions, returns, reopens "
                        "and ratings credited to each person in the window." + SEE)
async def staff(pool: PoolDep, scoped: ScopeDep) -> StaffView:
    return await views.staff(pool, scoped)


@router.get("/timeseries", response_model=TimeseriesView,
            summary="Daily figures (Asia/Shanghai days, default the last 30, at most 366)",
            description="One entry per day of [from, to): collected, first handled, and every "
                        "event figure of that day." + SEE)
async def timeseries(pool: PoolDep, scoped: ScopeDep) -> TimeseriesView:
    return await views.timeseries(pool, scoped)


@router.get("/meetings", response_model=MeetingsView, summary="逢四说事 meetings held and agendas",
            description="Meetings whose day lies in the window with their decisions, and the "
                        "agenda size of coming meeting days as of as_of." + SEE)
async def meetings(pool: PoolDep, scoped: ScopeDep) -> MeetingsView:
    return await views.meetings(pool, scoped)


@router.get("/campaigns", response_model=CampaignsView, summary="专项整治 campaign results",
            description="Campaigns overlapping the window: issues attached by as_of, handled, "
                        "by category and status as of as_of." + SEE)
async def campaigns(pool: PoolDep, scoped: ScopeDep) -> CampaignsView:
    return await views.campaigns(pool, scoped)


@router.get("/overdue", response_model=OverdueView, summary="The issues overdue at as_of",
            description="Open issues past a sign-off or completion deadline at as_of, oldest "
                        "report first (at most 500), within grid/category/source/staff." + SEE)
async def overdue(pool: PoolDep, scoped: ScopeDep) -> OverdueView:
    return await views.overdue(pool, scoped)


View = Literal["summary", "grids", "staff", "timeseries", "meetings", "campaigns", "overdue"]


@router.get("/export.csv", response_class=Response, summary="Any view of a selection, as CSV",
            description="`view=` picks the view (default summary); the other parameters are "
                        "the same selection as the JSON routes. UTF-8 with a BOM; the "
                        "download name is sent as RFC 6266 `filename*`." + SEE,
            responses={200: {"content": {"text/csv": {"example": "\ufefffigure,value\r\ncollected,742\r\n"}}}})
async def export_csv(pool: PoolDep, scoped: ScopeDep,
                     view: Annotated[View, Query(description="which view")] = "summary") -> Response:
    model = await views.VIEWS[view](pool, scoped)
    day = scoped.as_of.astimezone(scope.TZ)
    name = f"stats-{scoped.community}-{view}-{day:%Y%m%d}.csv"
    return Response(csvexport.render(csvexport.table(view, model)),
                    media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": csvexport.content_disposition(name)})

