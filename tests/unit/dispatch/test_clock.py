"""The one injectable clock: a FixedClock stands still until moved."""

from datetime import datetime, timedelta, timezone

from redgrid_shared.clock import FixedClock, system_clock


def test_a_fixed_clock_stands_still_until_advanced():
    at = datetime(2026, 11, 26, tzinfo=timezone.utc)
    clock = FixedClock(at)
    assert clock() == clock() == at
    assert clock.advance(timedelta(minutes=5)) == at + timedelta(minutes=5) == clock()


def test_the_system_clock_is_aware_utc():
    assert system_clock().tzinfo is timezone.utc
