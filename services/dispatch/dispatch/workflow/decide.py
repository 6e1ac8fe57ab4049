"""Decisions on people's commands: staff, operators and meetings. Pure.

Each function takes the issue's state and the command, checks the transition tables
(`rules.check`), and returns the events to append, oldest first. Refusals are domain errors.
"""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from redgrid_shared import catalog
from redgrid_shared.auth import Principal
from redgrid_shared.events import (IssueAccepted, IssueAssigned, IssueEscalated,
                                   IssueReferralOutcome, IssueReferred, IssueResolved,
                                   IssueReturned, IssueStarted)

from redgrid_shared.domain import Invalid
from dispatch.grids.domain import Grid
from dispatch.sla.limits import Limits, Timing
from dispatch.staffing.cover import assignees
from dispatch.workflow import rules
from dispatch.workflow.aggregate import Issue

PAID = "repair.paid"
Away = set[str] | frozenset[str]  # people of the community on leave (staffing.store.away)


def step(issue: Issue, by: str) -> dict:
    """The fields every workflow event carries: which issue, where, who acted."""
    return {"issue_id": issue.issue_id, "community": issue.community,
            "grid_id": issue.grid_id, "by": by}


def accept(issue: Issue, *, by: Principal, now: datetime, timing: Timing) -> list:
    """签收: the sign-off; the completion clock starts now, with the limit set at assignment."""
    rules.check(issue, "accept", by)
    return [IssueAccepted(**step(issue, by.sub), signoff_due_at=issue.signoff_due_at,
                          on_time=now <= issue.signoff_due_at,
                          completion_due_at=now + timing.span(issue.completion_limit_minutes))]


def start(issue: Issue, *, by: Principal) -> list:
    """Work begins on site."""
    rules.check(issue, "start", by)
    return [IssueStarted(**step(issue, by.sub))]


def resolve(issue: Issue, *, by: Principal, now: datetime, note: str,
            amount_charged: Decimal | None, timing: Timing) -> list:
    """办结: a note; paid in-home repairs say what was charged (required, >= 0)."""
    rules.check(issue, "resolve", by)
    if issue.category == PAID and amount_charged is None:
        raise Invalid("body.amount_charged", "required for repair.paid (0 if free)")
    if issue.category != PAID and amount_charged is not None:
        raise Invalid("body.amount_charged", "only repair.paid work is charged")
    if amount_charged is not None and amount_charged < 0:
        raise Invalid("body.amount_charged", "must be 0 or more")
    due = issue.completion_due_at
    return [IssueResolved(**step(issue, by.sub), note=note, amount_charged=amount_charged,
                          completion_due_at=due, on_time=None if due is None else now <= due,
                          close_due_at=now + timing.auto_close)]


def return_work(issue: Issue, *, by: Principal, now: datetime, reason: str,
                grid: Grid | None, limits: Limits, timing: Timing,
                away: frozenset[str] | set[str] = frozenset()) -> list:
    """退单: given back with a reason; re-dispatched to the grid's backup for the returner's
    role, or left for an operator when there is none (or the returner is that backup, or
    the backup is on leave: `away`, from staffing.store.away)."""
    rules.check(issue, "return", by)
    role = "operator" if by.is_desk else by.role
    returned = IssueReturned(**step(issue, by.sub), reason=reason, role=role)
    backup = grid.backup_of(role) if grid is not None else None
    if backup is None or backup == by.sub or backup in away or grid.grid_id != issue.grid_id:
        return [returned]
    steward = backup if role == "steward" else issue.steward_id
    repairer = backup if role == "repairer" else issue.repairer_id
    return [returned, _assigned(issue, grid_id=issue.grid_id, steward=steward, repairer=repairer,
                                now=now, limits=limits, timing=timing, by="dispatch",
                                reason="returned", covering_for=[by.sub], note=reason)]


def escalate(issue: Issue, *, by: Principal, reason: str, meeting_date: date) -> list:
    """To the next 逢四说事 meeting, by the issue's steward or an operator."""
    rules.check(issue, "escalate", by)
    cause = "operator" if by.is_desk else "steward"
    return [IssueEscalated(**step(issue, by.sub), meeting_date=meeting_date, reason=reason,
                           cause=cause)]


def refer(issue: Issue, *, by: Principal, department: str, note: str | None,
          meeting_date: date | None = None) -> list:
    """Hand the issue to a department (街道, 住建, 公安, 消防); an operator's or a meeting's call."""
    rules.check(issue, "meeting_refer" if meeting_date else "refer", by)
    return [IssueReferred(**step(issue, by.sub), department=department, note=note,
                          meeting_date=meeting_date)]


def referral_outcome(issue: Issue, *, by: Principal, now: datetime, outcome: str,
                     resolved: bool, grid: Grid | None, limits: Limits | None,
                     timing: Timing, away: Away) -> list:
    """The department's answer: resolved (the 7-day close clock starts), or back to the grid
    (assigned again to whoever holds its roles now, a backup for anyone `away`), or to the
    operator queue (`returned`) when it has no grid or no one available to take it."""
    rules.check(issue, "referral_outcome", by)
    told = dict(**step(issue, by.sub), department=issue.department, outcome=outcome,
                resolved=resolved)
    if resolved:
        return [IssueReferralOutcome(**told, status="referred"),
                IssueResolved(**step(issue, by.sub), note=outcome, via="referral",
                              close_due_at=now + timing.auto_close)]
    assigned = None if grid is None or limits is None else to_grid(
        issue, grid, away=away, now=now, limits=limits, timing=timing, by=by.sub,
        reason="referral_outcome")
    if assigned is None:
        return [IssueReferralOutcome(**told, status="returned")]
    return [IssueReferralOutcome(**told, status="referred"), assigned]


def assign(issue: Issue, *, by: Principal, grid: Grid, now: datetime, limits: Limits,
           timing: Timing, away: Away, steward_id: str | None = None,
           repairer_id: str | None = None, note: str | None = None) -> list:
    """An operator assigns by hand: to a grid (whoever holds its steward role now, and the
    repairer role when the category needs one) and/or to named people (taken as named); a
    fresh sign-off clock starts. A role no one of the grid can take (holder and backup
    `away`) is refused, naming `body.grid_id`: the issue stays where it is."""
    rules.check(issue, "assign", by)
    assigned = to_grid(issue, grid, away=away, now=now, limits=limits, timing=timing,
                       by=by.sub, reason="manual", steward=steward_id, repairer=repairer_id,
                       note=note)
    if assigned is None:
        raise Invalid("body.grid_id", unstaffed(grid, "name the people who take it, or "
                                                      "choose another grid"))
    return [assigned]


# --- decisions of a meeting on its agenda (recorded by an operator or admin) -----------------

def resolve_at_meeting(issue: Issue, *, by: Principal, now: datetime, meeting_date: date,
                       note: str | None, timing: Timing) -> list:
    """The meeting settled it: resolved, and the resident's 7 days to confirm start now."""
    rules.check(issue, "meeting_resolve", by)
    return [IssueResolved(**step(issue, by.sub), note=note or "resolved at the meeting",
                          via="meeting", meeting_date=meeting_date,
                          close_due_at=now + timing.auto_close)]


def assign_at_meeting(issue: Issue, *, by: Principal, grid: Grid, unit: str | None,
                      now: datetime, limits: Limits, timing: Timing, away: Away,
                      field: str, note: str | None = None) -> list:
    """The meeting gives the work to a unit (e.g. a 后盾单位), carried by the grid's staff
    (a backup for anyone `away`); refused, naming `field` (the decision in the minutes),
    when a needed role has no one available."""
    rules.check(issue, "meeting_assign", by)
    assigned = to_grid(issue, grid, away=away, now=now, limits=limits, timing=timing,
                       by=by.sub, reason="meeting", unit=unit, note=note)
    if assigned is None:
        raise Invalid(field, unstaffed(grid, "refer it, carry it, or assign it by hand later"))
    return [assigned]


def carry(issue: Issue, *, by: Principal, to_meeting: date, reason: str) -> list:
    """Not settled: on the agenda of the following meeting."""
    rules.check(issue, "carry", by)
    return [IssueEscalated(**step(issue, by.sub), meeting_date=to_meeting, reason=reason,
                           cause="carried")]


def cover(issue: Issue, *, by: str, steward_id: str | None, repairer_id: str | None,
          covering_for: Iterable[str], now: datetime, limits: Limits, timing: Timing) -> list:
    """A backup takes over the open work of someone on leave (`by`: who changed availability)."""
    rules.check(issue, "cover")
    return [_assigned(issue, grid_id=issue.grid_id, steward=steward_id or issue.steward_id,
                      repairer=repairer_id or issue.repairer_id, now=now, limits=limits,
                      timing=timing, by=by, reason="backup_cover",
                      covering_for=list(covering_for))]


# --- helpers ---------------------------------------------------------------------------------

def to_grid(issue: Issue, grid: Grid, *, away: Away, now: datetime, limits: Limits,
            timing: Timing, by: str, reason: str, steward: str | None = None,
            repairer: str | None = None, unit: str | None = None,
            note: str | None = None) -> IssueAssigned | None:
    """The issue given to a grid: its roles go to whoever is available (staffing.cover,
    the same rule as routing), absent regular holders named in `covering_for`; None when
    a needed role has no one available (the caller decides what waits for an operator)."""
    category = catalog.CATEGORIES.get(issue.category or "")
    people = assignees(grid, needs_repairer=bool(category and category.needs_repairer),
                       away=away, steward=steward, repairer=repairer)
    if people is None:
        return None
    return _assigned(issue, grid_id=grid.grid_id, steward=people.steward,
                     repairer=people.repairer, now=now, limits=limits, timing=timing, by=by,
                     reason=reason, covering_for=list(people.covering_for), unit=unit,
                     note=note)


def unstaffed(grid: Grid, then: str) -> str:
    """Why work cannot go to a grid now, and what to do instead."""
    return (f"no one available in grid {grid.grid_id}: a needed role's holder is on leave "
            f"and its backup is on leave or not set; {then}")


def _assigned(issue: Issue, *, grid_id: str, steward: str, repairer: str | None, now: datetime,
              limits: Limits, timing: Timing, by: str, reason: str,
              covering_for: list[str] | None = None, unit: str | None = None,
              note: str | None = None) -> IssueAssigned:
    return IssueAssigned(
        issue_id=issue.issue_id, community=issue.community, grid_id=grid_id,
        steward_id=steward, repairer_id=repairer, category=issue.category or "other",
        urgent=limits.urgent, signoff_due_at=now + timing.span(limits.signoff_minutes),
        completion_limit_minutes=limits.completion_minutes, assigned_by=by, reason=reason,
        covering_for=covering_for or [], unit=unit, note=note)
