"""Whole buckets and exact edges cover a window exactly once."""

import random
from datetime import date, datetime, timedelta, timezone

from stats.buckets import DAY, MONTH, YEAR, TZ, cut, midnight


def covered_days(c) -> list[date]:
    days = []
    for period, lo, hi in c.buckets:
        d = lo
        while d < hi:
            days.append(d)
            assert period != MONTH or (lo.day == 1 and hi.day == 1)
            assert period != YEAR or (lo.month == 1 and lo.day == 1)
            d += timedelta(days=1)
    return days


def test_random_windows_are_tiled_without_gaps_or_overlaps():
    rng = random.Random(7)
    base = datetime(2024, 1, 1, tzinfo=timezone.utc)
    for _ in range(500):
        a = base + timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
        b = a + timedelta(minutes=rng.randrange(1, 900 * 24 * 60))
        if rng.random() < 0.3:
            a = midnight(a.astimezone(TZ).date())
        c = cut(a, b)
        days = covered_days(c)
        assert len(days) == len(set(days)) and days == sorted(days)
        spans = [(midnight(days[0]), midnight(days[-1] + timedelta(days=1)))] if days else []
        pieces = sorted(spans + list(c.exact))
        assert pieces[0][0] == a and pieces[-1][1] == b
        for (_, end), (start, _) in zip(pieces, pieces[1:]):
            assert end == start


def test_a_year_of_history_reads_one_year_bucket():
    c = cut(midnight(date(2025, 1, 1)), midnight(date(2026, 1, 1)))
    assert c.buckets == ((YEAR, date(2025, 1, 1), date(2026, 1, 1)),) and c.exact == ()


def test_a_moment_inside_a_day_is_answered_exactly():
    end = datetime(2026, 11, 14, 10, 30, tzinfo=TZ)
    c = cut(midnight(date(2026, 11, 1)), end)
    assert c.buckets == ((DAY, date(2026, 11, 1), date(2026, 11, 14)),)
    assert c.exact == ((midnight(date(2026, 11, 14)), end),)
