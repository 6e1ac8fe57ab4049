"""Rates, averages and breakdowns from summed rows, without a database."""

from stats.figures import STATUSES, event_figures, issue_figures, now_figures, rate, summary
from stats.queries import Row


def test_rate_is_rounded_to_three_places_and_none_without_a_denominator():
    assert rate(460, 700) == 0.657 and rate(2, 3) == 0.667 and rate(3, 3) == 1.0
    assert rate(0, 0) is None


def test_handled_counts_resolved_and_closed_of_the_collected():
    f = issue_figures([Row("status.resolved", 2, category="repair.pipe", source="app"),
                       Row("status.closed", 1, category="repair.pipe", source="hotline"),
                       Row("status.in_progress", 4, category="repair.pipe", source="app"),
                       Row("status.cancelled", 1, category="safety.fire", source="app")])
    assert (f["collected"], f["handled"], f["handling_rate"]) == (8, 3, 0.375)
    assert f["by_source"] == {"app": 7, "meeting": 0, "grid_visit": 0, "hotline": 1}


def test_every_status_and_category_appears_and_unknown_codes_are_kept():
    f = issue_figures([Row("status.assigned", 5, category="future.code", source="app")])
    assert set(f["by_status"]) == set(STATUSES) and f["by_status"]["closed"] == 0
    assert f["by_category"]["future.code"] == 5 and f["by_category"]["suggestion"] == 0


def test_event_rates_satisfaction_and_income():
    f = event_figures([Row("signoffs", 10), Row("on_time_signoffs", 9),
                       Row("completions", 4), Row("on_time_completions", 1),
                       Row("assignments", 20), Row("returns", 1), Row("resolutions", 5),
                       Row("reopens", 1), Row("ratings", 3, amount=14.0),
                       Row("paid_repairs", 2, amount=80.5), Row("decision.carried", 2)])
    assert f["on_time_signoff_rate"] == 0.9 and f["on_time_completion_rate"] == 0.25
    assert f["return_rate"] == 0.05 and f["reopen_rate"] == 0.2
    assert f["satisfaction"] == 4.67 and f["ratings"] == 3
    assert f["income"] == 80.5 and f["decisions"]["carried"] == 2


def test_no_events_give_null_rates_not_zero():
    f = event_figures([])
    assert f["on_time_signoff_rate"] is None and f["satisfaction"] is None
    assert f["signoffs"] == 0 and f["income"] == 0


def test_overdue_now_and_open_come_from_the_now_rows():
    now = [Row("status.assigned", 3), Row("status.closed", 5), Row("overdue", 2)]
    assert now_figures(now) == {"open": 3, "overdue_now": 2}
    s = summary([], [], now, meetings_held=4)
    assert s["overdue_now"] == 2 and s["meetings_held"] == 4 and s["collected"] == 0
