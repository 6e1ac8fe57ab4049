"""API shapes of campaigns (专项整治): what a request carries and what a response shows."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from redgrid_shared import catalog
from redgrid_shared.events import Department

from dispatch.grids.models import Id

CAMPAIGN_ID_PATTERN = r"^cmp-[1-9][0-9]{0,8}$"
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


def _known_categories(codes: list[str]) -> list[str]:
    unknown = [c for c in codes if c not in catalog.CATEGORIES]
    if unknown:
        raise ValueError(f"unknown categories: {', '.join(unknown)} (see GET /v1/categories)")
    if len(set(codes)) != len(codes):
        raise ValueError("a category is listed more than once")
    return codes


Categories = Annotated[list[str], Field(min_length=1, max_length=30),
                       AfterValidator(_known_categories)]

OPEN_EXAMPLE = {"name": "消防通道与飞线充电专项整治", "categories": ["safety.fire"],
                "departments": ["fire", "street_office"],
                "starts_on": "2024-04-01", "ends_on": "2024-06-30"}


class OpenCampaign(BaseModel):
    """A new campaign: what it targets, with whom, and for how long (dates inclusive)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [OPEN_EXAMPLE]})
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    categories: Categories
    departments: Annotated[list[Department], Field(max_length=10)] = []
    starts_on: date
    ends_on: date

    @model_validator(mode="after")
    def _period(self) -> "OpenCampaign":
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class Match(BaseModel):
    """Attach the community's issues in these categories reported within these dates.

    Each field defaults to the campaign's own; dates are Asia/Shanghai calendar days, inclusive.
    """

    model_config = ConfigDict(extra="forbid")
    categories: Categories | None = None
    reported_from: date | None = None
    reported_to: date | None = None


class AddIssues(BaseModel):
    """Either `issue_ids` (by hand) or `match` (by category and period), not both."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"issue_ids": ["iss-7f3a9c", "iss-81bd02"]},
        {"match": {"categories": ["safety.fire"], "reported_from": "2024-04-01",
                   "reported_to": "2024-06-30"}},
        {"match": {}}]})
    issue_ids: Annotated[list[Id], Field(min_length=1, max_length=1000)] | None = None
    match: Match | None = None

    @model_validator(mode="after")
    def _one_way(self) -> "AddIssues":
        if (self.issue_ids is None) == (self.match is None):
            raise ValueError("give either issue_ids or match, exactly one")
        return self


class CloseCampaign(BaseModel):
    """The campaign's results in words; the counts are computed from its issues."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"results": "清理消防通道 41 处，拆除飞线 23 处，共消除隐患 64 处"}]})
    results: Text


class CampaignView(BaseModel):
    """A campaign with live counts of its issues by status; `cleared` = resolved + closed."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "campaign_id": "cmp-1", "community": "erqiaoxi", **OPEN_EXAMPLE, "status": "closed",
        "results": "清理消防通道 41 处，拆除飞线 23 处，共消除隐患 64 处",
        "opened_by": "op-01", "opened_at": "2024-04-01T09:00:00+08:00",
        "closed_by": "op-01", "closed_at": "2024-07-01T10:00:00+08:00",
        "issue_count": 66, "cleared": 64, "by_status": {"closed": 60, "resolved": 4,
                                                        "in_progress": 2}}]})
    campaign_id: str
    community: str
    name: str
    categories: list[str]
    departments: list[str]
    starts_on: date
    ends_on: date
    status: Literal["open", "closed"]
    results: str | None
    opened_by: str
    opened_at: datetime
    closed_by: str | None
    closed_at: datetime | None
    issue_count: int
    cleared: int
    by_status: dict[str, int]


class CampaignPage(BaseModel):
    """Campaigns, newest first; pass `next_cursor` back as `cursor` for the next page."""

    items: list[CampaignView]
    next_cursor: str | None = None


class IssuesAdded(BaseModel):
    """What an attach did: the issues newly attached (already attached ones are skipped)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "added": ["iss-7f3a9c", "iss-81bd02"], "already_attached": [],
        "campaign": CampaignView.model_config["json_schema_extra"]["examples"][0]}]})
    added: list[str]
    already_attached: list[str]
    campaign: CampaignView
