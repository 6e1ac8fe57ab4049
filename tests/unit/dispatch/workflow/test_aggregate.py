"""evolve(): every dispatch issue event moves the state where its status says."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from redgrid_shared.events import (IssueAccepted, IssueAssigned, IssueClosed, IssueEscalated,
                                   IssueOverdue, IssueReferralOutcome, IssueReferred,
                                   IssueResolved, IssueReturned, IssueStarted, IssueUnroutable,
                                   ResidentActionSettled)

from dispatch.workflow.aggregate import Issue, evolve, fold
from tests.unit.dispatch.workflow.builders import NOW, issue

STEP = {"issue_id": "iss-0000000000000001", "community": "erqiaoxi", "grid_id": "g-03",
        "by": "s-03"}
DUE = NOW + timedelta(days=3)


def assigned(**overrides) -> IssueAssigned:
    fields = dict(issue_id=STEP["issue_id"], community="erqiaoxi", grid_id="g-03",
                  steward_id="s-03", repairer_id="r-03", category="repair.pipe",
                  signoff_due_at=NOW + timedelta(hours=2), completion_limit_minutes=4320)
    return IssueAssigned(**{**fields, **overrides})


EVENTS = [
    (assigned(), "assigned"),
    (IssueUnroutable(issue_id=STEP["issue_id"], community="erqiaoxi", building="b-99",
                     reason="no_grid_for_building"), "unroutable"),
    (IssueAccepted(**STEP, signoff_due_at=NOW, on_time=True, completion_due_at=DUE), "accepted"),
    (IssueStarted(**STEP), "in_progress"),
    (IssueResolved(**STEP, note="done", amount_charged=Decimal("0"), close_due_at=DUE),
     "resolved"),
    (IssueReturned(**STEP, reason="not mine", role="steward"), "returned"),
    (IssueEscalated(**STEP, meeting_date=date(2026, 12, 4), reason="r", cause="steward"),
     "escalated"),
    (IssueReferred(**STEP, department="fire"), "referred"),
    (IssueReferralOutcome(**STEP, status="returned", department="fire", outcome="o",
                          resolved=False), "returned"),
    (IssueClosed(**STEP, reason="no_response_7_days"), "closed"),
    (ResidentActionSettled(**STEP, status="cancelled", action="cancel", action_event_id="e",
                           outcome="applied"), "cancelled"),
]


@pytest.mark.parametrize("event,status", EVENTS, ids=[e.TYPE for e, _ in EVENTS])
def test_each_event_leaves_the_status_it_carries_and_takes_one_version(event, status):
    after = evolve(issue(status="in_progress"), event)
    assert after.status == status
    assert after.version == 2


def test_overdue_records_the_deadline_and_keeps_the_status():
    event = IssueOverdue(**STEP, status="assigned", deadline="signoff", due_at=NOW)
    after = evolve(issue(), event)
    assert after.status == "assigned" and ("signoff", NOW) in after.overdue


def test_assignment_resets_what_the_previous_round_left():
    resolved = issue(status="resolved", close_due_at=DUE, resolved_at=NOW, meeting_date=None,
                     completion_due_at=DUE, department="fire", queue_reason="x")
    after = evolve(resolved, assigned(steward_id="s-04", reason="reopened"))
    assert (after.status, after.steward_id) == ("assigned", "s-04")
    assert after.close_due_at is after.completion_due_at is after.department is None
    assert after.queue_reason is None


def test_acceptance_starts_the_completion_deadline():
    after = evolve(issue(), EVENTS[2][0])
    assert after.completion_due_at == DUE and after.current_deadline() == ("completion", DUE)


def test_resolution_keeps_when_and_until_when_the_resident_may_answer():
    after = evolve(issue(status="in_progress"), EVENTS[4][0], at=NOW)
    assert (after.resolved_at, after.close_due_at, after.current_deadline()) == (NOW, DUE, None)


def test_escalation_names_the_meeting_and_referral_the_department():
    escalated = evolve(issue(), EVENTS[6][0])
    referred = evolve(escalated, EVENTS[7][0])
    assert escalated.meeting_date == date(2026, 12, 4)
    assert (referred.department, referred.meeting_date) == ("fire", None)


def test_a_return_says_who_gave_it_back_for_the_queue():
    after = evolve(issue(), EVENTS[5][0])
    assert after.returned_by == "steward" and "not mine" in after.queue_reason


def test_fold_from_the_reports_seed_counts_versions():
    seed = Issue(issue_id=STEP["issue_id"], community="erqiaoxi", category="repair.pipe",
                 vulnerable="elderly")
    state = fold([(assigned(), NOW), (EVENTS[2][0], NOW)], seed)
    assert (state.status, state.version, state.vulnerable) == ("accepted", 2, "elderly")


def test_the_running_deadline_follows_the_status():
    assert issue().current_deadline() == ("signoff", issue().signoff_due_at)
    assert issue(status="escalated").current_deadline() is None
    assert issue(status="in_progress", completion_due_at=DUE).current_deadline() == (
        "completion", DUE)
