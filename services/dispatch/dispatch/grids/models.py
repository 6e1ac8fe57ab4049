"""API shapes of dispatch: what a request carries and what a response shows."""

from datetime import datetime
from typing import Annotated

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo,
                      field_validator)

from redgrid_shared.events import MemberRole

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]

GRID_EXAMPLE = {
    "community": "erqiaoxi",
    "name": "第三网格",
    "buildings": ["b-07", "b-08", "b-09"],
    "steward": "s-03",
    "repairer": "r-03",
    "backup_steward": "s-04",
    "backup_repairer": "r-04",
    "members": [{"id": "m-03", "role": "building_leader"},
                {"id": "v-11", "role": "volunteer"},
                {"id": "u-street-office", "role": "backing_unit"}],
}


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    repeated = [v for v in values if v in seen or seen.add(v)]
    if repeated:
        raise ValueError(f"listed more than once: {', '.join(dict.fromkeys(repeated))}")
    return values


class Member(BaseModel):
    """One of the grid's "N" members: a building leader, volunteer or backing unit."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Id
    role: MemberRole


def _unique_members(members: list[Member]) -> list[Member]:
    _unique([m.id for m in members])
    return members


class ConfigureGrid(BaseModel):
    """The whole configuration of a grid; a PUT replaces the previous one."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [GRID_EXAMPLE]})

    community: Id
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    buildings: Annotated[list[Id], Field(min_length=1, max_length=500),
                         AfterValidator(_unique)]
    steward: Id
    repairer: Id
    backup_steward: Id | None = None
    backup_repairer: Id | None = None
    members: Annotated[list[Member], Field(max_length=500), AfterValidator(_unique_members)] = []

    @field_validator("backup_steward", "backup_repairer")
    @classmethod
    def _backup_is_someone_else(cls, value: str | None, info: ValidationInfo) -> str | None:
        role = info.field_name.removeprefix("backup_")
        if value is not None and value == info.data.get(role):
            raise ValueError(f"must be someone other than the {role}")
        return value


class GridView(BaseModel):
    """A grid as the directory holds it now; `version` is its stream version."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "grid_id": "g-03", **GRID_EXAMPLE, "version": 2, "configured_by": "a-01",
        "created_at": "2024-05-04T09:00:00+08:00", "updated_at": "2024-06-14T10:30:00+08:00"}]})

    grid_id: str
    community: str
    name: str
    buildings: list[str]
    steward: str
    repairer: str
    backup_steward: str | None
    backup_repairer: str | None
    members: list[Member]
    version: int
    configured_by: str
    created_at: datetime
    updated_at: datetime


class GridPage(BaseModel):
    """One page of grids, ordered by id; pass `next_cursor` back as `cursor` for the next."""

    items: list[GridView]
    next_cursor: str | None = None
