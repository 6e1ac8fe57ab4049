"""Signed whole buckets and exact edges cover a window exactly once."""

import random
from collections import Counter
from datetime import date, datetime, timedelta, timezone

from stats.buckets import DAY, MONTH, YEAR, TZ, cut, midnight


def day_counts(c) -> Counter:
    """How many times each day is counted, signs applied."""
    counts: Counter = Counter()
    for period, lo, hi, sign in c.buckets:
        assert period != MONTH or (lo.day == 1 and hi.day == 1)
        assert period != YEAR or (lo.month == 1 and lo.day == 1 and hi.month == 1)
        d = lo
        while d < hi:
            counts[d] += sign
            d += timedelta(days=1)
    return +counts  # keeps positive counts; a negative one would vanish, checked below


def test_random_windows_count_each_day_once_and_the_edges_exactly():
    rng = random.Random(7)
    base = datetime(2024, 1, 1, tzinfo=timezone.utc)
    for _ in range(400):
        a = base + timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
        b = a + timedelta(minutes=rng.randrange(1, 900 * 24 * 60))
        if rng.random() < 0.3:
            a = midnight(a.astimezone(TZ).date())
        c = cut(a, b)
        counts = day_counts(c)
        raw: Counter = Counter()
        for period, lo, hi, sign in c.buckets:
            d = lo
            while d < hi:
                raw[d] += sign
                d += timedelta(days=1)
        assert all(v in (0, 1) for v in raw.values())
        days = sorted(counts)
        if c.days:
            first, end = c.days
            assert days == [first + timedelta(days=n) for n in range((end - first).days)]
        else:
            assert days == []
        spans = [(midnight(days[0]), midnight(days[-1] + timedelta(days=1)))] if days else []
        pieces = sorted(spans + list(c.exact))
        assert pieces[0][0] == a and pieces[-1][1] == b
        for (_, end), (start, _) in zip(pieces, pieces[1:]):
            assert end == start


def test_a_year_of_history_reads_one_year_bucket():
    c = cut(midnight(date(2025, 1, 1)), midnight(date(2026, 1, 1)))
    assert c.buckets == ((YEAR, date(2025, 1, 1), date(2026, 1, 1), 1),) and c.exact == ()


def test_all_history_up_to_late_in_a_month_subtracts_the_rest_of_the_year():
    c = cut(datetime(1970, 1, 1, tzinfo=timezone.utc), datetime(2026, 11, 30, 10, tzinfo=TZ))
    signs = {(p, lo): s for p, lo, _, s in c.buckets}
    assert signs[(YEAR, date(1970, 1, 1))] == 1 and signs[(MONTH, date(2026, 12, 1))] == -1
    assert signs[(DAY, date(2026, 11, 30))] == -1 and len(c.buckets) <= 4


def test_a_moment_inside_a_day_is_answered_exactly():
    end = datetime(2026, 11, 14, 10, 30, tzinfo=TZ)
    c = cut(midnight(date(2026, 11, 1)), end)
    assert c.buckets == ((DAY, date(2026, 11, 1), date(2026, 11, 14), 1),)
    assert c.exact == ((midnight(date(2026, 11, 14)), end),)
