"""Pure: the changes one dispatch event makes to the resident's view of an issue.

Dispatch's issue stream is the one order of the workflow (docs/architecture.md, "Who decides
each transition"): every dispatch event on an issue carries the `status` it leaves the issue
in, and the view takes it. The exception is a resident action intake recorded and dispatch
has not settled yet (`pending_action`): the view keeps showing the status the action asked
for, other events bring only their facts (people, deadlines, dates), and the settlement that
answers the action sets the status.
"""

from collections.abc import Mapping
from datetime import datetime

from redgrid_shared import events

# Dispatch issue events intake follows; everything else on the topic is not about an issue.
FOLLOWED = (events.IssueAssigned, events.IssueUnroutable, events.IssueStep)
# A new assignment makes the last resolution history: its note, fee and reopen window go.
CLEARED_BY_ASSIGNMENT = {"completion_due_at": None, "close_due_at": None, "resolved_at": None,
                         "resolution_note": None, "amount_charged": None}


def facts(event: events.EventData, *, at: datetime) -> dict:
    """The view columns an event carries, whatever the status rule decides."""
    match event:
        case events.IssueAssigned():
            # A (re)assignment restarts sign-off; completion waits for the new sign-off.
            return {**CLEARED_BY_ASSIGNMENT, "grid_id": event.grid_id,
                    "steward_id": event.steward_id, "repairer_id": event.repairer_id,
                    "signoff_due_at": event.signoff_due_at,
                    "completion_limit_minutes": event.completion_limit_minutes}
        case events.IssueAccepted():
            return {"signoff_due_at": event.signoff_due_at,
                    "completion_due_at": event.completion_due_at}
        case events.IssueResolved():
            changes = {"resolution_note": event.note, "amount_charged": event.amount_charged,
                       "close_due_at": event.close_due_at, "resolved_at": at}
            if event.meeting_date is not None:
                changes["meeting_date"] = event.meeting_date
            return changes
        case events.IssueEscalated():
            return {"meeting_date": event.meeting_date}
        case events.IssueReferred():
            changes = {"department": event.department}
            if event.meeting_date is not None:
                changes["meeting_date"] = event.meeting_date
            return changes
        case _:
            return {}


def evolve(issue: Mapping, event: events.EventData, *, at: datetime) -> dict:
    """Column changes `event` (a dispatch issue event at time `at`) makes to `issue`."""
    if not isinstance(event, FOLLOWED):
        return {}
    changes = {**facts(event, at=at), "updated_at": at}
    grid = getattr(event, "grid_id", None)
    if grid is not None:
        changes.setdefault("grid_id", grid)
    pending = issue.get("pending_action")
    if isinstance(event, events.ResidentActionSettled):
        if pending is not None and str(issue.get("pending_event_id")) == event.action_event_id:
            return {**changes, "status": event.status, "pending_action": None,
                    "pending_event_id": None}
    if pending is None:
        changes["status"] = event.status
    return changes
