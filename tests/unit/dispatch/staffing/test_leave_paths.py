"""Every path that gives an issue to a grid follows the one availability rule
(staffing.cover.assignees): reopen, a referral sent back, an operator's assignment to a
grid, a meeting's assignment. With holder and backup both away, each path waits for an
operator in its own documented way (docs/decisions.md, "Leave and backups")."""

from datetime import date

import pytest

from redgrid_shared.events import IssueAssigned, IssueReferralOutcome, ResidentActionSettled

from redgrid_shared.domain import Invalid
from dispatch.staffing.cover import Assignees, assignees
from dispatch.workflow import automatic, decide
from dispatch.workflow.aggregate import evolve
from tests.unit.dispatch.builders import grid
from tests.unit.dispatch.workflow.builders import LIMITS, NOW, OPERATOR, TIMING, issue

STAFFED = grid(backup_steward="s-04", backup_repairer="r-04")
DAY = date(2026, 12, 4)
FIELD = "body.decisions.2.decision"
STEWARD_AWAY, REPAIRERS_AWAY = {"s-03"}, {"r-03", "r-04"}


def reopen(away, *, category="repair.pipe"):
    return automatic.settle(issue(status="resolved", category=category), action="reopen",
                            action_event_id="ev-1", by="u-1001", at=NOW, grid=STAFFED,
                            limits=LIMITS, now=NOW, timing=TIMING, away=away)


def referral_back(away):
    referred = evolve(issue(), decide.refer(issue(), by=OPERATOR, department="housing",
                                            note=None)[0])
    return decide.referral_outcome(referred, by=OPERATOR, now=NOW, outcome="not ours",
                                   resolved=False, grid=STAFFED, limits=LIMITS,
                                   timing=TIMING, away=away)


def manual(away, **named):
    return decide.assign(issue(status="returned"), by=OPERATOR, grid=STAFFED, now=NOW,
                         limits=LIMITS, timing=TIMING, away=away, **named)


def at_meeting(away):
    return decide.assign_at_meeting(issue(status="escalated", meeting_date=DAY),
                                    by=OPERATOR, grid=STAFFED, unit="u-street", now=NOW,
                                    limits=LIMITS, timing=TIMING, away=away, field=FIELD)


def people(event: IssueAssigned) -> tuple:
    return event.steward_id, event.repairer_id, event.covering_for


PATHS = {"reopened": lambda away: reopen(away)[-1],
         "referral_outcome": lambda away: referral_back(away)[-1],
         "manual": lambda away: manual(away)[-1],
         "meeting": lambda away: at_meeting(away)[-1]}


@pytest.mark.parametrize("reason", PATHS)
def test_every_path_gives_the_work_of_someone_on_leave_to_the_backup(reason):
    event = PATHS[reason](STEWARD_AWAY)
    assert isinstance(event, IssueAssigned) and event.reason == reason
    assert people(event) == ("s-04", "r-03", ["s-03"])
    assert (event.steward_id, event.repairer_id) == astuple(
        assignees(STAFFED, needs_repairer=True, away=STEWARD_AWAY))


@pytest.mark.parametrize("reason", PATHS)
def test_every_path_goes_to_the_regular_holders_when_no_one_is_away(reason):
    event = PATHS[reason](frozenset())
    assert people(event) == ("s-03", "r-03", [])


@pytest.mark.parametrize("reason", PATHS)
def test_someone_away_in_another_grid_or_community_changes_nothing(reason):
    # `away` holds the caller's community only; an id not of this grid is just not ours.
    assert people(PATHS[reason]({"s-99", "r-99"})) == ("s-03", "r-03", [])


def test_a_reopen_with_holder_and_backup_away_waits_for_an_operator_as_returned():
    [settled] = reopen(REPAIRERS_AWAY)
    assert isinstance(settled, ResidentActionSettled)
    assert (settled.outcome, settled.status, settled.reason) == (
        "applied", "returned", automatic.NO_ONE_AVAILABLE)
    after = evolve(issue(status="resolved"), settled)
    assert (after.status, after.queue_reason) == ("returned", automatic.NO_ONE_AVAILABLE)


def test_a_reopen_of_work_needing_no_repairer_ignores_repairers_on_leave():
    _, assigned = reopen(REPAIRERS_AWAY, category="dispute.neighbor")
    assert people(assigned) == ("s-03", None, [])


def test_a_referral_sent_back_with_holder_and_backup_away_waits_in_the_queue():
    [outcome] = referral_back(REPAIRERS_AWAY)
    assert isinstance(outcome, IssueReferralOutcome) and outcome.status == "returned"


def test_a_manual_assignment_to_an_unstaffed_grid_is_refused_naming_the_grid_field():
    with pytest.raises(Invalid) as refused:
        manual(REPAIRERS_AWAY)
    assert refused.value.field == "body.grid_id" and "g-03" in refused.value.message


def test_people_an_operator_names_are_taken_as_named_and_the_rest_by_the_rule():
    [named] = manual(REPAIRERS_AWAY, repairer_id="r-09")
    assert people(named) == ("s-03", "r-09", [])
    [mixed] = manual(STEWARD_AWAY | REPAIRERS_AWAY, steward_id="s-07", repairer_id="r-03")
    assert people(mixed) == ("s-07", "r-03", [])
    [backup] = manual(STEWARD_AWAY, repairer_id="r-09")
    assert people(backup) == ("s-04", "r-09", ["s-03"])


def test_a_meeting_assignment_to_an_unstaffed_grid_is_refused_naming_the_decision():
    with pytest.raises(Invalid) as refused:
        at_meeting(REPAIRERS_AWAY)
    assert refused.value.field == FIELD


def test_the_rule_with_named_people():
    assert assignees(STAFFED, needs_repairer=True, away={"s-03", "s-04"},
                     steward="s-07") == Assignees("s-07", "r-03", ())
    assert assignees(STAFFED, needs_repairer=True, away={"s-03", "s-04"}) is None


def astuple(found: Assignees | None) -> tuple:
    assert found is not None
    return found.steward, found.repairer
