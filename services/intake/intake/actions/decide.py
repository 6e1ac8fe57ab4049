"""Pure: what a resident action (or a comment) on an issue means, and what it changes.

Intake decides on its own view; cancel, confirm and reopen then wait for dispatch's
settlement (docs/architecture.md, "Who decides each transition"), so `evolve_own` records them
as pending and shows the status they ask for. Rules raise domain errors, never HTTP.
"""

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from intake.actions.models import Cancel, Comment, Rate, Reopen
from redgrid_shared.domain import Conflict, NotAllowed, WrongStatus
from redgrid_shared import events
from redgrid_shared.auth import Principal

# Before work starts: once `in_progress` (or later) the resident can no longer withdraw.
CANCELLABLE = frozenset({"reported", "unroutable", "assigned", "accepted", "returned"})
RATEABLE = frozenset({"resolved", "closed"})
# The status each pending action shows until dispatch settles it.
ASKED_STATUS = {"cancel": "cancelled", "confirm": "closed", "reopen": "assigned"}


def _owner(principal: Principal, issue: Mapping, action: str) -> None:
    if principal.role != "resident" or principal.sub != issue["reporter_id"]:
        raise NotAllowed(f"only the resident who reported the issue may {action} it")


def _not_pending(issue: Mapping) -> None:
    pending = issue["pending_action"]
    if pending is not None:
        raise Conflict("action_pending",
                       f"the earlier {pending} request is still being settled; status is "
                       f"{issue['status']}", {"status": issue["status"]})


def _status_in(issue: Mapping, allowed: frozenset[str], action: str) -> None:
    if issue["status"] not in allowed:
        raise WrongStatus(issue["status"], action)


def may_comment(principal: Principal, issue: Mapping) -> bool:
    """The resident who owns it, the steward or repairer of its grid, the community's desk."""
    if principal.community != issue["community"]:
        return False
    if principal.role == "resident":
        return principal.sub == issue["reporter_id"]
    if principal.is_staff:
        return issue["grid_id"] is not None and issue["grid_id"] in principal.grids
    return principal.is_desk


def decide_comment(principal: Principal, issue: Mapping, command: Comment) -> events.IssueCommented:
    if not may_comment(principal, issue):
        raise NotAllowed("only the resident, the staff of the issue's grid and community "
                         "staff may comment")
    return events.IssueCommented(issue_id=issue["id"], community=issue["community"],
                                 author_id=principal.sub, author_role=principal.role,
                                 text=command.text)


def decide_cancel(principal: Principal, issue: Mapping, command: Cancel) -> events.IssueCancelled:
    _owner(principal, issue, "cancel")
    _not_pending(issue)
    _status_in(issue, CANCELLABLE, "cancel")
    return events.IssueCancelled(issue_id=issue["id"], community=issue["community"],
                                 by=principal.sub, reason=command.reason)


def decide_confirm(principal: Principal, issue: Mapping) -> events.IssueConfirmed:
    _owner(principal, issue, "confirm")
    _not_pending(issue)
    _status_in(issue, frozenset({"resolved"}), "confirm")
    return events.IssueConfirmed(issue_id=issue["id"], community=issue["community"],
                                 by=principal.sub)


def decide_reopen(principal: Principal, issue: Mapping, command: Reopen, *,
                  now: datetime) -> events.IssueReopened:
    """Within 7 days of resolution: until the `close_due_at` dispatch set when it resolved."""
    _owner(principal, issue, "reopen")
    _not_pending(issue)
    _status_in(issue, frozenset({"resolved"}), "reopen")
    until = issue["close_due_at"]
    if until is not None and now >= until:
        raise WrongStatus(issue["status"], "reopen",
                          f": the 7 days to reopen ended at {until.isoformat()}")
    return events.IssueReopened(issue_id=issue["id"], community=issue["community"],
                                by=principal.sub, reason=command.reason)


def decide_rating(principal: Principal, issue: Mapping, command: Rate) -> events.IssueRated:
    _owner(principal, issue, "rate")
    _status_in(issue, RATEABLE, "rate")
    if issue["rating"] is not None:
        raise Conflict("already_rated", f"this issue was rated already ({issue['rating']} of 5)",
                       {"body.score": "one rating per issue"})
    return events.IssueRated(issue_id=issue["id"], community=issue["community"],
                             by=principal.sub, score=command.score, comment=command.comment)


def evolve_own(event: events.EventData, *, event_id: UUID, at: datetime) -> dict:
    """Column changes intake's own event makes to the issue row."""
    changes: dict = {"updated_at": at}
    action = {events.IssueCancelled: "cancel", events.IssueConfirmed: "confirm",
              events.IssueReopened: "reopen"}.get(type(event))
    if action is not None:
        changes.update(status=ASKED_STATUS[action], pending_action=action,
                       pending_event_id=event_id)
    elif isinstance(event, events.IssueRated):
        changes.update(rating=event.score, rating_comment=event.comment)
    return changes
