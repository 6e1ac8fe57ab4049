"""decide: the events each staff, operator and meeting command records, and its refusals."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from redgrid_shared.events import (IssueAccepted, IssueAssigned, IssueEscalated,
                                   IssueReferralOutcome, IssueReferred, IssueResolved,
                                   IssueReturned, IssueStarted)

from redgrid_shared.domain import Invalid, WrongStatus
from dispatch.sla.limits import Limits, Timing
from dispatch.workflow import decide
from dispatch.workflow.aggregate import evolve
from tests.unit.dispatch.builders import grid
from tests.unit.dispatch.workflow.builders import (LIMITS, NOW, OPERATOR, REPAIRER, STEWARD,
                                                   TIMING, issue)

GRID = grid(backup_steward="s-04", backup_repairer="r-04")
DAY = date(2026, 12, 4)
NONE_AWAY: frozenset[str] = frozenset()
FIELD = "body.decisions.0.decision"


def test_accept_on_time_starts_the_completion_clock_with_the_limit_set_at_assignment():
    [event] = decide.accept(issue(), by=REPAIRER, now=NOW, timing=TIMING)
    assert isinstance(event, IssueAccepted)
    assert event.on_time and event.by == "r-03" and event.status == "accepted"
    assert event.completion_due_at == NOW + timedelta(hours=72)


def test_accept_after_the_deadline_is_recorded_late():
    [event] = decide.accept(issue(signoff_due_at=NOW - timedelta(seconds=1)), by=STEWARD,
                            now=NOW, timing=TIMING)
    assert event.on_time is False


def test_the_time_scale_shortens_the_completion_clock():
    [event] = decide.accept(issue(), by=STEWARD, now=NOW, timing=Timing(scale=60))
    assert event.completion_due_at == NOW + timedelta(hours=72) / 60


def test_two_sign_offs_the_second_is_refused_naming_accepted():
    first = decide.accept(issue(), by=STEWARD, now=NOW, timing=TIMING)
    after = evolve(issue(), first[0])
    with pytest.raises(WrongStatus) as err:
        decide.accept(after, by=REPAIRER, now=NOW, timing=TIMING)
    assert err.value.current == "accepted"


def test_start_then_resolve_with_a_note():
    [started] = decide.start(issue(status="accepted"), by=REPAIRER)
    assert isinstance(started, IssueStarted) and started.status == "in_progress"
    [resolved] = decide.resolve(issue(status="in_progress", completion_due_at=NOW),
                                by=REPAIRER, now=NOW, note="fixed", amount_charged=None,
                                timing=TIMING)
    assert isinstance(resolved, IssueResolved)
    assert resolved.on_time and resolved.close_due_at == NOW + timedelta(days=7)


def test_paid_repairs_must_say_what_was_charged_and_only_they_may():
    paid = issue(status="in_progress", category="repair.paid")
    with pytest.raises(Invalid) as err:
        decide.resolve(paid, by=REPAIRER, now=NOW, note="n", amount_charged=None, timing=TIMING)
    assert err.value.field == "body.amount_charged"
    with pytest.raises(Invalid):
        decide.resolve(paid, by=REPAIRER, now=NOW, note="n", amount_charged=Decimal("-1"),
                       timing=TIMING)
    with pytest.raises(Invalid):
        decide.resolve(issue(status="in_progress"), by=REPAIRER, now=NOW, note="n",
                       amount_charged=Decimal("10"), timing=TIMING)
    [event] = decide.resolve(paid, by=REPAIRER, now=NOW, note="n", amount_charged=Decimal("0"),
                             timing=TIMING)
    assert event.amount_charged == Decimal("0")


def test_a_return_goes_to_the_backup_of_the_returners_role_with_a_fresh_deadline():
    returned, reassigned = decide.return_work(issue(), by=REPAIRER, now=NOW, reason="busy",
                                              grid=GRID, limits=LIMITS, timing=TIMING)
    assert isinstance(returned, IssueReturned) and returned.role == "repairer"
    assert isinstance(reassigned, IssueAssigned) and reassigned.reason == "returned"
    assert (reassigned.steward_id, reassigned.repairer_id) == ("s-03", "r-04")
    assert reassigned.covering_for == ["r-03"]
    assert reassigned.signoff_due_at == NOW + timedelta(minutes=LIMITS.signoff_minutes)


def test_a_return_without_a_backup_waits_for_an_operator():
    events = decide.return_work(issue(), by=STEWARD, now=NOW, reason="not ours",
                                grid=grid(), limits=LIMITS, timing=TIMING)
    assert [e.status for e in events] == ["returned"]


def test_the_backup_returning_the_work_sends_it_to_the_operator():
    state = issue(steward_id="s-04")
    backup = STEWARD.model_copy(update={"sub": "s-04"})
    events = decide.return_work(state, by=backup, now=NOW, reason="no", grid=GRID,
                                limits=LIMITS, timing=TIMING)
    assert [e.status for e in events] == ["returned"]


def test_a_return_needs_a_reason_only_at_the_edge_but_a_status_here():
    with pytest.raises(WrongStatus):
        decide.return_work(issue(status="resolved"), by=STEWARD, now=NOW, reason="x",
                           grid=GRID, limits=LIMITS, timing=TIMING)


def test_escalation_by_steward_and_by_operator_names_the_meeting_and_cause():
    [by_steward] = decide.escalate(issue(), by=STEWARD, reason="r", meeting_date=DAY)
    [by_desk] = decide.escalate(issue(status="returned"), by=OPERATOR, reason="r",
                                meeting_date=DAY)
    assert isinstance(by_steward, IssueEscalated)
    assert (by_steward.cause, by_desk.cause, by_desk.meeting_date) == ("steward", "operator", DAY)


def test_refer_and_outcome_resolved_starts_the_close_clock():
    [referred] = decide.refer(issue(), by=OPERATOR, department="police", note=None)
    assert isinstance(referred, IssueReferred) and referred.department == "police"
    state = evolve(issue(), referred)
    outcome, resolved = decide.referral_outcome(state, by=OPERATOR, now=NOW, outcome="ok",
                                                resolved=True, grid=GRID, limits=LIMITS,
                                                timing=TIMING, away=NONE_AWAY)
    assert isinstance(outcome, IssueReferralOutcome) and outcome.department == "police"
    assert resolved.via == "referral" and resolved.close_due_at == NOW + timedelta(days=7)


def test_an_unresolved_referral_goes_back_to_the_grid_or_the_queue():
    state = evolve(issue(), decide.refer(issue(), by=OPERATOR, department="housing",
                                         note=None)[0])
    _, back = decide.referral_outcome(state, by=OPERATOR, now=NOW, outcome="not ours",
                                      resolved=False, grid=GRID, limits=LIMITS, timing=TIMING, away=NONE_AWAY)
    assert back.reason == "referral_outcome" and back.steward_id == GRID.steward
    [queued] = decide.referral_outcome(state, by=OPERATOR, now=NOW, outcome="no",
                                       resolved=False, grid=None, limits=None, timing=TIMING, away=NONE_AWAY)
    assert queued.status == "returned"


def test_manual_assignment_to_a_grid_or_named_people():
    unroutable = issue(status="unroutable", grid_id=None, steward_id=None, repairer_id=None)
    [to_grid] = decide.assign(unroutable, by=OPERATOR, grid=GRID, now=NOW, limits=LIMITS,
                              timing=TIMING, away=NONE_AWAY)
    assert (to_grid.grid_id, to_grid.steward_id, to_grid.repairer_id) == ("g-03", "s-03", "r-03")
    assert to_grid.reason == "manual" and to_grid.assigned_by == "o-01"
    [to_people] = decide.assign(unroutable, by=OPERATOR, grid=GRID, now=NOW, limits=LIMITS,
                                timing=TIMING, away=NONE_AWAY, steward_id="s-07")
    assert to_people.steward_id == "s-07"


def test_a_category_without_repair_gets_no_repairer_from_the_grid():
    [event] = decide.assign(issue(status="returned", category="dispute.neighbor"), by=OPERATOR,
                            grid=GRID, now=NOW, limits=LIMITS, timing=TIMING, away=NONE_AWAY)
    assert event.repairer_id is None


def test_urgency_of_a_new_assignment_comes_from_the_limits():
    urgent = Limits(30, 1440, True)
    [event] = decide.assign(issue(status="returned"), by=OPERATOR, grid=GRID, now=NOW,
                            limits=urgent, timing=TIMING, away=NONE_AWAY)
    assert event.urgent and event.signoff_due_at == NOW + timedelta(minutes=30)


def test_meeting_decisions_on_an_escalated_issue():
    escalated = issue(status="escalated", meeting_date=DAY)
    [resolved] = decide.resolve_at_meeting(escalated, by=OPERATOR, now=NOW, meeting_date=DAY,
                                           note=None, timing=TIMING)
    assert (resolved.via, resolved.meeting_date, resolved.on_time) == ("meeting", DAY, None)
    [unit] = decide.assign_at_meeting(escalated, by=OPERATOR, grid=GRID, unit="u-street",
                                      now=NOW, limits=LIMITS, timing=TIMING, away=NONE_AWAY, field=FIELD)
    assert (unit.reason, unit.unit) == ("meeting", "u-street")
    [referred] = decide.refer(escalated, by=OPERATOR, department="fire", note=None,
                              meeting_date=DAY)
    assert referred.meeting_date == DAY
    [carried] = decide.carry(escalated, by=OPERATOR, to_meeting=date(2026, 12, 14), reason="r")
    assert (carried.cause, carried.meeting_date) == ("carried", date(2026, 12, 14))


def test_meeting_decisions_need_an_item_on_the_agenda():
    with pytest.raises(WrongStatus):
        decide.resolve_at_meeting(issue(), by=OPERATOR, now=NOW, meeting_date=DAY, note=None,
                                  timing=TIMING)


def test_a_backup_covers_open_work_naming_who_is_away():
    [event] = decide.cover(issue(status="accepted"), by="a-01", steward_id="s-04",
                           repairer_id=None, covering_for=["s-03"], now=NOW, limits=LIMITS,
                           timing=TIMING)
    assert (event.reason, event.steward_id, event.repairer_id) == ("backup_cover", "s-04", "r-03")
    assert event.covering_for == ["s-03"] and event.status == "assigned"
