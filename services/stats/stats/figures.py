"""Pure arithmetic of the figures: summed rows (queries.Row) -> the numbers a caller sees.

SQL sums counters and exact rows per metric; everything from there (rates, averages,
breakdowns with every catalogue code and status present) happens here, testable without a
database.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

from typing import get_args

from redgrid_shared.catalog import CATEGORIES
from redgrid_shared.events import Source

from stats.timeline import HANDLED, OPEN_STATUSES

# PRODUCT.md's statuses in lifecycle order.
STATUSES: tuple[str, ...] = ("reported", "unroutable", "assigned", "accepted", "in_progress",
                             "returned", "escalated", "referred", "resolved", "closed",
                             "cancelled")
SOURCES: tuple[str, ...] = get_args(Source)
DECISIONS: tuple[str, ...] = ("resolved", "assigned", "referred", "carried")
EVENT_COUNTS: tuple[str, ...] = (
    "assignments", "signoffs", "on_time_signoffs", "completions", "on_time_completions",
    "resolutions", "returns", "reopens", "ratings", "escalations", "overdue_events",
    "unroutable", "cancelled", "issues_decided", "paid_repairs")


def rate(part: int, whole: int) -> float | None:
    """part/whole rounded to 3 places; None when there is nothing to divide by.

    None rather than 0: "no sign-offs" is not "none of them on time".
    """
    return None if whole == 0 else round(part / whole, 3)


def _sums(rows: Iterable, key: Callable = lambda r: r.metric) -> tuple[dict, dict]:
    n: dict = defaultdict(int)
    amount: dict = defaultdict(float)
    for r in rows:
        n[key(r)] += r.n
        amount[key(r)] += r.amount
    return n, amount


def event_figures(rows: Iterable) -> dict:
    """Counts, rates, satisfaction, decisions and income of the events in a selection."""
    n, amount = _sums(rows)
    out: dict = {k: n[k] for k in EVENT_COUNTS}
    out.update(
        on_time_signoff_rate=rate(n["on_time_signoffs"], n["signoffs"]),
        on_time_completion_rate=rate(n["on_time_completions"], n["completions"]),
        return_rate=rate(n["returns"], n["assignments"]),
        reopen_rate=rate(n["reopens"], n["resolutions"]),
        satisfaction=round(amount["ratings"] / n["ratings"], 2) if n["ratings"] else None,
        decisions={d: n[f"decision.{d}"] for d in DECISIONS},
        income=round(amount["paid_repairs"], 2),
    )
    return out


def issue_figures(rows: Iterable) -> dict:
    """Collected, handled, rate and breakdowns of the issues in a selection (status as of)."""
    by_category = dict.fromkeys(CATEGORIES, 0)
    by_status = dict.fromkeys(STATUSES, 0)
    by_source = dict.fromkeys(SOURCES, 0)
    for r in rows:
        if not r.metric.startswith("status."):
            continue
        status = r.metric.removeprefix("status.")
        by_status[status] = by_status.get(status, 0) + r.n
        by_category[r.category] = by_category.get(r.category, 0) + r.n
        if r.source:
            by_source[r.source] = by_source.get(r.source, 0) + r.n
    collected = sum(by_status.values())
    handled = sum(by_status[s] for s in HANDLED)
    return {"collected": collected, "handled": handled, "handling_rate": rate(handled, collected),
            "by_category": by_category, "by_status": by_status, "by_source": by_source}


def now_figures(rows: Iterable) -> dict:
    """Open and overdue issues at as_of, whatever the window."""
    n, _ = _sums(rows)
    return {"open": sum(n[f"status.{s}"] for s in OPEN_STATUSES), "overdue_now": n["overdue"]}


def summary(states: Iterable, flows: Iterable, now: Iterable, *, meetings_held: int) -> dict:
    """Every figure of one selection."""
    out = issue_figures(states)
    out.update(event_figures(flows))
    out["overdue_now"] = now_figures(now)["overdue_now"]
    out["meetings_held"] = meetings_held
    return out


def person_figures(flows: Iterable, now: Iterable) -> dict:
    """One person's work: credited events and what is open on them at as_of."""
    e = event_figures(flows)
    return {**now_figures(now),
            "assignments": e["assignments"], "signoffs": e["signoffs"],
            "on_time_signoffs": e["on_time_signoffs"],
            "on_time_signoff_rate": e["on_time_signoff_rate"],
            "done": e["resolutions"], "done_on_time": e["on_time_completions"],
            "completions": e["completions"],
            "on_time_completion_rate": e["on_time_completion_rate"],
            "returns": e["returns"], "reopens": e["reopens"], "ratings": e["ratings"],
            "satisfaction": e["satisfaction"], "overdue_events": e["overdue_events"]}


def day_figures(flows: Iterable) -> dict:
    """One day of the series: collected and first handled that day, and its events."""
    rows = list(flows)
    n, _ = _sums(rows)
    return {"collected": n["collected"], "handled": n["handled"], **event_figures(rows)}


def group(rows: Iterable, attr: str) -> dict:
    """Rows split by one attribute (grid, person, day)."""
    out: dict = defaultdict(list)
    for r in rows:
        out[getattr(r, attr)].append(r)
    return out
