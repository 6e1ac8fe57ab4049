"""Pure intake decisions: who may report for whom, what a timeline shows, who sees it."""

import base64
import json
from datetime import datetime, timezone

import pytest

from intake import handlers, timeline
from intake.categories.handlers import category_views
from redgrid_shared.domain import Invalid, NotAllowed
from intake.models import ReportIssue
from tests.unit.intake.builders import COMMUNITY, principal, report

NOW = datetime(2025, 3, 14, 1, 30, tzinfo=timezone.utc)


def command(**overrides) -> ReportIssue:
    return ReportIssue.model_validate(report(**overrides))


def test_resident_report_names_the_resident_as_reporter_and_submitter():
    photo = "med-" + "ab" * 16
    event = handlers.decide_report(principal(sub="u-7"), command(photos=[photo]),
                                   issue_id="iss-1")
    assert (event.reporter_id, event.reported_by, event.community) == ("u-7", "u-7", COMMUNITY)
    assert event.reported_by_role == "resident"
    assert event.photos == [photo]


def test_resident_may_not_report_for_someone_else():
    with pytest.raises(NotAllowed) as err:
        handlers.decide_report(principal(sub="u-7"), command(on_behalf_of="u-8"), issue_id="i")
    assert "body.on_behalf_of" in err.value.fields


@pytest.mark.parametrize("role", ["steward", "operator", "admin"])
def test_staff_report_for_the_named_resident(role):
    event = handlers.decide_report(principal(sub="s-01", role=role),
                                   command(on_behalf_of="u-8", source="grid_visit"),
                                   issue_id="iss-1")
    assert (event.reporter_id, event.reported_by, event.source) == ("u-8", "s-01", "grid_visit")
    assert event.reported_by_role == role
    assert handlers.issue_from_reported(event, at=NOW, version=1)["reported_by_role"] == role


def test_staff_report_without_a_resident_names_on_behalf_of():
    with pytest.raises(Invalid) as err:
        handlers.decide_report(principal(sub="s-01", role="steward"), command(), issue_id="i")
    assert list(err.value.fields) == ["body.on_behalf_of"]


def test_repairer_may_not_report():
    with pytest.raises(NotAllowed):
        handlers.decide_report(principal(sub="r-01", role="repairer"),
                               command(on_behalf_of="u-8"), issue_id="i")


def test_report_creates_a_reported_row_stamped_with_the_event_time():
    event = handlers.decide_report(principal(), command(), issue_id="iss-1")
    row = handlers.issue_from_reported(event, at=NOW, version=1)
    assert row["status"] == "reported"
    assert row["created_at"] == row["updated_at"] == NOW
    assert row["stream_version"] == 1


def test_timeline_data_keeps_only_fields_readers_may_see():
    data = {"issue_id": "i", "reporter_id": "u-1", "reported_by": "s-1", "community": "c",
            "category": "repair.pipe", "description": "d", "building": "b", "unit": None,
            "vulnerable": None, "photos": [], "source": "app"}
    shown = timeline.timeline_data("issue.reported", data)
    assert "reporter_id" not in shown and "reported_by" not in shown
    assert shown["category"] == "repair.pipe"
    assert timeline.timeline_data("issue.unknown", data) == {}


ISSUE = {"community": COMMUNITY, "reporter_id": "u-1", "reported_by": "u-1",
         "reported_by_role": "resident", "grid_id": "g-03"}


@pytest.mark.parametrize("who, visible", [
    (principal(sub="u-1"), True),
    (principal(sub="u-2"), False),
    (principal(sub="s-01", role="steward", grids=("g-03",)), True),
    (principal(sub="r-09", role="repairer", grids=("g-04",)), False),
    (principal(sub="o-1", role="operator"), True),
    (principal(sub="a-1", role="admin", community="elsewhere"), False),
    (principal(sub="u-1", community="elsewhere"), False),
    (principal(sub="u-1", role="repairer"), False),  # shares the resident's id, not the issue
    (principal(sub="u-1", role="steward", grids=("g-09",)), False),
])
def test_visibility_follows_ownership_grid_and_community(who, visible):
    assert handlers.can_see(who, ISSUE) is visible


def test_staff_see_an_issue_they_filed_before_it_reaches_their_grid():
    issue = {**ISSUE, "grid_id": None, "reporter_id": "u-2", "reported_by": "s-01",
             "reported_by_role": "steward"}
    assert handlers.can_see(principal(sub="s-01", role="steward", grids=("g-03",)), issue)


# A steward p-7 of g-01 filed for resident u-2, whose building is in g-02.
FILED = {**ISSUE, "grid_id": "g-02", "reporter_id": "u-2", "reported_by": "p-7",
         "reported_by_role": "steward"}


@pytest.mark.parametrize("who, visible", [
    (principal(sub="p-7", role="steward", grids=("g-01",)), True),  # the filer
    (principal(sub="p-7", role="repairer", grids=("g-01",)), False),  # same sub, other person
    (principal(sub="p-7", role="steward", grids=("g-01",), community="elsewhere"), False),
    (principal(sub="p-8", role="steward", grids=("g-01",)), False),
])
def test_only_the_filer_in_the_role_they_filed_in_sees_it_outside_their_grids(who, visible):
    assert handlers.can_see(who, FILED) is visible


@pytest.mark.parametrize("role", [None, "admin", "resident"])
def test_a_filer_role_other_than_the_callers_or_unknown_matches_no_staff(role):
    issue = {**FILED, "reported_by_role": role}
    assert not handlers.can_see(principal(sub="p-7", role="steward", grids=("g-01",)), issue)


def test_list_scope_matches_the_role():
    assert handlers.scope_of(principal(sub="u-1")).reporter_id == "u-1"
    staff = handlers.scope_of(principal(sub="s-01", role="steward", grids=("g-03",)))
    assert (staff.grids, staff.reporter_id) == (("g-03",), None)
    assert staff.reported_by == ("s-01", "steward")
    assert handlers.scope_of(principal(sub="s-01", role="repairer", grids=("g-03",))
                             ).reported_by is None
    desk = handlers.scope_of(principal(role="operator"))
    assert (desk.grids, desk.reporter_id, desk.community) == (None, None, COMMUNITY)


def test_cursor_round_trips_the_keyset_position():
    cursor = handlers.encode_cursor(NOW, "iss-1")
    assert handlers.decode_cursor(cursor) == (NOW, "iss-1")


def _forged(created: str, issue_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([created, issue_id]).encode()).decode()


@pytest.mark.parametrize("bad", [
    "!!!", "bm90IGpzb24", "WzEsMl0", "WyIyMDI1LTAzLTE0IiwgImkiXQ",
    _forged("2025-03-14T09:30:00+00:00", "iss-\x00"),  # PostgreSQL cannot compare NUL
    _forged("9999-12-31T23:59:59-14:00", "iss-1"),  # overflows on the way to UTC
    _forged("0001-01-01T00:00:00+00:00", "iss-1"),
])
def test_a_foreign_cursor_is_a_422_naming_the_query_field(bad):
    with pytest.raises(Invalid) as err:
        handlers.decode_cursor(bad)
    assert list(err.value.fields) == ["query.cursor"]


def test_categories_show_default_limits_in_minutes():
    views = {c.code: c for c in category_views("zh")}
    assert (views["safety.fire"].signoff_minutes, views["safety.fire"].completion_minutes) == (
        30, 1440)
    assert views["repair.pipe"].needs_repairer and not views["suggestion"].needs_repairer
    assert views["dispute.neighbor"].signoff_minutes == 7 * 24 * 60


def test_issue_ids_are_unique_and_readable():
    ids = {handlers.new_issue_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(i.startswith("iss-") and len(i) == 20 for i in ids)
