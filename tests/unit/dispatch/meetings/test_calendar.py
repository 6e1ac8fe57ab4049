"""The meeting-day function: every edge named in the product contract."""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from dispatch.meetings.calendar import (
    is_meeting_day, meeting_day_after, next_meeting_day, upcoming_meeting_day,
)

SH = ZoneInfo("Asia/Shanghai")


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.mark.parametrize("at, expected", [
    (sh(2026, 5, 1, 9), date(2026, 5, 4)),
    (sh(2026, 5, 5, 9), date(2026, 5, 14)),
    (sh(2026, 5, 13, 23, 59), date(2026, 5, 14)),
    (sh(2026, 5, 15, 0, 0), date(2026, 5, 24)),
])
def test_an_escalation_joins_the_next_meeting_day_of_the_month(at, expected):
    assert next_meeting_day(at) == expected


@pytest.mark.parametrize("at, expected", [
    (sh(2026, 5, 25, 8), date(2026, 6, 4)),
    (sh(2026, 5, 31, 23, 59), date(2026, 6, 4)),
    (sh(2026, 2, 28, 12), date(2026, 3, 4)),
    (sh(2028, 2, 29, 12), date(2028, 3, 4)),
])
def test_after_the_24th_the_next_meeting_is_the_4th_of_next_month(at, expected):
    assert next_meeting_day(at) == expected


def test_new_years_eve_goes_to_the_4th_of_january():
    assert next_meeting_day(sh(2026, 12, 31, 23, 0)) == date(2027, 1, 4)
    assert next_meeting_day(sh(2026, 12, 24, 10, 0)) == date(2027, 1, 4)


@pytest.mark.parametrize("day", [4, 14, 24])
def test_an_escalation_on_a_meeting_day_waits_for_the_following_meeting(day):
    at = sh(2026, 7, day, 0, 0)
    assert next_meeting_day(at) > at.date()
    assert next_meeting_day(at) == meeting_day_after(date(2026, 7, day))


def test_an_escalation_on_the_24th_of_december_waits_until_january():
    assert next_meeting_day(sh(2026, 12, 24, 8, 30)) == date(2027, 1, 4)


def test_the_day_is_counted_in_shanghai_not_utc():
    # 16:30 UTC on the 3rd is 00:30 on the 4th in Shanghai: already a meeting day, so the
    # escalation waits for the 14th.
    assert next_meeting_day(datetime(2026, 12, 3, 16, 30, tzinfo=timezone.utc)) == date(2026, 12, 14)
    # One minute before local midnight it is still the 3rd: the 4th's agenda takes it.
    assert next_meeting_day(datetime(2026, 12, 3, 15, 59, tzinfo=timezone.utc)) == date(2026, 12, 4)


def test_the_utc_new_year_boundary_in_shanghai():
    # 2026-12-31T16:00Z is already 1 January 2027 in Shanghai.
    assert next_meeting_day(datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc)) == date(2027, 1, 4)
    assert next_meeting_day(datetime(2027, 1, 3, 16, 0, tzinfo=timezone.utc)) == date(2027, 1, 14)


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError):
        next_meeting_day(datetime(2026, 5, 1, 9))


def test_meeting_days_are_the_fourth_fourteenth_and_twenty_fourth():
    days = [d for d in range(1, 32) if is_meeting_day(date(2026, 1, d))]
    assert days == [4, 14, 24]


def test_the_upcoming_meeting_includes_today_when_today_is_a_meeting_day():
    assert upcoming_meeting_day(sh(2026, 7, 14, 18)) == date(2026, 7, 14)
    assert upcoming_meeting_day(sh(2026, 7, 15, 0)) == date(2026, 7, 24)
    assert upcoming_meeting_day(sh(2026, 12, 25, 0)) == date(2027, 1, 4)
