"""The issue aggregate as dispatch sees it: a state folded from stream `issue-<id>`.

Pure. `evolve(state, event)` applies one dispatch issue event; every event carries the status
it leaves the issue in, so the status always comes from the event itself.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from redgrid_shared.events import (EventData, IssueAccepted, IssueAssigned, IssueClosed,
                                   IssueEscalated, IssueOverdue, IssueReferralOutcome,
                                   IssueReferred, IssueResolved, IssueReturned, IssueStarted,
                                   IssueUnroutable, ResidentActionSettled)

# Statuses in which the grid's staff hold the work (their task list).
WORKING = frozenset({"assigned", "accepted", "in_progress"})
# Statuses an operator must act on (the queue).
QUEUED = frozenset({"unroutable", "returned"})
# Nothing happens to an issue any more.
FINAL = frozenset({"closed", "cancelled"})


@dataclass(frozen=True)
class Issue:
    """Where one issue stands in the staff workflow; `version` is its stream version."""

    issue_id: str
    community: str
    status: str = "reported"
    version: int = 0
    grid_id: str | None = None
    category: str | None = None
    building: str | None = None
    vulnerable: str | None = None  # 一老一小: elderly | child, from the report
    steward_id: str | None = None
    repairer_id: str | None = None
    urgent: bool = False
    signoff_due_at: datetime | None = None
    completion_limit_minutes: int | None = None
    completion_due_at: datetime | None = None
    resolved_at: datetime | None = None
    close_due_at: datetime | None = None
    meeting_date: date | None = None  # the meeting whose agenda holds it, while escalated
    department: str | None = None  # while referred
    unit: str | None = None  # a unit a meeting assigned it to
    returned_by: str | None = None  # role that gave it back, while returned
    queue_reason: str | None = None  # why it waits for an operator (unroutable, returned)
    overdue: frozenset[tuple[str, datetime]] = frozenset()  # (deadline, due_at) already fired

    def current_deadline(self) -> tuple[str, datetime] | None:
        """The SLA deadline running now: (signoff|completion, due_at), or None."""
        if self.status == "assigned" and self.signoff_due_at:
            return "signoff", self.signoff_due_at
        if self.status in ("accepted", "in_progress") and self.completion_due_at:
            return "completion", self.completion_due_at
        return None


def evolve(state: Issue | None, event: EventData, *, at: datetime | None = None) -> Issue:
    """The state after one event; `at` is the event's time (kept for resolved_at)."""
    if state is None:
        state = Issue(issue_id=event.issue_id, community=event.community)
    # One replace per event (it copies every field): the version and the event's changes.
    return replace(state, version=state.version + 1, **_changes(state, event, at))


def _changes(state: Issue, event: EventData, at: datetime | None) -> dict:
    """The fields one event sets (the version aside)."""
    match event:
        case IssueAssigned():
            return dict(
                status=event.status, grid_id=event.grid_id, category=event.category,
                steward_id=event.steward_id, repairer_id=event.repairer_id, urgent=event.urgent,
                signoff_due_at=event.signoff_due_at,
                completion_limit_minutes=event.completion_limit_minutes,
                completion_due_at=None, close_due_at=None, resolved_at=None, meeting_date=None,
                department=None, unit=event.unit, returned_by=None, queue_reason=None)
        case IssueUnroutable():
            return dict(status=event.status, building=event.building,
                        queue_reason=event.reason)
        case IssueAccepted():
            return dict(status=event.status, completion_due_at=event.completion_due_at)
        case IssueStarted():
            return dict(status=event.status)
        case IssueResolved():
            return dict(status=event.status, resolved_at=at,
                        close_due_at=event.close_due_at, meeting_date=None, department=None)
        case IssueReturned():
            return dict(status=event.status, returned_by=event.role,
                        queue_reason=f"returned by the {event.role}: {event.reason}")
        case IssueEscalated():
            return dict(status=event.status, meeting_date=event.meeting_date)
        case IssueReferred():
            return dict(status=event.status, department=event.department,
                        meeting_date=None)
        case IssueReferralOutcome():
            return dict(status=event.status,
                        queue_reason=None if event.status != "returned" else
                        f"{event.department} handed it back: {event.outcome}")
        case IssueOverdue():
            return dict(overdue=state.overdue | {(event.deadline, event.due_at)})
        case IssueClosed():
            return dict(status=event.status)
        case ResidentActionSettled():
            # a reopen with no grid to take it waits for an operator, saying why
            reason = event.reason if event.status == "returned" else state.queue_reason
            return dict(status=event.status, queue_reason=reason)
    return {}  # a type this code does not know takes a version and changes nothing else


def fold(events: Iterable[tuple[EventData, datetime | None]],
         state: Issue | None = None) -> Issue | None:
    """The state after a stream's events (with their times), oldest first, from `state`
    (dispatch seeds it with what the report said: category, building, 一老一小)."""
    for event, at in events:
        state = evolve(state, event, at=at)
    return state
