"""Pure: the events of one issue, in any arrival order -> what stats counts for it.

An issue yields two kinds of rows:

- `Flow`: something that happened at a moment (a sign-off, a rating...), credited to the grid
  the issue was in and the people its latest assignment named at that moment.
- `State`: an interval during which the issue had one status, grid, assignees and overdue
  flag; the status "as of" T is the interval containing T.

Events are ordered by event time, then by lifecycle rank for events of the same instant, so
the result never depends on which topic delivered first.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

OPEN_STATUSES = frozenset({"reported", "unroutable", "assigned", "accepted", "in_progress",
                           "returned", "escalated", "referred"})
HANDLED = frozenset({"resolved", "closed"})
NOT_PEOPLE = frozenset({"clock", "dispatch", "system", ""})
# Ties at one instant (dispatch appends several events with one time) follow the lifecycle.
RANK = {"issue.reported": 0, "issue.unroutable": 1, "issue.assigned": 2, "issue.accepted": 3,
        "issue.started": 4, "issue.overdue": 5, "issue.escalated": 6, "issue.referred": 6,
        "meeting.decision": 7, "issue.referral-outcome": 7, "issue.returned": 7,
        "issue.resolved": 8, "issue.reopened": 9, "issue.confirmed": 9, "issue.cancelled": 9,
        "issue.rated": 9, "issue.closed": 10, "issue.resident-action-settled": 11}
RESIDENT_ACTIONS = {"issue.cancelled": "cancel", "issue.confirmed": "confirm",
                    "issue.reopened": "reopen"}
# Read by stats: these events (and meeting decisions) are stored per issue.
ISSUE_TYPES = frozenset(RANK) - {"meeting.decision"}


@dataclass(frozen=True, order=True)
class Event:
    """One stored event of an issue: its time, type, id and data."""

    at: datetime
    rank: int
    event_id: str
    type: str = field(compare=False)
    data: dict = field(compare=False, hash=False)

    @classmethod
    def of(cls, *, at: datetime, type: str, event_id: str, data: dict) -> "Event":
        return cls(at, RANK.get(type, 5), event_id, type, data)


@dataclass(frozen=True, order=True)
class Flow:
    at: datetime
    metric: str
    grid: str
    person: str
    n: int = 1
    amount: Decimal = Decimal(0)


@dataclass(frozen=True, order=True)
class State:
    from_at: datetime
    to_at: datetime | None
    status: str
    grid: str
    overdue: bool
    steward: str
    repairer: str
    meeting_date: str | None


@dataclass(frozen=True)
class Derived:
    """Everything stats counts for one issue."""

    category: str
    source: str
    reported_at: datetime | None
    flows: tuple[Flow, ...]
    states: tuple[State, ...]

    @property
    def current(self) -> State | None:
        return self.states[-1] if self.states else None


@dataclass
class _Now:
    status: str | None = None
    grid: str = ""
    steward: str = ""
    repairer: str = ""
    overdue: bool = False
    meeting_date: str | None = None
    handled_once: bool = False

    def snapshot(self) -> tuple:
        return (self.status, self.grid, self.overdue, self.steward, self.repairer,
                self.meeting_date if self.status == "escalated" else None)


def _credited(now: _Now, by: str | None) -> list[str]:
    """A step an assignee took himself is his; anything else is both assignees'."""
    named = [p for p in (now.steward, now.repairer) if p]
    if by and by not in NOT_PEOPLE and by in named:
        return [by]
    return named


def derive(events: list[Event]) -> Derived:
    """The flows and state intervals of one issue from its events (any order, duplicates ok)."""
    ordered = sorted({e.event_id: e for e in events}.values())
    settled = {e.data.get("action_event_id"): e for e in ordered
               if e.type == "issue.resident-action-settled"}
    report = next((e for e in ordered if e.type == "issue.reported"), None)
    first_assigned = next((e for e in ordered if e.type == "issue.assigned"), None)
    category = ((report or first_assigned).data.get("category") if (report or first_assigned)
                else None) or "other"
    source = report.data.get("source", "app") if report else ""
    now, flows, marks = _Now(), [], []

    def flow(e: Event, metric: str, *, people: list[str] = (), n: int = 1,
             amount: Decimal = Decimal(0)) -> None:
        flows.append(Flow(e.at, metric, now.grid, "", n, amount))
        for person in people:
            flows.append(Flow(e.at, metric, now.grid, person, n, amount))

    def set_status(e: Event, status: str | None) -> None:
        if status:
            now.status = status
        if now.status in HANDLED and not now.handled_once:
            now.handled_once = True
            flow(e, "handled")

    for e in ordered:
        d, by = e.data, e.data.get("by")
        match e.type:
            case "issue.reported":
                now.status = now.status or "reported"
                grid = first_assigned.data.get("grid_id", "") if first_assigned else ""
                flows.append(Flow(e.at, "collected", grid, ""))
            case "issue.unroutable":
                set_status(e, d.get("status", "unroutable"))
                flow(e, "unroutable")
            case "issue.assigned":
                now.grid = d.get("grid_id") or ""
                now.steward, now.repairer = d.get("steward_id") or "", d.get("repairer_id") or ""
                now.overdue = False
                set_status(e, d.get("status", "assigned"))
                flow(e, "assignments", people=_credited(now, None))
            case "issue.accepted":
                now.overdue = False
                set_status(e, d.get("status"))
                people = _credited(now, by)
                flow(e, "signoffs", people=people)
                if d.get("on_time"):
                    flow(e, "on_time_signoffs", people=people)
            case "issue.overdue":
                now.overdue = True
                set_status(e, d.get("status"))
                flow(e, "overdue_events", people=_credited(now, None))
            case "issue.escalated":
                now.meeting_date = d.get("meeting_date")
                set_status(e, d.get("status"))
                flow(e, "escalations", people=_credited(now, None))
            case "issue.returned":
                set_status(e, d.get("status"))
                flow(e, "returns", people=_credited(now, by))
            case "issue.resolved":
                now.overdue = False
                people = _credited(now, by)
                flow(e, "resolutions", people=people)
                if d.get("on_time") is not None:
                    flow(e, "completions", people=people)
                    if d["on_time"]:
                        flow(e, "on_time_completions", people=people)
                if d.get("amount_charged") is not None:
                    flow(e, "paid_repairs", people=people, amount=Decimal(str(d["amount_charged"])))
                set_status(e, d.get("status"))
            case "issue.closed":
                now.overdue = False
                set_status(e, d.get("status", "closed"))
            case "issue.resident-action-settled":
                if d.get("outcome") == "applied":
                    _applied(e, d.get("action"), flow, now)
                set_status(e, d.get("status"))
            case "issue.cancelled" | "issue.confirmed" | "issue.reopened":
                if e.event_id not in settled:  # provisional until dispatch answers
                    _applied(e, RESIDENT_ACTIONS[e.type], flow, now)
                    set_status(e, {"cancel": "cancelled", "confirm": "closed"}.get(
                        RESIDENT_ACTIONS[e.type]))
            case "issue.rated":
                flow(e, "ratings", people=_credited(now, None),
                     amount=Decimal(int(d.get("score", 0))))
            case "meeting.decision":
                flow(e, "issues_decided")
                flow(e, f"decision.{d.get('decision')}")
            case _:
                set_status(e, d.get("status"))
        if now.status in ("resolved", "closed", "cancelled"):
            now.overdue = False
        marks.append((e.at, now.snapshot()))
    reported_at = report.at if report else None
    return Derived(category, source, reported_at, tuple(flows), _intervals(marks, reported_at))


def _applied(e: Event, action: str | None, flow, now: _Now) -> None:
    if action == "reopen":
        flow(e, "reopens", people=_credited(now, None))
    elif action == "cancel":
        flow(e, "cancelled")


def _intervals(marks: list[tuple], reported_at: datetime | None) -> tuple[State, ...]:
    """Consecutive distinct snapshots as intervals, from the report on; none before it."""
    if reported_at is None:
        return ()
    spans: list[list] = []
    for at, snap in marks:
        if snap[0] is None:
            continue
        at = max(at, reported_at)
        if spans and spans[-1][1] == snap:
            continue
        if spans and spans[-1][0] == at:
            spans[-1][1] = snap  # two changes at one instant: only the last one is a state
            continue
        spans.append([at, snap])
    merged: list[list] = []
    for span in spans:
        if merged and merged[-1][1] == span[1]:
            continue
        merged.append(span)
    return tuple(
        State(at, merged[i + 1][0] if i + 1 < len(merged) else None, s[0], s[1], s[2], s[3],
              s[4], s[5])
        for i, (at, s) in enumerate(merged))
