"""Response models of the stats API; field names are the JSON contract (docs/api.md)."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class Filters(BaseModel):
    grid: list[str] = []
    staff: list[str] = []
    category: list[str] = []
    source: list[str] = []


class Selection(BaseModel):
    """What every view echoes: the community, the moments and the filters it answers for."""

    model_config = ConfigDict(populate_by_name=True)
    community: str
    as_of: datetime
    from_: datetime | None = Field(None, alias="from")
    to: datetime | None = None
    filters: Filters


class Decisions(BaseModel):
    resolved: int = 0
    assigned: int = 0
    referred: int = 0
    carried: int = 0


class EventFigures(BaseModel):
    """Events that happened in [from, to) up to as_of, in the selected grids/categories."""

    assignments: int
    signoffs: int = Field(description="issue.accepted (签收)")
    on_time_signoffs: int
    on_time_signoff_rate: float | None
    completions: int = Field(description="issue.resolved with a completion clock")
    on_time_completions: int
    on_time_completion_rate: float | None
    resolutions: int
    returns: int
    return_rate: float | None = Field(description="returns / assignments")
    reopens: int
    reopen_rate: float | None = Field(description="reopens / resolutions")
    ratings: int
    satisfaction: float | None = Field(description="average rating, 1-5")
    escalations: int
    overdue_events: int
    unroutable: int
    cancelled: int
    issues_decided: int
    decisions: Decisions
    paid_repairs: int
    income: float = Field(description="yuan charged for paid repairs")


class GridFigures(EventFigures):
    collected: int = Field(description="issues reported in [from, to) and by as_of")
    handled: int = Field(description="of those, resolved or closed as of as_of")
    handling_rate: float | None
    by_category: dict[str, int]
    by_status: dict[str, int]
    by_source: dict[str, int]
    overdue_now: int = Field(description="issues overdue at as_of, whatever the window")


class Figures(GridFigures):
    meetings_held: int = Field(description="meetings whose day lies in the window")


class SummaryView(Figures, Selection):
    pass


class Holders(BaseModel):
    steward: str | None = None
    repairer: str | None = None


class PersonFigures(BaseModel):
    open: int = Field(description="open issues naming the person at as_of")
    overdue_now: int
    assignments: int
    signoffs: int
    on_time_signoffs: int
    on_time_signoff_rate: float | None
    done: int = Field(description="resolutions credited to the person")
    done_on_time: int
    completions: int
    on_time_completion_rate: float | None
    returns: int
    reopens: int
    ratings: int
    satisfaction: float | None
    overdue_events: int


class GridPerson(PersonFigures):
    person: str


class GridRow(BaseModel):
    grid_id: str | None = Field(description="null gathers issues no grid held")
    name: str | None = None
    holders: Holders
    figures: GridFigures
    staff: list[GridPerson] = Field(description="work in this grid credited by event time")


class GridsView(Selection):
    grids: list[GridRow]


class StaffRow(PersonFigures):
    person: str
    grids: list[str]
    available: bool | None = Field(None, description="on duty at as_of; null if never changed")


class StaffView(Selection):
    staff: list[StaffRow]


class Day(EventFigures):
    day: date = Field(description="an Asia/Shanghai calendar day")
    collected: int = Field(description="issues reported that day")
    handled: int = Field(description="issues first resolved or closed that day")
    meetings_held: int
    by_status: dict[str, int] = Field(
        description="issues by status at the day's end (23:59:59.999999 Shanghai, or as_of "
                    "if earlier), every issue reported by then: the summary's by_status "
                    "with that as_of and no from/to",
        examples=[{"reported": 1, "assigned": 2, "resolved": 5, "closed": 9}])
    open: int = Field(description="issues open at the day's end", examples=[4])
    overdue_now: int = Field(description="open issues overdue at the day's end", examples=[1])


class TimeseriesView(Selection):
    days: list[Day]


class Meeting(BaseModel):
    meeting_date: date
    recorded_at: datetime
    attendees: int
    decisions: int
    by_decision: Decisions


class Agenda(BaseModel):
    meeting_date: date
    agenda: int = Field(description="issues escalated to that day and waiting at as_of")


class MeetingsView(Selection):
    meetings: list[Meeting]
    upcoming: list[Agenda]


class Campaign(BaseModel):
    campaign_id: str
    name: str
    categories: list[str]
    departments: list[str]
    starts_on: date
    ends_on: date
    opened_at: datetime
    closed_at: datetime | None
    results: str | None
    issues: int
    handled: int
    handling_rate: float | None
    by_category: dict[str, int]
    by_status: dict[str, int]


class CampaignsView(Selection):
    campaigns: list[Campaign]


class OverdueIssue(BaseModel):
    issue_id: str
    category: str
    source: str
    grid_id: str | None
    steward: str | None
    repairer: str | None
    status: str
    reported_at: datetime
    since: datetime = Field(description="start of its current state")


class OverdueView(Selection):
    issues: list[OverdueIssue] = Field(description="oldest report first, at most 500")
