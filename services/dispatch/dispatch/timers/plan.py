"""Which timers an issue needs in its state. Pure."""

from datetime import datetime

from dispatch.workflow.aggregate import Issue


def wanted(issue: Issue) -> set[tuple[str, datetime]]:
    """The (kind, due_at) timers that must be pending for this state: the running SLA
    deadline unless it already fired, and the 7-day close of a resolved issue."""
    timers: set[tuple[str, datetime]] = set()
    deadline = issue.current_deadline()
    if deadline is not None and deadline not in issue.overdue:
        timers.add(deadline)
    if issue.status == "resolved" and issue.close_due_at is not None:
        timers.add(("auto_close", issue.close_due_at))
    return timers
