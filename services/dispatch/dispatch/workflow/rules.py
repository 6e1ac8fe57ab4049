"""The transition tables: which status allows which action, and who may take it.

Pure data plus two checks that raise domain errors. `decide` and `automatic` consult them
before producing any event.
"""

from redgrid_shared.auth import Principal

from redgrid_shared.domain import NotAllowed, NotFound, WrongStatus
from dispatch.workflow.aggregate import Issue

OPEN = frozenset({"unroutable", "assigned", "accepted", "in_progress", "returned",
                  "escalated", "referred"})

# action -> statuses it may start from
ALLOWED_FROM: dict[str, frozenset[str]] = {
    "accept": frozenset({"assigned"}),
    "start": frozenset({"accepted"}),
    "resolve": frozenset({"accepted", "in_progress"}),
    "return": frozenset({"assigned", "accepted", "in_progress"}),
    "escalate": frozenset({"unroutable", "assigned", "accepted", "in_progress", "returned"}),
    "refer": frozenset({"unroutable", "assigned", "accepted", "in_progress", "returned",
                        "escalated"}),
    "referral_outcome": frozenset({"referred"}),
    "assign": OPEN,
    # decisions of a 逢四说事 meeting on an item of its agenda
    "meeting_resolve": frozenset({"escalated"}),
    "meeting_assign": frozenset({"escalated"}),
    "meeting_refer": frozenset({"escalated"}),
    "carry": frozenset({"escalated"}),
    # a backup takes over open work of someone on leave
    "cover": frozenset({"assigned", "accepted", "in_progress"}),
    # resident actions recorded by intake, settled here
    "cancel": frozenset({"reported", "unroutable", "assigned", "accepted", "returned"}),
    "confirm": frozenset({"resolved"}),
    "reopen": frozenset({"resolved"}),
}

ASSIGNEE, STEWARD, DESK = "assignee", "steward", "desk"
# action -> who may take it (DESK = an operator or admin of the issue's community)
TAKEN_BY: dict[str, frozenset[str]] = {
    "accept": frozenset({ASSIGNEE, DESK}),
    "start": frozenset({ASSIGNEE, DESK}),
    "resolve": frozenset({ASSIGNEE, DESK}),
    "return": frozenset({ASSIGNEE, DESK}),
    "escalate": frozenset({STEWARD, DESK}),
    "refer": frozenset({DESK}),
    "referral_outcome": frozenset({DESK}),
    "assign": frozenset({DESK}),
    "meeting_resolve": frozenset({DESK}),
    "meeting_assign": frozenset({DESK}),
    "meeting_refer": frozenset({DESK}),
    "carry": frozenset({DESK}),
    "cover": frozenset({DESK}),
}

WHO = {frozenset({ASSIGNEE, DESK}): "the assigned staff or an operator",
       frozenset({STEWARD, DESK}): "the issue's steward or an operator",
       frozenset({DESK}): "an operator or admin"}


def holds(principal: Principal, steward_id: str | None, repairer_id: str | None) -> bool:
    """Whether the caller is the assigned person in their own role: a person is
    (community, role, sub), so a repairer p-1 is not the steward p-1 (docs/decisions.md)."""
    held = {"steward": steward_id, "repairer": repairer_id}.get(principal.role)
    return held is not None and held == principal.sub


def visible(issue: Issue, principal: Principal) -> bool:
    """Desk roles see their community's issues; staff those of their grids or assigned to
    them in their role."""
    if issue.community != principal.community:
        return False
    if principal.is_desk:
        return True
    return principal.is_staff and (issue.grid_id in principal.grids
                                   or holds(principal, issue.steward_id, issue.repairer_id))


def relation(issue: Issue, principal: Principal) -> frozenset[str]:
    """What the caller is to this issue: desk, assignee, steward (the assigned steward)."""
    if principal.is_desk:
        return frozenset({DESK})
    if not holds(principal, issue.steward_id, issue.repairer_id):
        return frozenset()
    return frozenset({ASSIGNEE, STEWARD} if principal.role == "steward" else {ASSIGNEE})


def check(issue: Issue, action: str, principal: Principal | None = None) -> None:
    """Raise NotFound / NotAllowed / WrongStatus unless `principal` may take `action` now.

    The caller's right comes before the status: someone who may not act learns nothing of
    where the issue stands. `principal` None is dispatch itself (clocks, resident actions).
    """
    if principal is not None:
        if not visible(issue, principal):
            raise NotFound(f"no issue {issue.issue_id}")
        if not relation(issue, principal) & TAKEN_BY[action]:
            raise NotAllowed(f"only {WHO[TAKEN_BY[action]]} may {action.replace('_', ' ')} "
                             "this issue")
    if issue.status not in ALLOWED_FROM[action]:
        raise WrongStatus(issue.status, action.replace("_", " "))
