"""Grid history: periods of who held the grid, from configurations and leave."""

from datetime import datetime, timedelta, timezone

from redgrid_shared.events import GridConfigured, StaffAvailabilityChanged

from dispatch.staffing.history import periods

T0 = datetime(2024, 3, 1, 1, 0, tzinfo=timezone.utc)


def configured(**overrides) -> GridConfigured:
    fields = {"grid_id": "g-03", "community": "erqiaoxi", "name": "第三网格",
              "buildings": ["b-07"], "steward": "s-03", "repairer": "r-03",
              "backup_steward": "s-04", "backup_repairer": "r-04", "configured_by": "a-01"}
    return GridConfigured(**{**fields, **overrides})


def leave(person: str, available: bool = False) -> StaffAvailabilityChanged:
    return StaffAvailabilityChanged(staff_id=person, community="erqiaoxi", available=available,
                                    changed_by="a-01")


def at(days: int) -> datetime:
    return T0 + timedelta(days=days)


def test_one_configuration_is_one_open_period():
    [period] = periods([(at(0), 1, configured())])
    assert (period.start, period.end, period.steward, period.repairer) == (
        at(0), None, "s-03", "r-03")


def test_leave_and_return_make_a_covered_period_in_between():
    result = periods([(at(0), 1, configured()), (at(5), 0, leave("s-03")),
                      (at(9), 0, leave("s-03", True))])
    assert [(p.start, p.end, p.steward, p.absent) for p in result] == [
        (at(0), at(5), "s-03", []), (at(5), at(9), "s-04", ["s-03"]), (at(9), None, "s-03", [])]
    assert result[1].cause["staff_id"] == "s-03" and result[1].cause["available"] is False


def test_a_new_steward_starts_a_period_and_the_old_ones_leave_changes_nothing():
    result = periods([(at(0), 1, configured()), (at(3), 2, configured(steward="s-09")),
                      (at(4), 0, leave("s-03"))])
    assert [(p.steward, p.version) for p in result] == [("s-03", 1), ("s-09", 2)]
    assert result[0].end == at(3) and result[1].end is None


def test_leave_taken_before_the_grid_existed_counts_from_the_start():
    [period] = periods([(at(-2), 0, leave("r-03")), (at(0), 1, configured())])
    assert (period.repairer, period.absent) == ("r-04", ["r-03"])


def test_no_one_holds_a_role_when_holder_and_backup_are_both_away():
    result = periods([(at(0), 1, configured()), (at(1), 0, leave("r-03")),
                      (at(2), 0, leave("r-04"))])
    assert [p.repairer for p in result] == ["r-03", "r-04", None]


def test_a_backup_away_while_the_holder_works_changes_nothing():
    result = periods([(at(0), 1, configured()), (at(1), 0, leave("s-04"))])
    assert len(result) == 1
