"""A paper ledger (台账) as rows: one past issue per row, read from CSV or JSON Lines.

Pure: text in, checked rows out, or every problem with its line number. Nothing here knows
about databases or HTTP; each service turns the rows into its own events (see `plan`).

Times are ISO 8601. A time without an offset, or a bare date, is Asia/Shanghai time, as
paper ledgers are written.
"""

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, ValidationError,
                      model_validator)

from redgrid_shared.catalog import CATEGORIES
from redgrid_shared.events import Department, Source, Vulnerable

TZ = ZoneInfo("Asia/Shanghai")
MAX_ROWS = 20_000
# Minutes of a 逢四说事 meeting are dated at this Shanghai time of the meeting day.
MEETING_TIME = time(9, 30)
ID = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}"
Format = Literal["csv", "jsonl"]


def _moment(value):
    """Naive date-times and bare dates are Shanghai time."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return datetime.combine(date.fromisoformat(value.strip()), time(), TZ)
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip())
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=TZ)
    return value


def _listed(value):
    """A CSV cell "police;housing" or a JSON list."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return value


Moment = Annotated[datetime, BeforeValidator(_moment)]
Id = Annotated[str, Field(pattern=f"^{ID}$")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]


class LedgerRow(BaseModel):
    """One past issue as the ledger recorded it; see docs/operations.md for every column."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    ledger_id: Id
    community: Id | None = None
    category: str
    description: Text
    building: Id
    unit: Annotated[str, Field(max_length=32)] | None = None
    source: Source = "app"
    vulnerable: Vulnerable | None = None
    reporter: Id = "ledger"
    reported_at: Moment
    grid: Id | None = None
    steward: Id | None = None
    repairer: Id | None = None
    assigned_at: Moment | None = None
    signed_off_at: Moment | None = None
    raised_at_meeting: date | None = None  # the meeting where it was reported (source meeting)
    escalated_at: Moment | None = None
    meeting_date: date | None = None
    meeting_decision: Literal["resolved", "assigned", "referred"] | None = None
    meeting_unit: Annotated[str, Field(max_length=200)] | None = None
    department: Department | None = None
    resolved_at: Moment | None = None
    resolution: Text | None = None
    amount: Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)] | None = None
    closed_at: Moment | None = None
    close_reason: Literal["confirmed", "no_response_7_days", "meeting"] | None = None
    rating: Annotated[int, Field(ge=1, le=5)] | None = None
    rated_at: Moment | None = None
    rating_comment: Text | None = None
    campaign: Id | None = None
    campaign_name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    campaign_departments: Annotated[list[Department], BeforeValidator(_listed)] = []

    @property
    def meeting_at(self) -> datetime | None:
        """When the deciding meeting's minutes are dated."""
        return (datetime.combine(self.meeting_date, MEETING_TIME, TZ)
                if self.meeting_date else None)

    @property
    def assigned(self) -> datetime | None:
        """Assignment time: as recorded, else the report time when a grid took it."""
        return self.assigned_at or (self.reported_at if self.grid else None)

    @property
    def escalated(self) -> datetime | None:
        """Escalation time: as recorded, else the last step before the meeting."""
        if not self.meeting_date:
            return None
        return self.escalated_at or max(t for t in (self.reported_at, self.assigned,
                                                    self.signed_off_at) if t)

    @property
    def resolved(self) -> datetime | None:
        """Resolution time; a meeting that resolved it dates it at the meeting by default."""
        if self.resolved_at or self.meeting_decision != "resolved":
            return self.resolved_at
        return self.meeting_at

    @property
    def rated(self) -> datetime | None:
        return self.rated_at or self.closed_at or self.resolved if self.rating else None

    @property
    def closing(self) -> str | None:
        return (self.close_reason or "confirmed") if self.closed_at else None

    @model_validator(mode="after")
    def _consistent(self) -> "LedgerRow":
        for problem in _row_problems(self):
            raise ValueError(problem)
        return self


def _row_problems(r: LedgerRow):
    """Yield the first inconsistency of a row, in a reader's words (field: message)."""
    if r.category not in CATEGORIES:
        yield "category: unknown category code (GET /v1/categories lists them)"
    if (r.steward or r.repairer or r.assigned_at) and not r.grid:
        yield "grid: required when steward, repairer or assigned_at is given"
    if r.grid and not r.steward:
        yield "steward: required when grid is given"
    if r.signed_off_at and not r.grid:
        yield "signed_off_at: a sign-off needs the grid and steward who signed"
    if r.raised_at_meeting and (r.source != "meeting"
                                or r.reported_at.astimezone(TZ).date() != r.raised_at_meeting):
        yield "raised_at_meeting: needs source meeting and reported_at on that day"
    if bool(r.meeting_date) != bool(r.meeting_decision):
        yield "meeting_decision: meeting_date and meeting_decision go together"
    if (r.meeting_decision == "referred") != bool(r.department):
        yield "department: required with meeting_decision referred, and only then"
    if r.meeting_decision == "assigned" and not r.grid:
        yield "grid: meeting_decision assigned needs the grid and steward it went to"
    if r.resolved_at and not r.grid and not r.meeting_decision:
        yield "resolved_at: a resolution needs a grid or a meeting decision"
    if r.amount is not None and (r.category != "repair.paid" or not r.resolved):
        yield "amount: only for a resolved repair.paid issue"
    if r.closed_at and not r.resolved:
        yield "closed_at: only a resolved issue can be closed"
    if r.close_reason and not r.closed_at:
        yield "close_reason: needs closed_at"
    if r.rating is None and (r.rated_at or r.rating_comment):
        yield "rating: rated_at and rating_comment need a rating"
    if r.rating and not r.resolved:
        yield "rating: only a resolved issue can be rated"
    if r.campaign_name or r.campaign_departments:
        if not r.campaign:
            yield "campaign: campaign_name and campaign_departments need a campaign id"
    yield from _order_problems(r)


def _order_problems(r: LedgerRow):
    steps = [("reported_at", r.reported_at), ("assigned_at", r.assigned),
             ("signed_off_at", r.signed_off_at), ("escalated_at", r.escalated)]
    if r.meeting_date:
        start = datetime.combine(r.meeting_date, time(), TZ)
        if r.escalated >= start:
            yield (f"escalated_at: must be before the meeting day {r.meeting_date} "
                   "(an escalation on a meeting day waits for the next meeting)")
        steps.append(("meeting_date", r.meeting_at))
    steps += [("resolved_at", r.resolved), ("closed_at", r.closed_at)]
    present = [(name, t) for name, t in steps if t is not None]
    for (before, a), (after, b) in zip(present, present[1:]):
        if b < a:
            yield f"{after}: must not be before {before} ({a.isoformat()})"
    if r.rated and r.rated < r.resolved:
        yield "rated_at: must not be before resolved_at"


@dataclass(frozen=True)
class Line:
    """A checked row and the line of the file it starts on (1-based)."""

    line: int
    row: LedgerRow


class LedgerInvalid(Exception):
    """Every problem of a file, as {"line 12: reported_at": message}; nothing was imported."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(f"{len(problems)} problem(s) in the ledger")
        self.problems = problems


def parse(content: str, fmt: Format, *, community: str, now: datetime) -> list[Line]:
    """All rows of a file, checked together; LedgerInvalid lists every problem by line."""
    problems: dict[str, str] = {}
    lines: list[Line] = []
    seen: dict[str, int] = {}
    raw = list(_records(content, fmt, problems))
    if len(raw) > MAX_ROWS:
        raise LedgerInvalid({"content": f"at most {MAX_ROWS} rows per file"})
    for number, record in raw:
        try:
            row = LedgerRow.model_validate(record)
        except ValidationError as err:
            for e in err.errors():
                field = ".".join(str(p) for p in e["loc"])
                message = e.get("msg", "").removeprefix("Value error, ")
                if not field and ": " in message:
                    field, message = message.split(": ", 1)
                problems.setdefault(f"line {number}: {field or 'row'}",
                                    "unknown column" if e["type"] == "extra_forbidden" else message)
            continue
        lines.append(Line(number, row))
    for line in lines:
        _check_in_file(line, community=community, now=now, seen=seen, problems=problems)
    _check_campaigns(lines, problems)
    if not raw and not problems:
        problems["content"] = "the ledger has no rows"
    if problems:
        raise LedgerInvalid(problems)
    return lines


def _check_in_file(line: Line, *, community: str, now: datetime, seen: dict[str, int],
                   problems: dict[str, str]) -> None:
    r, where = line.row, f"line {line.line}"
    if r.ledger_id in seen:
        problems[f"{where}: ledger_id"] = f"{r.ledger_id} already on line {seen[r.ledger_id]}"
    seen.setdefault(r.ledger_id, line.line)
    if r.community and r.community != community:
        problems[f"{where}: community"] = f"this import is for community {community}"
    latest = max(t for t in (r.reported_at, r.assigned, r.signed_off_at, r.escalated,
                             r.meeting_at, r.resolved, r.closed_at, r.rated) if t)
    if latest > now:
        problems[f"{where}: {'meeting_date' if latest == r.meeting_at else 'row'}"] = \
            f"{latest.isoformat()} is in the future: a ledger records the past"
    if r.reported_at < now - timedelta(days=366 * 30):
        problems[f"{where}: reported_at"] = "more than 30 years ago"


def _check_campaigns(lines: list[Line], problems: dict[str, str]) -> None:
    first: dict[str, LedgerRow] = {}
    for line in lines:
        r = line.row
        if not r.campaign:
            continue
        known = first.setdefault(r.campaign, r)
        if r.campaign_name and known.campaign_name and r.campaign_name != known.campaign_name:
            problems[f"line {line.line}: campaign_name"] = \
                f"campaign {r.campaign} is named {known.campaign_name!r} on an earlier line"
        if not known.campaign_name and r.campaign_name:
            first[r.campaign] = r


def _records(content: str, fmt: Format, problems: dict[str, str]):
    """(line number, dict) per record; unreadable lines go to `problems`."""
    if fmt == "jsonl":
        for number, text in enumerate(content.splitlines(), start=1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except ValueError as err:
                problems[f"line {number}: row"] = f"not a JSON object: {err}"
                continue
            if not isinstance(record, dict):
                problems[f"line {number}: row"] = "not a JSON object"
                continue
            yield number, record
        return
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff"), newline=""))
    start = 2
    for record in reader:
        if None in record:
            problems[f"line {start}: row"] = "more cells than the header has columns"
        else:
            cleaned = {k.strip(): v for k, v in record.items() if k and v not in (None, "")}
            if cleaned:
                yield start, cleaned
        start = reader.line_num + 1
