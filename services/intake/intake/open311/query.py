"""The arguments of GeoReport v2 calls, read as the spec says (pure functions).

"Optional" arguments sent empty count as absent; lists are comma-delimited; dates are W3C
date-times that must carry an offset; a date range spans at most 90 days and defaults to
the most recent 90; a call returns at most 1,000 requests.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from intake.open311.errors import BadRequest
from redgrid_shared import catalog

MAX_REQUESTS = 1000
WINDOW = timedelta(days=90)
ISSUE_ID = re.compile(r"^iss-[0-9a-f]{16}$")
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


@dataclass(frozen=True)
class RequestFilter:
    ids: list[str] | None = None  # overrides every other filter
    codes: list[str] | None = None
    start: datetime | None = None
    end: datetime | None = None
    public_statuses: list[str] | None = None


def given(value: str | None) -> str | None:
    """An optional argument: empty is the same as absent."""
    return value if value not in (None, "") else None


def split(value: str | None) -> list[str] | None:
    if given(value) is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    return items or None


def parse_time(name: str, value: str | None) -> datetime | None:
    if given(value) is None:
        return None
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadRequest(f"{name} must be a W3C date-time such as 2026-11-01T00:00:00Z") from None
    if at.tzinfo is None:
        raise BadRequest(f"{name} must include a time zone (Z or +08:00)")
    if not 1970 <= at.year < 3000:
        raise BadRequest(f"{name} is out of range")
    return at


def request_filter(*, service_request_id: str | None, service_code: str | None,
                   start_date: str | None, end_date: str | None,
                   status: str | None) -> RequestFilter:
    """Check the arguments of GET requests."""
    ids = split(service_request_id)
    if ids is not None:
        if len(ids) > MAX_REQUESTS:
            raise BadRequest(f"service_request_id lists more than {MAX_REQUESTS} ids")
        bad = next((i for i in ids if not ISSUE_ID.match(i)), None)
        if bad is not None:
            raise BadRequest(f"service_request_id {bad[:64]} is not a request id of this server")
        return RequestFilter(ids=ids)
    codes = split(service_code)
    unknown = next((c for c in codes or () if c not in catalog.CATEGORIES), None)
    if unknown is not None:
        raise BadRequest(f"service_code {unknown[:64]} is not a service of this server")
    statuses = split(status)
    wrong = next((s for s in statuses or () if s not in ("open", "closed")), None)
    if wrong is not None:
        raise BadRequest("status must be open, closed or both (comma-delimited)")
    return RequestFilter(codes=codes, start=parse_time("start_date", start_date),
                         end=parse_time("end_date", end_date), public_statuses=statuses)


def window(start: datetime | None, end: datetime | None,
           now: datetime) -> tuple[datetime, datetime]:
    """The requested_datetime range to search: at most 90 days, the latest 90 by default."""
    if start is None and end is None:
        return now - WINDOW, now
    if start is None:
        return end - WINDOW, end
    if end is None:
        return start, start + WINDOW
    if end < start:
        raise BadRequest("end_date is before start_date")
    if end - start > WINDOW:
        raise BadRequest("start_date to end_date may not span more than 90 days")
    return start, end


def attribute_answers(form: list[tuple[str, str]]) -> dict[str, list[str]]:
    """`attribute[code]=v` and `attribute[code][]=v` pairs of a POST, by code."""
    answers: dict[str, list[str]] = {}
    for key, value in form:
        match = ATTRIBUTE.match(key)
        if match:
            answers.setdefault(match.group(1), []).append(value)
    return answers


def reporter_id(key_id: str, *, email: str | None, device_id: str | None,
                account_id: str | None) -> str:
    """A pseudonymous person id for a report posted through a key: the same email, device or
    account gives the same id, and the id reveals none of them."""
    kind, who = next(((k, v) for k, v in (("account", account_id), ("email", email),
                                           ("device", device_id)) if given(v)), (None, None))
    if who is None:
        return f"o311-{key_id}"
    digest = hashlib.sha256(f"{key_id}\n{kind}\n{who.strip().lower()}".encode()).hexdigest()[:16]
    return f"o311-{key_id}-{digest}"
