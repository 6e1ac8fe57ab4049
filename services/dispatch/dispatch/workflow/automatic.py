"""Decisions dispatch takes by itself: missed deadlines, the 7-day close, resident actions.

Pure. A timer or a resident action that no longer fits the issue yields no event (a stale
timer) or a refusal (a resident action), never an error: both arrive asynchronously.
"""

from datetime import date, datetime

from redgrid_shared.events import (IssueClosed, IssueEscalated, IssueOverdue,
                                   ResidentActionSettled)

from dispatch.grids.domain import Grid
from dispatch.sla.limits import Limits, Timing
from dispatch.workflow import rules
from dispatch.workflow.aggregate import Issue
from dispatch.workflow.decide import Away, step, to_grid

CLOCK = "clock"
DISPATCH = "dispatch"


def overdue(issue: Issue, *, deadline: str, due_at: datetime, now: datetime,
            meeting_date: date) -> list:
    """A deadline passed: issue.overdue once, and the issue joins the next meeting's agenda.

    Nothing when the deadline no longer runs (signed off, resolved, re-assigned with a new
    one) or has already fired.
    """
    if now < due_at or (deadline, due_at) in issue.overdue:
        return []
    if issue.current_deadline() != (deadline, due_at):
        return []
    return [IssueOverdue(**step(issue, CLOCK), status=issue.status, deadline=deadline,
                         due_at=due_at),
            IssueEscalated(**step(issue, CLOCK), meeting_date=meeting_date, cause="overdue",
                           reason=f"{deadline} deadline {due_at.isoformat()} missed")]


def auto_close(issue: Issue, *, now: datetime) -> list:
    """Closed after 7 days without a confirm or a reopen."""
    if issue.status != "resolved" or issue.close_due_at is None or now < issue.close_due_at:
        return []
    return [IssueClosed(**step(issue, CLOCK), reason="no_response_7_days",
                        resolved_at=issue.resolved_at)]


REFUSALS = {
    "cancel": "work has started or the issue is no longer open",
    "confirm": "the issue is not resolved",
    "reopen": "the issue is not resolved",
}


NO_GRID = "no grid to take it: waits for an operator"
NO_ONE_AVAILABLE = "no one of the grid available (on leave): waits for an operator"


def settle(issue: Issue, *, action: str, action_event_id: str, by: str, at: datetime,
           grid: Grid | None, limits: Limits | None, now: datetime, timing: Timing,
           away: Away) -> list:
    """Apply a resident's cancel / confirm / reopen if the issue still allows it, else refuse.

    `at` is when the resident acted: a reopen counts if made before `close_due_at`, even when
    dispatch reads it later, unless the auto-close was recorded first (then it is refused).
    A reopen goes to whoever holds the grid's roles now (a backup for anyone `away`), or
    waits for an operator (`returned`) when the issue has no grid or no one available.
    """
    def settled(outcome: str, status: str, reason: str | None = None):
        return ResidentActionSettled(**step(issue, by), status=status, action=action,
                                     action_event_id=action_event_id, outcome=outcome,
                                     reason=reason)

    if issue.status not in rules.ALLOWED_FROM[action]:
        reason = ("closed after 7 days without an answer"
                  if action == "reopen" and issue.status == "closed" else REFUSALS[action])
        return [settled("refused", issue.status, reason)]
    if action == "cancel":
        return [settled("applied", "cancelled")]
    if action == "confirm":
        return [IssueClosed(**step(issue, by), reason="confirmed", resolved_at=issue.resolved_at),
                settled("applied", "closed")]
    if issue.close_due_at is not None and at >= issue.close_due_at:
        return [settled("refused", issue.status, "reopened after the 7 days to answer")]
    if grid is None or limits is None:
        return [settled("applied", "returned", NO_GRID)]
    assigned = to_grid(issue, grid, away=away, now=now, limits=limits, timing=timing,
                       by=DISPATCH, reason="reopened")
    if assigned is None:
        return [settled("applied", "returned", NO_ONE_AVAILABLE)]
    return [settled("applied", "assigned"), assigned]
