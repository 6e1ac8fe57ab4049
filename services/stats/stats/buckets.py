"""Pure: cut a time window into whole counter buckets (years, months, days) and exact edges.

Counters are kept per Asia/Shanghai day, month and year. A window [start, end) is answered
from the fewest whole buckets that tile its whole days, plus the exact event rows of the
partial days at either edge (e.g. the day `as_of` falls in). A year of history reads one
year row per group instead of 365 day rows; an `as_of` inside a day stays exact.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
DAY, MONTH, YEAR = "d", "m", "y"


@dataclass(frozen=True)
class Cut:
    """Whole buckets as (period, first bucket, end bucket exclusive), and exact ranges."""

    buckets: tuple[tuple[str, date, date], ...]
    exact: tuple[tuple[datetime, datetime], ...]


def day_of(moment: datetime) -> date:
    """The Shanghai calendar day of a moment."""
    return moment.astimezone(TZ).date()


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), TZ)


def bucket_keys(moment: datetime) -> tuple[tuple[str, date], ...]:
    """The day, month and year buckets a moment is counted in."""
    d = day_of(moment)
    return ((DAY, d), (MONTH, d.replace(day=1)), (YEAR, d.replace(month=1, day=1)))


def _next_month(d: date) -> date:
    return (d.replace(day=1) + timedelta(days=32)).replace(day=1)


def _whole(first: date, end: date) -> list[tuple[str, date, date]]:
    """Tile the days [first, end) with days up to a month start, months up to a year start,
    years, then months and days again."""
    out: list[tuple[str, date, date]] = []

    def add(period: str, lo: date, hi: date) -> None:
        if lo < hi:
            out.append((period, lo, hi))

    if first >= end:
        return out
    month = first if first.day == 1 else _next_month(first)
    if month >= end:
        add(DAY, first, end)
        return out
    add(DAY, first, month)
    year = month if month.month == 1 else date(month.year + 1, 1, 1)
    last_year = date(end.year, 1, 1)
    if year >= last_year:
        last_month = end.replace(day=1)
        add(MONTH, month, last_month)
        add(DAY, max(last_month, month), end)
        return out
    add(MONTH, month, year)
    add(YEAR, year, last_year)
    last_month = end.replace(day=1)
    add(MONTH, last_year, last_month)
    add(DAY, last_month, end)
    return out


def cut(start: datetime, end: datetime) -> Cut:
    """Whole buckets and exact edges that together cover [start, end) exactly once."""
    if start >= end:
        return Cut((), ())
    first = day_of(start) if midnight(day_of(start)) == start else day_of(start) + timedelta(days=1)
    last = day_of(end)  # the day `end` falls in: [midnight(last), end) is partial
    if first >= last:
        return Cut((), ((start, end),))
    exact = []
    if midnight(first) > start:
        exact.append((start, midnight(first)))
    if end > midnight(last):
        exact.append((midnight(last), end))
    return Cut(tuple(_whole(first, last)), tuple(exact))
