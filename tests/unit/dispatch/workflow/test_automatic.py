"""Clocks and resident actions: overdue, the 7-day close, cancel / confirm / reopen."""

from datetime import date, timedelta

import pytest

from redgrid_shared.events import IssueClosed, IssueEscalated, IssueOverdue

from dispatch.workflow import automatic
from dispatch.workflow.aggregate import evolve
from tests.unit.dispatch.builders import grid
from tests.unit.dispatch.workflow.builders import LIMITS, NOW, TIMING, issue

DAY = date(2026, 12, 4)


def overdue(state, *, deadline="signoff", due_at=None, now=None):
    return automatic.overdue(state, deadline=deadline, due_at=due_at or state.signoff_due_at,
                             now=now or state.signoff_due_at, meeting_date=DAY)


def test_a_missed_sign_off_is_overdue_once_and_escalates_to_the_meeting():
    state = issue()
    late, escalated = overdue(state)
    assert isinstance(late, IssueOverdue) and isinstance(escalated, IssueEscalated)
    assert (late.deadline, late.due_at, late.status, late.by) == (
        "signoff", state.signoff_due_at, "assigned", "clock")
    assert (escalated.cause, escalated.meeting_date) == ("overdue", DAY)
    after = evolve(evolve(state, late), escalated)
    assert overdue(after) == []


def test_the_same_deadline_is_never_overdue_twice_even_if_still_running():
    state = evolve(issue(), overdue(issue())[0])
    assert state.status == "assigned" and overdue(state) == []


def test_a_timer_before_its_time_or_for_a_deadline_no_longer_running_does_nothing():
    state = issue()
    assert overdue(state, now=state.signoff_due_at - timedelta(seconds=1)) == []
    assert overdue(issue(status="accepted")) == []
    moved = issue(signoff_due_at=NOW + timedelta(hours=5))
    assert overdue(moved, due_at=NOW + timedelta(hours=2), now=NOW + timedelta(hours=6)) == []


def test_a_missed_completion_is_overdue():
    due = NOW + timedelta(days=3)
    state = issue(status="in_progress", completion_due_at=due)
    events = automatic.overdue(state, deadline="completion", due_at=due, now=due,
                               meeting_date=DAY)
    assert [e.TYPE for e in events] == ["issue.overdue", "issue.escalated"]


def test_seven_days_of_silence_close_a_resolved_issue():
    state = issue(status="resolved", close_due_at=NOW, resolved_at=NOW - timedelta(days=7))
    assert automatic.auto_close(state, now=NOW - timedelta(seconds=1)) == []
    [closed] = automatic.auto_close(state, now=NOW)
    assert isinstance(closed, IssueClosed)
    assert (closed.reason, closed.by, closed.resolved_at) == (
        "no_response_7_days", "clock", state.resolved_at)
    assert automatic.auto_close(issue(status="closed", close_due_at=NOW), now=NOW) == []


def settle(state, action, *, at=NOW, grid_=None, away=frozenset()):
    return automatic.settle(state, action=action, action_event_id="ev-1", by="u-1001", at=at,
                            grid=grid_ or grid(), limits=LIMITS, now=NOW, timing=TIMING,
                            away=away)


@pytest.mark.parametrize("status", ["assigned", "accepted", "unroutable", "returned"])
def test_cancel_before_work_starts_is_applied(status):
    [settled] = settle(issue(status=status), "cancel")
    assert (settled.outcome, settled.status, settled.action) == ("applied", "cancelled", "cancel")


@pytest.mark.parametrize("status", ["in_progress", "resolved", "closed", "escalated"])
def test_cancel_after_work_started_is_refused_with_the_status(status):
    [settled] = settle(issue(status=status), "cancel")
    assert (settled.outcome, settled.status) == ("refused", status) and settled.reason


def test_confirm_closes_a_resolved_issue():
    closed, settled = settle(issue(status="resolved", close_due_at=NOW), "confirm")
    assert (closed.reason, closed.status) == ("confirmed", "closed")
    assert (settled.outcome, settled.status) == ("applied", "closed")


def test_reopen_within_the_seven_days_is_applied_and_assigned_again():
    state = issue(status="resolved", close_due_at=NOW + timedelta(hours=1))
    settled, assigned = settle(state, "reopen")
    assert (settled.outcome, settled.status) == ("applied", "assigned")
    assert (assigned.reason, assigned.status) == ("reopened", "assigned")
    assert assigned.signoff_due_at == NOW + timedelta(minutes=LIMITS.signoff_minutes)


def test_reopen_after_the_auto_close_is_refused_and_says_so():
    [settled] = settle(issue(status="closed", close_due_at=NOW), "reopen")
    assert (settled.outcome, settled.status) == ("refused", "closed")
    assert "7 days" in settled.reason


def test_reopen_made_after_close_due_is_refused_even_if_the_close_is_not_recorded_yet():
    state = issue(status="resolved", close_due_at=NOW)
    [settled] = settle(state, "reopen", at=NOW + timedelta(seconds=1))
    assert settled.outcome == "refused" and settled.status == "resolved"
