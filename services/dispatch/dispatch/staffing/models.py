"""API shapes of staff availability and grid history."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from redgrid_shared.events import GridConfigured


class ChangeAvailability(BaseModel):
    """On leave (`available: false`) or back (`available: true`), with an optional note."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"available": False, "note": "年假 5月1日至7日"}, {"available": True}]})
    available: bool
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                           max_length=500)] | None = None


class Handover(BaseModel):
    """One open issue of the person going on leave: who took it over, or None (kept)."""

    issue_id: str
    role: Literal["steward", "repairer"]
    to: str | None


class AvailabilityView(BaseModel):
    """Where a person stands; on a change to leave, what happened to their open work."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "staff_id": "s-03", "community": "erqiaoxi", "available": False,
        "note": "年假 5月1日至7日", "changed_by": "a-01",
        "changed_at": "2024-05-01T08:00:00+08:00", "version": 3,
        "handed_over": [{"issue_id": "iss-7f3a9c", "role": "steward", "to": "s-04"}],
        "kept": [{"issue_id": "iss-81bd02", "role": "steward", "to": None}]}]})
    staff_id: str
    community: str
    available: bool
    note: str | None = None
    changed_by: str | None = None
    changed_at: datetime | None = None
    version: int
    handed_over: list[Handover] = []
    kept: list[Handover] = []


class Configuration(BaseModel):
    """The grid's configured people in a period (the regular holders and their backups)."""

    steward: str
    repairer: str
    backup_steward: str | None
    backup_repairer: str | None
    configured_by: str

    @classmethod
    def of(cls, event: GridConfigured) -> "Configuration":
        return cls(**event.model_dump(include=set(cls.model_fields)))


class HistoryPeriod(BaseModel):
    """From `start` to `end` (null: until now) these people held the grid's work."""

    start: datetime
    end: datetime | None
    steward: str | None  # who took steward work: the regular one, or the backup covering
    repairer: str | None
    absent: list[str]  # regular holders away in the period
    version: int  # the grid's configuration version in force
    configuration: Configuration
    cause: dict  # the change that began the period: grid.configured or availability


class GridHistory(BaseModel):
    """Who held a grid when, oldest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "grid_id": "g-03", "community": "erqiaoxi", "periods": [
            {"start": "2024-03-01T09:00:00+08:00", "end": "2024-05-01T08:00:00+08:00",
             "steward": "s-03", "repairer": "r-03", "absent": [], "version": 1,
             "configuration": {"steward": "s-03", "repairer": "r-03",
                               "backup_steward": "s-04", "backup_repairer": "r-04",
                               "configured_by": "a-01"},
             "cause": {"type": "grid.configured", "at": "2024-03-01T09:00:00+08:00",
                       "by": "a-01"}},
            {"start": "2024-05-01T08:00:00+08:00", "end": None,
             "steward": "s-04", "repairer": "r-03", "absent": ["s-03"], "version": 1,
             "configuration": {"steward": "s-03", "repairer": "r-03",
                               "backup_steward": "s-04", "backup_repairer": "r-04",
                               "configured_by": "a-01"},
             "cause": {"type": "staff.availability-changed",
                       "at": "2024-05-01T08:00:00+08:00", "staff_id": "s-03",
                       "available": False, "by": "a-01"}}]}]})
    grid_id: str
    community: str
    periods: list[HistoryPeriod]
