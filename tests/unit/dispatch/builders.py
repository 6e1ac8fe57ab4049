"""Plain builders for dispatch tests: each returns a valid default, overridden by keywords."""

from datetime import datetime, timezone
from uuid import uuid4

from redgrid_shared.auth import Principal
from redgrid_shared.events import IssueReported, envelope

from dispatch.grids.domain import Grid
from dispatch.grids.models import ConfigureGrid

REPORTED_AT = datetime(2024, 6, 14, 9, 0, tzinfo=timezone.utc)


def grid_body(**overrides) -> dict:
    """A PUT /v1/grids body."""
    body = {"community": "erqiaoxi", "name": "第三网格", "buildings": ["b-07", "b-08"],
            "steward": "s-03", "repairer": "r-03", "backup_steward": "s-04",
            "backup_repairer": "r-04", "members": [{"id": "m-03", "role": "building_leader"}]}
    return {**body, **overrides}


def configure(**overrides) -> ConfigureGrid:
    return ConfigureGrid.model_validate(grid_body(**overrides))


def grid(**overrides) -> Grid:
    fields = {"grid_id": "g-03", "community": "erqiaoxi", "name": "第三网格",
              "buildings": ("b-07", "b-08"), "steward": "s-03", "repairer": "r-03"}
    return Grid(**{**fields, **overrides})


def admin(**overrides) -> Principal:
    return Principal(**{"sub": "a-01", "role": "admin", "community": "erqiaoxi", **overrides})


def issue_reported(**overrides) -> IssueReported:
    fields = {"issue_id": f"iss-{uuid4().hex[:12]}", "community": "erqiaoxi",
              "reporter_id": "u-1001", "reported_by": "u-1001", "category": "repair.pipe",
              "description": "厨房下水道堵了", "building": "b-07", "unit": "2-301"}
    return IssueReported(**{**fields, **overrides})


def issue_reported_envelope(*, time: datetime = REPORTED_AT, **overrides):
    """An intake issue.reported envelope as the consumer receives it."""
    report = issue_reported(**overrides)
    return envelope(report, service="intake", subject=report.issue_id, time=time)
