"""Builders of workflow states and callers: valid defaults, overridden by keywords."""

from datetime import datetime, timedelta, timezone

from redgrid_shared.auth import Principal

from dispatch.sla.limits import Limits, Timing
from dispatch.workflow.aggregate import Issue

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai
TIMING = Timing()
LIMITS = Limits(signoff_minutes=120, completion_minutes=72 * 60, urgent=False)


def issue(**overrides) -> Issue:
    """An assigned repair.pipe issue of grid g-03 (steward s-03, repairer r-03), version 1."""
    fields = dict(issue_id="iss-0000000000000001", community="erqiaoxi", status="assigned",
                  version=1, grid_id="g-03", category="repair.pipe", building="b-07",
                  steward_id="s-03", repairer_id="r-03",
                  signoff_due_at=NOW + timedelta(hours=2), completion_limit_minutes=72 * 60)
    return Issue(**{**fields, **overrides})


def person(role: str, sub: str, *, community: str = "erqiaoxi",
           grids: tuple[str, ...] = ()) -> Principal:
    return Principal(sub=sub, role=role, community=community, grids=grids)


STEWARD = person("steward", "s-03", grids=("g-03",))
REPAIRER = person("repairer", "r-03", grids=("g-03",))
OPERATOR = person("operator", "o-01")
ADMIN = person("admin", "a-01")
# Neighbours: another steward of the same grid's community, and the same ids elsewhere.
OTHER_STEWARD = person("steward", "s-09", grids=("g-09",))
GRID_MATE = person("steward", "s-04", grids=("g-03",))
NEIGHBOUR_OPERATOR = person("operator", "o-01", community="nanhu")
NEIGHBOUR_STEWARD = person("steward", "s-03", community="nanhu", grids=("g-03",))
