"""The transition tables, written out here as the specification and checked in full."""

import pytest

from redgrid_shared.auth import Principal
from redgrid_shared.domain import NotAllowed, NotFound, WrongStatus
from dispatch.workflow import rules
from tests.unit.dispatch.workflow.builders import (ADMIN, GRID_MATE, NEIGHBOUR_OPERATOR,
                                                   NEIGHBOUR_STEWARD, OPERATOR, OTHER_STEWARD,
                                                   REPAIRER, STEWARD, issue)

STATUSES = ["reported", "unroutable", "assigned", "accepted", "in_progress", "returned",
            "escalated", "referred", "resolved", "closed", "cancelled"]
# action: the statuses it may start from, as PRODUCT.md's lifecycle and the decisions say.
SPEC = {
    "accept": "assigned",
    "start": "accepted",
    "resolve": "accepted in_progress",
    "return": "assigned accepted in_progress",
    "escalate": "unroutable assigned accepted in_progress returned",
    "refer": "unroutable assigned accepted in_progress returned escalated",
    "referral_outcome": "referred",
    "assign": "unroutable assigned accepted in_progress returned escalated referred",
    "meeting_resolve": "escalated",
    "meeting_assign": "escalated",
    "meeting_refer": "escalated",
    "carry": "escalated",
    "cover": "assigned accepted in_progress",
    "cancel": "reported unroutable assigned accepted returned",
    "confirm": "resolved",
    "reopen": "resolved",
}
CASES = [(action, status) for action in SPEC for status in STATUSES]


def test_the_table_in_the_code_is_the_specification():
    assert {a: set(s) for a, s in rules.ALLOWED_FROM.items()} == {
        a: set(s.split()) for a, s in SPEC.items()}


@pytest.mark.parametrize("action,status", CASES)
def test_check_allows_exactly_the_specified_statuses(action, status):
    state = issue(status=status)
    if status in SPEC[action].split():
        rules.check(state, action)
    else:
        with pytest.raises(WrongStatus) as err:
            rules.check(state, action)
        assert err.value.current == status and err.value.fields == {"status": status}


WHO = {  # action: (steward, repairer, operator, admin) may take it
    "accept": (True, True, True, True),
    "start": (True, True, True, True),
    "resolve": (True, True, True, True),
    "return": (True, True, True, True),
    "escalate": (True, False, True, True),
    "refer": (False, False, True, True),
    "referral_outcome": (False, False, True, True),
    "assign": (False, False, True, True),
    "meeting_resolve": (False, False, True, True),
    "carry": (False, False, True, True),
}


@pytest.mark.parametrize("action", WHO)
def test_who_may_take_each_action(action):
    status = sorted(rules.ALLOWED_FROM[action])[0]
    for caller, allowed in zip((STEWARD, REPAIRER, OPERATOR, ADMIN), WHO[action]):
        if allowed:
            rules.check(issue(status=status), action, caller)
        else:
            with pytest.raises(NotAllowed):
                rules.check(issue(status=status), action, caller)


@pytest.mark.parametrize("caller", [GRID_MATE, OTHER_STEWARD])
def test_staff_not_assigned_may_not_act(caller):
    with pytest.raises((NotAllowed, NotFound)):
        rules.check(issue(), "accept", caller)


def test_a_grid_mate_sees_the_issue_but_may_not_act_and_another_grid_does_not_see_it():
    with pytest.raises(NotAllowed):
        rules.check(issue(), "accept", GRID_MATE)
    with pytest.raises(NotFound):
        rules.check(issue(), "accept", OTHER_STEWARD)


@pytest.mark.parametrize("caller", [NEIGHBOUR_OPERATOR, NEIGHBOUR_STEWARD])
def test_the_same_ids_in_another_community_see_nothing(caller):
    with pytest.raises(NotFound):
        rules.check(issue(), "accept", caller)


def test_the_right_to_act_is_checked_before_the_status():
    with pytest.raises(NotAllowed):
        rules.check(issue(status="closed"), "refer", STEWARD)


def test_a_steward_assigned_as_repairer_only_is_not_the_issues_steward():
    state = issue(steward_id="s-04", repairer_id="s-03")
    with pytest.raises(NotAllowed):
        rules.check(state, "accept", STEWARD)  # a steward token is not the repairer


# A person is (community, role, sub): the same sub in the other staff role is someone else.
LOOKALIKE_REPAIRER = Principal(sub="s-03", role="repairer", community="erqiaoxi",
                               grids=("g-09",))
LOOKALIKE_STEWARD = Principal(sub="r-03", role="steward", community="erqiaoxi",
                              grids=("g-09",))


@pytest.mark.parametrize(("principal", "sees"), [
    (Principal(sub="s-03", role="steward", community="erqiaoxi", grids=("g-09",)), True),
    (Principal(sub="r-03", role="repairer", community="erqiaoxi", grids=("g-09",)), True),
    (LOOKALIKE_REPAIRER, False),
    (LOOKALIKE_STEWARD, False),
    (Principal(sub="s-03", role="steward", community="nanhu", grids=("g-09",)), False),
])
def test_staff_see_an_issue_assigned_to_them_in_their_own_role_only(principal, sees):
    assert rules.visible(issue(), principal) is sees


def test_the_lookalike_of_another_role_may_not_act_on_the_issue():
    for who in (LOOKALIKE_REPAIRER, LOOKALIKE_STEWARD):
        with pytest.raises(NotFound):
            rules.check(issue(), "accept", who)


@pytest.mark.parametrize(("principal", "holds"), [
    (Principal(sub="p-1", role="steward", community="erqiaoxi"), True),
    (Principal(sub="p-1", role="repairer", community="erqiaoxi"), False),
    (Principal(sub="p-1", role="operator", community="erqiaoxi"), False),
])
def test_holds_matches_the_column_of_the_callers_role(principal, holds):
    assert rules.holds(principal, "p-1", "p-2") is holds
