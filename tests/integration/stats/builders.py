"""Plain builders of the events stats reads, with times and ids chosen by the test."""

import uuid
from datetime import date, datetime, timedelta

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


STEPS = {"issue.accepted": events.IssueAccepted, "issue.started": events.IssueStarted,
         "issue.resolved": events.IssueResolved, "issue.returned": events.IssueReturned,
         "issue.escalated": events.IssueEscalated, "issue.overdue": events.IssueOverdue,
         "issue.closed": events.IssueClosed, "issue.referred": events.IssueReferred}
DEFAULTS = {
    "issue.accepted": lambda at: {"signoff_due_at": at, "on_time": True,
                                  "completion_due_at": at + timedelta(days=3)},
    "issue.resolved": lambda at: {"note": "fixed", "close_due_at": at + timedelta(days=7)},
    "issue.returned": lambda at: {"reason": "not ours", "role": "repairer"},
    "issue.escalated": lambda at: {"meeting_date": date(2024, 5, 14), "reason": "late",
                                   "cause": "overdue"},
    "issue.overdue": lambda at: {"deadline": "signoff", "due_at": at, "status": "assigned"},
    "issue.closed": lambda at: {"reason": "no_response_7_days"},
    "issue.referred": lambda at: {"department": "housing"},
}


def issue_step(short_type: str, *, community: str, issue_id: str, at: datetime,
               grid_id: str | None = "g-1", by: str = "s-01", **overrides) -> events.Envelope:
    """A dispatch workflow event (issue.accepted, issue.resolved...) with its contract fields."""
    model = STEPS[short_type]
    data = model(**{"issue_id": issue_id, "community": community, "grid_id": grid_id, "by": by,
                    **DEFAULTS.get(short_type, lambda at: {})(at), **overrides})
    return events.envelope(data, service="dispatch", subject=issue_id, time=at)


def resident(short_type: str, *, community: str, issue_id: str, at: datetime,
             **overrides) -> events.Envelope:
    """An intake resident action: issue.rated, issue.reopened, issue.cancelled, issue.confirmed."""
    model = {"issue.rated": events.IssueRated, "issue.reopened": events.IssueReopened,
             "issue.cancelled": events.IssueCancelled,
             "issue.confirmed": events.IssueConfirmed}[short_type]
    extra = {"issue.rated": {"score": 5}, "issue.reopened": {"reason": "leaks again"}}
    data = model(**{"issue_id": issue_id, "community": community, "by": "u-1",
                    **extra.get(short_type, {}), **overrides})
    return events.envelope(data, service="intake", subject=issue_id, time=at)


def grid_configured(*, community: str, grid_id: str, at: datetime, steward: str = "s-01",
                    repairer: str = "r-01") -> events.Envelope:
    data = events.GridConfigured(grid_id=grid_id, community=community, name=f"grid {grid_id}",
                                 buildings=["b-01"], steward=steward, repairer=repairer,
                                 configured_by="a-1")
    return events.envelope(data, service="dispatch", subject=grid_id, time=at)


def meeting_held(*, community: str, on: date, at: datetime,
                 decisions: list[tuple[str, str]]) -> events.Envelope:
    data = events.MeetingHeld(
        community=community, meeting_date=on, recorded_by="o-1",
        attendees=events.Attendees(community=["o-1"], volunteers=["v-1", "v-2"]),
        decisions=[events.MeetingDecision(issue_id=i, decision=d) for i, d in decisions])
    return events.envelope(data, service="dispatch", subject=on.isoformat(), time=at)


def campaign(*, community: str, campaign_id: str, at: datetime, issue_ids: list[str],
             starts_on: date, ends_on: date) -> list[events.Envelope]:
    opened = events.CampaignOpened(campaign_id=campaign_id, community=community, name="消防通道",
                                   categories=["safety.fire"], departments=["fire"],
                                   starts_on=starts_on, ends_on=ends_on, opened_by="o-1")
    added = events.CampaignIssuesAdded(campaign_id=campaign_id, community=community,
                                       issue_ids=issue_ids, added_by="o-1")
    return [events.envelope(opened, service="dispatch", subject=campaign_id, time=at),
            events.envelope(added, service="dispatch", subject=campaign_id,
                            time=at + timedelta(minutes=1))]
