"""Who may mark whom on leave, and when nothing changes."""

import pytest

from redgrid_shared.auth import Principal

from redgrid_shared.domain import NotAllowed
from dispatch.staffing.decide import decide_availability, may_change
from dispatch.staffing.models import ChangeAvailability

LEAVE = ChangeAvailability(available=False, note="年假")


def who(role: str, sub: str, community: str = "erqiaoxi") -> Principal:
    return Principal(sub=sub, role=role, community=community)


def test_an_admin_marks_anyone_of_their_community():
    event = decide_availability(True, LEAVE, staff_id="s-03", principal=who("admin", "a-01"))
    assert (event.staff_id, event.community, event.available, event.changed_by, event.note) == (
        "s-03", "erqiaoxi", False, "a-01", "年假")


@pytest.mark.parametrize("role", ["steward", "repairer"])
def test_staff_mark_themselves(role):
    assert decide_availability(True, LEAVE, staff_id="x-1", principal=who(role, "x-1"))


@pytest.mark.parametrize(("role", "sub"), [("steward", "s-99"), ("operator", "s-03"),
                                           ("resident", "s-03")])
def test_no_one_else_may(role, sub):
    with pytest.raises(NotAllowed):
        decide_availability(True, LEAVE, staff_id="s-03", principal=who(role, sub))


def test_marking_someone_as_they_already_stand_writes_nothing():
    assert decide_availability(False, LEAVE, staff_id="s-03", principal=who("admin", "a")) is None
    back = ChangeAvailability(available=True)
    assert decide_availability(True, back, staff_id="s-03", principal=who("admin", "a")) is None


@pytest.mark.parametrize("role, directory", [("repairer", {"steward"}), ("steward", {"repairer"}),
                                             ("steward", {"steward", "repairer"})])
def test_staff_may_not_mark_an_id_the_directory_gives_another_role(role, directory):
    with pytest.raises(NotAllowed):
        may_change(who(role, "p-1"), "p-1", directory)


@pytest.mark.parametrize("directory", [None, set(), {"steward"}])
def test_a_steward_marks_themselves_when_the_directory_agrees_or_does_not_name_them(directory):
    assert may_change(who("steward", "p-1"), "p-1", directory) is None


def test_an_admin_marks_whatever_role_the_directory_gives():
    assert may_change(who("admin", "a-01"), "p-1", {"steward", "repairer"}) is None
