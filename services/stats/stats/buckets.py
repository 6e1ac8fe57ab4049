"""Pure: cut a time window into whole counter buckets (years, months, days) and exact edges.

Counters are kept per Asia/Shanghai day, month and year. A window [start, end) is answered
from few whole buckets, added or subtracted (the days up to the 29th of a month are that
month minus its last days), plus the exact event rows of the partial days at either edge
(e.g. the day `as_of` falls in). A year of history reads one year row per group instead of
365 day rows; an `as_of` inside a day stays exact.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
DAY, MONTH, YEAR = "d", "m", "y"
EPOCH_YEAR = 1970  # no bucket is older (scope.EARLIEST)


@dataclass(frozen=True)
class Cut:
    """Signed whole buckets (period, first bucket, end bucket exclusive, +1|-1) that add up
    to the whole days `days` = [first, end), and the exact ranges of the partial days."""

    buckets: tuple[tuple[str, date, date, int], ...]
    exact: tuple[tuple[datetime, datetime], ...]
    days: tuple[date, date] | None = None


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


def _prefix(d: date, out: dict) -> None:
    """Add +1 for every bucket of the days before `d`, choosing per level the cheaper of
    "the buckets before" and "the enclosing bucket minus the ones from here on"."""
    for y in range(EPOCH_YEAR, d.year):
        out[(YEAR, date(y, 1, 1))] = out.get((YEAR, date(y, 1, 1)), 0) + 1
    month = d.replace(day=1)
    months_before = d.month - 1
    if months_before <= 1 + (12 - months_before):
        for m in range(1, d.month):
            key = (MONTH, date(d.year, m, 1))
            out[key] = out.get(key, 0) + 1
    else:
        key = (YEAR, date(d.year, 1, 1))
        out[key] = out.get(key, 0) + 1
        for m in range(d.month, 13):
            key = (MONTH, date(d.year, m, 1))
            out[key] = out.get(key, 0) - 1
    days_before = d.day - 1
    days_after = (_next_month(d) - d).days
    if days_before <= 1 + days_after:
        for n in range(days_before):
            key = (DAY, month + timedelta(days=n))
            out[key] = out.get(key, 0) + 1
    else:
        out[(MONTH, month)] = out.get((MONTH, month), 0) + 1
        for n in range(days_after):
            key = (DAY, d + timedelta(days=n))
            out[key] = out.get(key, 0) - 1


def _step(period: str, d: date) -> date:
    if period == DAY:
        return d + timedelta(days=1)
    if period == MONTH:
        return _next_month(d)
    return date(d.year + 1, 1, 1)


def _whole(first: date, end: date) -> tuple[tuple[str, date, date, int], ...]:
    """The days [first, end) as prefix(end) - prefix(first), merged into ranges."""
    signed: dict = {}
    _prefix(end, signed)
    minus: dict = {}
    _prefix(first, minus)
    for key, n in minus.items():
        signed[key] = signed.get(key, 0) - n
    out: list[list] = []
    for (period, bucket), sign in sorted((k, v) for k, v in signed.items() if v):
        if out and out[-1][0] == period and out[-1][2] == bucket and out[-1][3] == sign:
            out[-1][2] = _step(period, bucket)
        else:
            out.append([period, bucket, _step(period, bucket), sign])
    return tuple(tuple(r) for r in out)


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
    return Cut(_whole(first, last), tuple(exact), (first, last))
