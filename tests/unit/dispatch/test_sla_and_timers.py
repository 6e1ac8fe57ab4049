"""SLA limits (defaults, overrides, 一老一小, time scale), timer plans and list cursors."""

from datetime import datetime, timedelta, timezone

import pytest

from dispatch import paging
from redgrid_shared.domain import Invalid
from dispatch.sla.limits import Timing, category_limits, limits_for
from dispatch.timers.plan import wanted
from tests.unit.dispatch.workflow.builders import NOW, issue


def test_product_defaults_two_hours_three_days_urgent_half_hour_a_day_slow_a_week():
    assert limits_for("repair.pipe", vulnerable=False, overrides={}).__dict__ == {
        "signoff_minutes": 120, "completion_minutes": 4320, "urgent": False}
    assert limits_for("safety.fire", vulnerable=False, overrides={}).__dict__ == {
        "signoff_minutes": 30, "completion_minutes": 1440, "urgent": True}
    assert limits_for("suggestion", vulnerable=False, overrides={}).__dict__ == {
        "signoff_minutes": 10080, "completion_minutes": 10080, "urgent": False}


def test_an_override_replaces_the_default_of_its_category_only():
    overrides = {"repair.pipe": (60, 600)}
    assert category_limits("repair.pipe", overrides).overridden
    assert limits_for("repair.pipe", vulnerable=False, overrides=overrides).signoff_minutes == 60
    assert limits_for("repair.public", vulnerable=False, overrides=overrides).signoff_minutes == 120


def test_vulnerable_reports_get_the_urgent_limits_or_shorter_ones():
    assert limits_for("suggestion", vulnerable=True, overrides={}).__dict__ == {
        "signoff_minutes": 30, "completion_minutes": 1440, "urgent": True}
    faster = {"repair.pipe": (10, 100)}
    assert limits_for("repair.pipe", vulnerable=True, overrides=faster).__dict__ == {
        "signoff_minutes": 10, "completion_minutes": 100, "urgent": True}


def test_unknown_categories_get_the_limits_of_other():
    assert limits_for("no.such", vulnerable=False, overrides={}).signoff_minutes == 120


def test_the_time_scale_divides_every_span_including_the_seven_days():
    fast = Timing(scale=60)
    assert fast.span(60) == timedelta(minutes=1)
    assert fast.auto_close == timedelta(days=7) / 60
    assert Timing().span(120) == timedelta(hours=2)


def test_timers_follow_the_state():
    due = NOW + timedelta(days=3)
    assert wanted(issue()) == {("signoff", issue().signoff_due_at)}
    assert wanted(issue(status="in_progress", completion_due_at=due)) == {("completion", due)}
    assert wanted(issue(status="resolved", close_due_at=due)) == {("auto_close", due)}
    for status in ("escalated", "referred", "returned", "closed", "cancelled", "unroutable"):
        assert wanted(issue(status=status)) == set(), status


def test_a_fired_deadline_is_not_wanted_again():
    state = issue(overdue=frozenset({("signoff", issue().signoff_due_at)}))
    assert wanted(state) == set()


def test_cursors_round_trip_and_forged_ones_are_refused_naming_the_field():
    at = datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)
    assert paging.decode(paging.encode(at, 0, "iss-1"), ranked=True) == (at, 0, "iss-1")
    assert paging.decode(paging.encode(at, "iss-1"), ranked=False) == (at, "iss-1")
    forged = [paging.encode(at, 7, "iss-1"), paging.encode(at, "x\x00"), "%%%", "bm90IGpzb24",
              paging.encode(datetime(1, 1, 1, tzinfo=timezone.utc), "i")]
    for cursor in forged:
        with pytest.raises(Invalid) as err:
            paging.decode(cursor, ranked=cursor == forged[0])
        assert err.value.field == "query.cursor"
