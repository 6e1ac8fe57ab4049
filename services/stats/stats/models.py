"""Response models of the stats API; field names are the JSON contract."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from stats.figures import Tally
from stats.scope import Scope


class Summary(BaseModel):
    """Headline figures of a community (or grid) for a window, as of a moment.

    `handling_rate` is null when nothing was collected. On-time, satisfaction, meeting
    and campaign figures will be added as fields here when their events exist.
    """

    model_config = ConfigDict(populate_by_name=True)

    community: str | None
    grid: str | None = None
    category: str | None = None
    source: str | None = None
    from_: datetime | None = Field(None, alias="from")
    to: datetime | None = None
    as_of: datetime
    collected: int = Field(description="reported within [from, to) and at or before as_of")
    handled: int = Field(description="of those, resolved or closed as of as_of")
    handling_rate: float | None = Field(description="handled / collected, 3 places; null if none")
    by_category: dict[str, int]
    by_status: dict[str, int]
    unroutable: int = Field(description="of those, ever found unroutable up to as_of")

    @classmethod
    def of(cls, scope: Scope, tally: Tally) -> "Summary":
        """The summary of a scope's tally."""
        return cls(community=scope.community, grid=scope.grid, category=scope.category,
                   source=scope.source, from_=scope.start, to=scope.end, as_of=scope.as_of,
                   collected=tally.collected, handled=tally.handled,
                   handling_rate=tally.handling_rate, by_category=tally.by_category,
                   by_status=tally.by_status, unroutable=tally.unroutable)

    def figures(self) -> dict:
        """The JSON body, aliases applied; what the rebuild compares."""
        return self.model_dump(mode="json", by_alias=True)


class GridFigures(BaseModel):
    grid_id: str | None = Field(description="null collects issues no grid held as of as_of")
    name: str | None = None
    steward: str | None = None
    repairer: str | None = None
    collected: int
    handled: int
    handling_rate: float | None


class GridsView(BaseModel):
    community: str
    as_of: datetime
    grids: list[GridFigures]


class Day(BaseModel):
    day: date = Field(description="an Asia/Shanghai calendar day")
    collected: int = Field(description="issues reported that day")
    handled: int = Field(description="issues first resolved or closed that day")


class Timeseries(BaseModel):
    community: str
    as_of: datetime
    days: list[Day]
