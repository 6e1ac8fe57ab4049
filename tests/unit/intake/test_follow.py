"""Pure evolve of the resident's view by every dispatch issue event, and the pending rule."""

import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from intake.follow.evolve import evolve
from redgrid_shared import events
from redgrid_shared.events import parse
from tests.unit.intake.builders import (issue_assigned, issue_unroutable, settled, sla_changed,
                                        step)

NOW = datetime(2025, 3, 14, 1, 30, tzinfo=timezone.utc)


def issue(**overrides) -> dict:
    row = {"id": "iss-1", "community": "erqiaoxi", "status": "assigned", "grid_id": "g-03",
           "steward_id": "s-01", "repairer_id": "r-01", "pending_action": None,
           "pending_event_id": None}
    row.update(overrides)
    return row


def changes(row: dict, env: events.Envelope) -> dict:
    return evolve(row, parse(env), at=NOW)


# Every dispatch issue event type, with the status it carries.
EVERY_TYPE = [
    (issue_assigned("iss-1"), "assigned"),
    (issue_unroutable("iss-1"), "unroutable"),
    (step(events.IssueAccepted, "iss-1"), "accepted"),
    (step(events.IssueStarted, "iss-1"), "in_progress"),
    (step(events.IssueResolved, "iss-1"), "resolved"),
    (step(events.IssueReturned, "iss-1"), "returned"),
    (step(events.IssueEscalated, "iss-1"), "escalated"),
    (step(events.IssueReferred, "iss-1"), "referred"),
    (step(events.IssueReferralOutcome, "iss-1", status="assigned", resolved=False), "assigned"),
    (step(events.IssueOverdue, "iss-1", status="accepted"), "accepted"),
    (step(events.IssueClosed, "iss-1"), "closed"),
    (settled("iss-1", str(uuid.uuid4()), status="in_progress", outcome="refused"), "in_progress"),
]


@pytest.mark.parametrize("env, status", EVERY_TYPE, ids=[e.short_type for e, _ in EVERY_TYPE])
def test_without_a_pending_action_the_view_takes_the_status_each_event_carries(env, status):
    got = changes(issue(status="reported"), env)
    assert got["status"] == status
    assert got["updated_at"] == NOW


@pytest.mark.parametrize("env, status", EVERY_TYPE[:-1], ids=[e.short_type for e, _ in EVERY_TYPE[:-1]])
def test_while_a_resident_action_is_pending_other_events_leave_the_status(env, status):
    row = issue(status="cancelled", pending_action="cancel", pending_event_id=uuid.uuid4())
    assert "status" not in changes(row, env)


def test_an_assignment_sets_grid_staff_and_signoff_and_forgets_the_last_fix():
    env = issue_assigned("iss-1", grid_id="g-07", steward_id="s-07", repairer_id=None)
    got = changes(issue(status="resolved"), env)
    assert (got["grid_id"], got["steward_id"], got["repairer_id"]) == ("g-07", "s-07", None)
    assert got["signoff_due_at"] == parse(env).signoff_due_at
    assert got["completion_limit_minutes"] == 4320
    assert {k: got[k] for k in ("completion_due_at", "close_due_at", "resolution_note",
                                "amount_charged", "resolved_at")} == dict.fromkeys(
        ("completion_due_at", "close_due_at", "resolution_note", "amount_charged",
         "resolved_at"))


def test_unroutable_changes_only_the_status():
    assert changes(issue(status="reported", grid_id=None), issue_unroutable("iss-1")) == {
        "status": "unroutable", "updated_at": NOW}


def test_sign_off_sets_both_deadlines():
    env = step(events.IssueAccepted, "iss-1")
    got = changes(issue(), env)
    assert (got["signoff_due_at"], got["completion_due_at"]) == (
        parse(env).signoff_due_at, parse(env).completion_due_at)


def test_resolution_keeps_note_fee_reopen_window_and_meeting():
    env = step(events.IssueResolved, "iss-1", note="换了新水管", amount_charged="120.50",
               via="meeting", meeting_date=date(2025, 3, 24))
    got = changes(issue(status="in_progress"), env)
    assert (got["resolution_note"], got["amount_charged"]) == ("换了新水管", Decimal("120.50"))
    assert got["close_due_at"] == parse(env).close_due_at and got["resolved_at"] == NOW
    assert got["meeting_date"] == date(2025, 3, 24)


def test_escalation_sets_the_meeting_date():
    got = changes(issue(), step(events.IssueEscalated, "iss-1", meeting_date=date(2025, 4, 4)))
    assert (got["status"], got["meeting_date"]) == ("escalated", date(2025, 4, 4))


def test_referral_sets_the_department_and_a_meeting_only_when_one_decided_it():
    plain = changes(issue(), step(events.IssueReferred, "iss-1", department="police"))
    assert (plain["department"], "meeting_date" in plain) == ("police", False)
    decided = changes(issue(), step(events.IssueReferred, "iss-1", department="fire",
                                    meeting_date=date(2025, 3, 14)))
    assert decided["meeting_date"] == date(2025, 3, 14)


def test_a_step_naming_a_grid_keeps_it_and_one_without_leaves_it():
    assert changes(issue(grid_id=None), step(events.IssueStarted, "iss-1", grid_id="g-09"))[
        "grid_id"] == "g-09"
    assert "grid_id" not in changes(issue(), step(events.IssueStarted, "iss-1", grid_id=None))


def test_facts_still_arrive_while_an_action_is_pending():
    row = issue(status="assigned", pending_action="reopen", pending_event_id=uuid.uuid4())
    env = issue_assigned("iss-1", grid_id="g-05", reason="reopened")
    got = changes(row, env)
    assert got["grid_id"] == "g-05" and got["signoff_due_at"] == parse(env).signoff_due_at
    assert "status" not in got and "pending_action" not in got


@pytest.mark.parametrize("outcome, status", [("applied", "cancelled"), ("refused", "in_progress")])
def test_the_settlement_of_the_pending_action_sets_the_status_and_ends_it(outcome, status):
    action = uuid.uuid4()
    row = issue(status="cancelled", pending_action="cancel", pending_event_id=action)
    got = changes(row, settled("iss-1", str(action), outcome=outcome, status=status))
    assert (got["status"], got["pending_action"], got["pending_event_id"]) == (status, None, None)


def test_a_settlement_of_another_action_does_not_end_the_pending_one():
    row = issue(status="closed", pending_action="confirm", pending_event_id=uuid.uuid4())
    got = changes(row, settled("iss-1", str(uuid.uuid4()), status="resolved", action="cancel"))
    assert "status" not in got and "pending_action" not in got


def test_events_intake_does_not_follow_change_nothing():
    assert evolve(issue(), parse(sla_changed("repair.pipe", 60, 600)), at=NOW) == {}


def test_reopen_then_reassignment_in_either_order_ends_assigned_with_the_new_people():
    action = uuid.uuid4()
    pending = issue(status="assigned", pending_action="reopen", pending_event_id=action,
                    close_due_at=NOW + timedelta(days=3))
    assign = issue_assigned("iss-1", steward_id="s-02", reason="reopened")
    settle = settled("iss-1", str(action), action="reopen", status="assigned")
    # Assignment first: facts now, status at the settlement.
    row = {**pending, **changes(pending, assign)}
    row = {**row, **changes(row, settle)}
    assert (row["status"], row["steward_id"], row["pending_action"]) == ("assigned", "s-02", None)
    # Settlement first: the assignment that follows is an ordinary event.
    row = {**pending, **changes(pending, settle)}
    row = {**row, **changes(row, assign)}
    assert (row["status"], row["steward_id"], row["pending_action"]) == ("assigned", "s-02", None)
