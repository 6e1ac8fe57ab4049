"""API shapes of SLA limits."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from redgrid_shared import catalog

CategoryCode = Literal[tuple(catalog.CATEGORIES)]  # type: ignore[valid-type]
MAX_MINUTES = 90 * 24 * 60  # a limit longer than a quarter is a typo, not a service level


class SetLimits(BaseModel):
    """A category's new limits in this community (minutes)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"signoff_minutes": 60, "completion_minutes": 2880}]})
    signoff_minutes: int = Field(ge=1, le=MAX_MINUTES,
                                 description="Sign-off (签收) limit, counted from assignment")
    completion_minutes: int = Field(ge=1, le=MAX_MINUTES,
                                    description="Completion limit, counted from sign-off")


class CategoryLimitsView(BaseModel):
    """One category's limits; `overridden` when an admin of the community changed them."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "category": "repair.pipe", "priority": "normal", "signoff_minutes": 120,
        "completion_minutes": 4320, "overridden": False}]})
    category: str
    priority: str
    signoff_minutes: int
    completion_minutes: int
    overridden: bool


class SlaView(BaseModel):
    """The community's limits. A report flagged 一老一小 gets the `vulnerable` limits (or its
    category's, if shorter); a resolved issue closes after `auto_close_minutes` of silence.
    `time_scale` > 1 only in demos and tests: every span is divided by it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "community": "erqiaoxi", "categories": [CategoryLimitsView.model_config[
            "json_schema_extra"]["examples"][0]],
        "vulnerable": {"signoff_minutes": 30, "completion_minutes": 1440},
        "auto_close_minutes": 10080, "time_scale": 1.0}]})
    community: str
    categories: list[CategoryLimitsView]
    vulnerable: dict[str, int]
    auto_close_minutes: int
    time_scale: float
