"""What a stats request covers: who may ask, for which community, over which moments.

Dates are Asia/Shanghai days: `2024-03-01` means that day's midnight in Shanghai, and a
date-time without an offset is Shanghai time too. `from` is inclusive, `to` exclusive;
`as_of` (default: now) hides every event later than it, so a past moment reads as it was.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from redgrid_shared.auth import Principal, require_role
from redgrid_shared.errors import ApiError

TZ = ZoneInfo("Asia/Shanghai")
DESK_ROLES = ("operator", "admin")
MAX_SERIES_DAYS = 366
# An unescaped "+" in a query string arrives as a space: "...T08:00:00 08:00".
_PLUS_AS_SPACE = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


@dataclass(frozen=True)
class Scope:
    """Filters of one request; None means "any" (community None only for internal use)."""

    community: str | None
    as_of: datetime
    start: datetime | None = None
    end: datetime | None = None
    grid: str | None = None
    category: str | None = None
    source: str | None = None


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
            return datetime.combine(date.fromisoformat(text), time(), TZ)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _invalid(field, "expected an ISO 8601 date (2024-03-01) or date-time "
                              "(2024-03-01T08:00:00+08:00)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=TZ)


def authorize(caller: Principal, community: str | None) -> str:
    """The community the caller may read: their own, by default; another one is 403."""
    require_role(caller, *DESK_ROLES)
    if community and community != caller.community:
        raise ApiError(403, "forbidden", "stats of another community are not yours to read")
    return caller.community


def build(caller: Principal, *, now: datetime, community: str | None = None,
          grid: str | None = None, category: str | None = None, source: str | None = None,
          start: str | None = None, end: str | None = None, as_of: str | None = None) -> Scope:
    """Check the caller, then parse and check the moments; 403 comes before 422."""
    allowed = authorize(caller, community)
    begin, finish = parse_moment(start, "from"), parse_moment(end, "to")
    moment = parse_moment(as_of, "as_of") or now
    if begin and finish and begin > finish:
        raise _invalid("from", "must not be after `to`")
    return Scope(community=allowed, as_of=moment, start=begin, end=finish, grid=grid or None,
                 category=category or None, source=source or None)


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
