"""Plain builders of the events stats reads, with times and ids chosen by the test."""

import uuid
from datetime import datetime, timedelta

from redgrid_shared import events


def tag() -> str:
    """A community id no other test uses."""
    return f"c{uuid.uuid4().hex[:10]}"


def issue_reported(*, community: str, at: datetime, issue_id: str | None = None,
                   **overrides) -> events.Envelope:
    issue_id = issue_id or f"i-{uuid.uuid4().hex[:8]}"
    data = events.IssueReported(**{
        "issue_id": issue_id, "community": community, "reporter_id": "u-1", "reported_by": "u-1",
        "category": "repair.pipe", "description": "blocked drain", "building": "b-01",
        **overrides})
    return events.envelope(data, service="intake", subject=issue_id, time=at)


def issue_assigned(*, community: str, issue_id: str, at: datetime, grid_id: str = "g-1",
                   **overrides) -> events.Envelope:
    data = events.IssueAssigned(**{
        "issue_id": issue_id, "community": community, "grid_id": grid_id, "steward_id": "s-01",
        "repairer_id": "r-01", "category": "repair.pipe", "signoff_due_at": at + timedelta(hours=2),
        "completion_limit_minutes": 4320, **overrides})
    return events.envelope(data, service="dispatch", subject=issue_id, time=at)


def issue_unroutable(*, community: str, issue_id: str, at: datetime) -> events.Envelope:
    data = events.IssueUnroutable(issue_id=issue_id, community=community, building="b-99",
                                  reason="no grid covers b-99")
    return events.envelope(data, service="dispatch", subject=issue_id, time=at)


def issue_step(short_type: str, *, issue_id: str, at: datetime) -> events.Envelope:
    """A lifecycle event (issue.resolved, issue.closed...) that has no typed model yet."""
    return events.Envelope(type=events.TYPE_PREFIX + short_type, source="/redgrid/dispatch",
                           subject=issue_id, time=at, data={"issue_id": issue_id})


def grid_configured(*, community: str, grid_id: str, at: datetime, steward: str = "s-01",
                    repairer: str = "r-01") -> events.Envelope:
    data = events.GridConfigured(grid_id=grid_id, community=community, name=f"grid {grid_id}",
                                 buildings=["b-01"], steward=steward, repairer=repairer,
                                 configured_by="a-1")
    return events.envelope(data, service="dispatch", subject=grid_id, time=at)
