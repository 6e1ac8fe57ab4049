"""route(): which grid, which people, how urgent, by when (the clock runs from assignment)."""

from datetime import timedelta

from redgrid_shared.events import IssueAssigned, IssueUnroutable

from dispatch.sla.limits import Timing, limits_for
from dispatch.workflow.routing import NO_GRID, UNKNOWN_CATEGORY, route
from tests.unit.dispatch.builders import REPORTED_AT, grid, issue_reported

GRIDS = [grid(), grid(grid_id="g-04", buildings=("b-10",), steward="s-04", repairer="r-04")]


def test_report_in_a_covered_building_goes_to_that_grids_steward_and_repairer():
    decision = route(issue_reported(building="b-10"), GRIDS, now=REPORTED_AT, timing=Timing())
    assert isinstance(decision, IssueAssigned)
    assert (decision.grid_id, decision.steward_id, decision.repairer_id) == ("g-04", "s-04", "r-04")


def test_report_in_a_building_no_grid_covers_is_unroutable_with_a_reason():
    decision = route(issue_reported(building="b-99"), GRIDS, now=REPORTED_AT, timing=Timing())
    assert isinstance(decision, IssueUnroutable)
    assert (decision.building, decision.reason) == ("b-99", NO_GRID)


def test_a_grid_of_another_community_never_takes_the_report():
    other = [grid(community="nanhu")]
    decision = route(issue_reported(building="b-07"), other, now=REPORTED_AT, timing=Timing())
    assert isinstance(decision, IssueUnroutable)


def test_same_grid_id_and_building_in_two_communities_each_take_their_own_reports():
    grids = [grid(grid_id="g-01", buildings=("b-01",), steward="s-erq"),
             grid(grid_id="g-01", community="nanhu", buildings=("b-01",), steward="s-nan")]
    for community, steward in [("erqiaoxi", "s-erq"), ("nanhu", "s-nan")]:
        decision = route(issue_reported(community=community, building="b-01"), grids,
                         now=REPORTED_AT, timing=Timing())
        assert (decision.community, decision.grid_id, decision.steward_id) == (
            community, "g-01", steward)


def test_repairer_is_assigned_only_when_the_category_needs_one():
    pipe = route(issue_reported(category="repair.pipe"), GRIDS, now=REPORTED_AT, timing=Timing())
    dispute = route(issue_reported(category="dispute.neighbor"), GRIDS, now=REPORTED_AT, timing=Timing())
    assert pipe.repairer_id == "r-03"
    assert dispute.repairer_id is None and dispute.steward_id == "s-03"


def test_normal_report_has_two_hours_to_sign_off_and_three_days_to_finish():
    decision = route(issue_reported(category="repair.pipe"), GRIDS, now=REPORTED_AT, timing=Timing())
    assert not decision.urgent
    assert decision.signoff_due_at == REPORTED_AT + timedelta(hours=2)
    assert decision.completion_limit_minutes == 72 * 60


def test_vulnerable_resident_makes_any_report_urgent_with_thirty_minutes_to_sign_off():
    for category in ("repair.pipe", "dispute.neighbor", "suggestion"):
        decision = route(issue_reported(category=category, vulnerable="elderly"), GRIDS,
                         now=REPORTED_AT, timing=Timing())
        assert decision.urgent, category
        assert decision.signoff_due_at == REPORTED_AT + timedelta(minutes=30)
        assert decision.completion_limit_minutes == 24 * 60


def test_urgent_categories_are_urgent_without_a_vulnerable_flag():
    decision = route(issue_reported(category="safety.fire"), GRIDS, now=REPORTED_AT, timing=Timing())
    assert decision.urgent and decision.repairer_id == "r-03"
    assert decision.signoff_due_at == REPORTED_AT + timedelta(minutes=30)


def test_disputes_get_seven_days():
    limits = limits_for("dispute.neighbor", vulnerable=False, overrides={})
    assert (limits.urgent, limits.signoff_minutes, limits.completion_minutes) == (
        False, 7 * 24 * 60, 7 * 24 * 60)


def test_unknown_category_is_unroutable_rather_than_guessed():
    decision = route(issue_reported(category="no.such"), GRIDS, now=REPORTED_AT, timing=Timing())
    assert isinstance(decision, IssueUnroutable) and decision.reason == UNKNOWN_CATEGORY
