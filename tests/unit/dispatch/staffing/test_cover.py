"""Who takes a grid's work while someone is away: routing, hand-over and returns."""

from redgrid_shared.auth import Principal
from redgrid_shared.events import IssueAssigned, IssueReturned, IssueUnroutable

from dispatch.sla.limits import Limits, Timing
from dispatch.staffing.cover import Assignees, assignees, holder, replacement
from dispatch.workflow import decide
from dispatch.workflow.aggregate import Issue
from dispatch.workflow.routing import NO_AVAILABLE_STAFF, route
from tests.unit.dispatch.builders import REPORTED_AT, grid, issue_reported

STAFFED = grid(backup_steward="s-04", backup_repairer="r-04")


def test_nobody_away_means_the_regular_holders_and_no_cover():
    assert assignees(STAFFED, needs_repairer=True, away=set()) == Assignees("s-03", "r-03", ())


def test_a_steward_on_leave_is_covered_by_the_backup_steward_only():
    assert assignees(STAFFED, needs_repairer=True, away={"s-03"}) == Assignees(
        "s-04", "r-03", ("s-03",))


def test_both_on_leave_are_both_covered():
    assert assignees(STAFFED, needs_repairer=True, away={"s-03", "r-03"}) == Assignees(
        "s-04", "r-04", ("s-03", "r-03"))


def test_a_repairer_away_does_not_matter_when_the_category_needs_none():
    assert assignees(STAFFED, needs_repairer=False, away={"r-03", "r-04"}) == Assignees(
        "s-03", None, ())


def test_no_one_available_for_a_needed_role_means_no_assignees():
    assert assignees(STAFFED, needs_repairer=True, away={"r-03", "r-04"}) is None
    assert assignees(grid(), needs_repairer=False, away={"s-03"}) is None  # no backup set


def test_open_work_of_a_backup_going_on_leave_goes_back_to_the_regular_holder():
    assert replacement(STAFFED, "steward", leaving="s-04", away={"s-04"}) == "s-03"
    assert replacement(STAFFED, "steward", leaving="s-03", away={"s-03"}) == "s-04"
    assert replacement(STAFFED, "steward", leaving="s-03", away={"s-03", "s-04"}) is None
    assert holder(STAFFED, "repairer", {"r-03"}) == "r-04"


def test_routing_sends_new_work_to_the_backup_and_names_who_is_covered():
    decision = route(issue_reported(building="b-07", category="repair.pipe"), [STAFFED],
                     now=REPORTED_AT, timing=Timing(), away={"s-03"})
    assert isinstance(decision, IssueAssigned)
    assert (decision.steward_id, decision.repairer_id, decision.covering_for) == (
        "s-04", "r-03", ["s-03"])


def test_routing_queues_for_an_operator_when_holder_and_backup_are_away():
    decision = route(issue_reported(building="b-07", category="repair.pipe"), [STAFFED],
                     now=REPORTED_AT, timing=Timing(), away={"r-03", "r-04"})
    assert isinstance(decision, IssueUnroutable) and decision.reason == NO_AVAILABLE_STAFF


def test_someone_back_from_leave_gets_new_work_again():
    decision = route(issue_reported(building="b-07"), [STAFFED], now=REPORTED_AT,
                     timing=Timing(), away=set())
    assert (decision.steward_id, decision.covering_for) == ("s-03", [])


def test_a_return_is_left_for_an_operator_when_the_backup_is_on_leave():
    issue = Issue(issue_id="iss-1", community="erqiaoxi", status="assigned", version=1,
                  grid_id="g-03", category="repair.pipe", steward_id="s-03",
                  repairer_id="r-03", signoff_due_at=REPORTED_AT)
    repairer = Principal(sub="r-03", role="repairer", community="erqiaoxi", grids=("g-03",))
    kwargs = {"by": repairer, "now": REPORTED_AT, "reason": "缺少配件", "grid": STAFFED,
              "limits": Limits(120, 4320, False), "timing": Timing()}
    covered = decide.return_work(issue, **kwargs)
    assert [type(e) for e in covered] == [IssueReturned, IssueAssigned]
    assert covered[1].repairer_id == "r-04"
    queued = decide.return_work(issue, **kwargs, away={"r-04"})
    assert [type(e) for e in queued] == [IssueReturned]
