"""What a stats request covers: who may ask, for which community, over which moments.

Dates are Asia/Shanghai days: `2024-03-01` means that day's midnight in Shanghai, and a
date-time without an offset is Shanghai time too. `from` is inclusive, `to` exclusive;
`as_of` (default: now) hides every event later than it, so a past moment reads as it was.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import get_args
from zoneinfo import ZoneInfo

from redgrid_shared.auth import Principal, require_role
from redgrid_shared.catalog import CATEGORIES
from redgrid_shared.errors import ApiError
from redgrid_shared.events import Source

TZ = ZoneInfo("Asia/Shanghai")
DESK_ROLES = ("operator", "admin")
MAX_SERIES_DAYS = 366
# Far wider than any real event, and far enough inside datetime's and PostgreSQL's limits
# that day arithmetic and time-zone shifts on a bound cannot overflow.
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(3000, 1, 1, tzinfo=timezone.utc)  # exclusive
# The same shape dispatch accepts for grid ids; anything else (a NUL, say) matches no grid.
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
SOURCES: tuple[str, ...] = get_args(Source)
# An unescaped "+" in a query string arrives as a space: "...T08:00:00 08:00".
_PLUS_AS_SPACE = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


@dataclass(frozen=True)
class Scope:
    """Filters of one request; an empty tuple means "any".

    `grid` values are grid ids within `community`: grid ids repeat across communities.
    """

    community: str
    as_of: datetime
    start: datetime | None = None
    end: datetime | None = None
    grid: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    source: tuple[str, ...] = ()

    def filters(self) -> dict[str, list[str]]:
        """The dimension filters as JSON."""
        return {"grid": list(self.grid), "staff": list(self.staff),
                "category": list(self.category), "source": list(self.source)}


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "invalid_request", f"invalid fields: query.{field}",
                    {f"query.{field}": message})


def parse_moment(value: str | None, field: str) -> datetime | None:
    """An ISO 8601 date or date-time as an aware datetime, or 422 naming `query.<field>`."""
    if value is None or not value.strip():
        return None
    text = _PLUS_AS_SPACE.sub(r"\1+\2", value.strip())
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time(), TZ)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise _invalid(field, "expected an ISO 8601 date (2024-03-01) or date-time "
                              "(2024-03-01T08:00:00+08:00)") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=TZ)
    if not EARLIEST <= moment < LATEST:
        raise _invalid(field, "must lie between 1970-01-01 and 2999-12-31 (UTC)")
    return moment


def _values(raw: list[str] | str | None) -> list[str]:
    """Repeated and comma-separated values, in order, without blanks or repeats."""
    items = [raw] if isinstance(raw, str) else (raw or [])
    out: list[str] = []
    for item in items:
        for value in item.split(","):
            value = value.strip()
            if value and value not in out:
                out.append(value)
    return out


def _checked(raw: list[str] | str | None, field: str, *, pattern: re.Pattern | None = None,
             known: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """Filter values; 422 naming `query.<field>` when one is malformed or unknown."""
    values = _values(raw)
    for value in values:
        if known is not None and value not in known:
            listed = ", ".join(known) if len(known) <= 8 else "a category code (intake serves them at GET /v1/categories)"
            raise _invalid(field, f"{value!r} is not known; expected one of: {listed}")
        if pattern is not None and not pattern.fullmatch(value):
            raise _invalid(field, "expected ids of letters, digits and . _ : - (at most 64 each)")
    if len(values) > 100:
        raise _invalid(field, "at most 100 values")
    return tuple(values)


def authorize(caller: Principal, community: str | None) -> str:
    """The community the caller may read: their own, by default; another one is 403."""
    require_role(caller, *DESK_ROLES)
    if community and community != caller.community:
        raise ApiError(403, "forbidden", "stats of another community are not yours to read")
    return caller.community


def build(caller: Principal, *, now: datetime, community: str | None = None,
          grid: list[str] | str | None = None, staff: list[str] | str | None = None,
          category: list[str] | str | None = None, source: list[str] | str | None = None,
          start: str | None = None, end: str | None = None, as_of: str | None = None) -> Scope:
    """Check the caller, then parse and check the moments; 403 comes before 422."""
    allowed = authorize(caller, community)
    begin, finish = parse_moment(start, "from"), parse_moment(end, "to")
    moment = parse_moment(as_of, "as_of") or now
    if begin and finish and begin > finish:
        raise _invalid("from", "must not be after `to`")
    return Scope(community=allowed, as_of=moment, start=begin, end=finish,
                 grid=_checked(grid, "grid", pattern=ID_PATTERN),
                 staff=_checked(staff, "staff", pattern=ID_PATTERN),
                 category=_checked(category, "category", known=tuple(CATEGORIES)),
                 source=_checked(source, "source", known=SOURCES))


def series_days(scope: Scope) -> list[date]:
    """The Shanghai days a time series covers: [from, to), default the 30 days up to as_of."""
    end = scope.end or datetime.combine(scope.as_of.astimezone(TZ).date() + timedelta(days=1),
                                        time(), TZ)
    start = scope.start or end - timedelta(days=30)
    first = start.astimezone(TZ).date()
    last = (end - timedelta(microseconds=1)).astimezone(TZ).date()
    if (last - first).days + 1 > MAX_SERIES_DAYS:
        raise _invalid("from", f"a series covers at most {MAX_SERIES_DAYS} days")
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
