"""What the chaos run must end with, issue by issue: how many of each dispatch event and the
final status, from what was done to it (its cohort, `chaos_work`), the meeting's decisions
(`chaos_meeting`) and, for a resident's confirm or reopen racing the 7-day close, the one
settlement dispatch recorded (applied: the action won; refused: the close did).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from redgrid_dev.chaos_work import CATEGORY, SHORT_SIGNOFF

# The dispatch event types counted per issue (short names).
TYPES = ("assigned", "accepted", "overdue", "escalated", "resolved", "closed", "referred",
         "resident-action-settled")
BASE = {"plain": ({"assigned": 1}, "assigned"),
        "signed": ({"assigned": 1, "accepted": 1}, "accepted"),
        "unsigned": ({"assigned": 1, "overdue": 1, "escalated": 1}, "escalated"),
        "completion": ({"assigned": 1, "accepted": 1, "overdue": 1, "escalated": 1},
                       "escalated"),
        "closing": ({"assigned": 1, "accepted": 1, "resolved": 1, "closed": 1}, "closed"),
        "racing": ({"assigned": 1, "accepted": 1, "resolved": 1}, "closed")}


@dataclass
class Plan:
    """What was done: issue -> cohort; racing issue -> (action, intake's answer); the meeting."""

    cohorts: dict[str, str] = field(default_factory=dict)
    actions: dict[str, tuple[str, str]] = field(default_factory=dict)
    decisions: dict[str, str] = field(default_factory=dict)


def expected(plan: Plan, settlements: dict[str, str]) -> tuple[dict[str, Counter], dict[str, str]]:
    """(issue -> wanted event counts, issue -> final status); `settlements` maps an issue to
    the outcome of the resident's action as stored (applied | refused)."""
    counts, final = {}, {}
    for issue, kind in plan.cohorts.items():
        base, status = BASE[kind]
        want = Counter(base)
        if kind == "racing":
            status = _race(want, plan.actions.get(issue), settlements.get(issue))
        status = _decided(want, plan.decisions.get(issue), CATEGORY[kind], status)
        counts[issue], final[issue] = want, status
    return counts, final


def _race(want: Counter, action: tuple[str, str] | None, outcome: str | None) -> str:
    if action is None or action[1] == "refused":  # intake refused it: the close alone
        want["closed"] += 1
        return "closed"
    want["resident-action-settled"] += 1
    if action[0] == "reopen" and outcome == "applied":  # the issue goes back to its grid
        want["assigned"] += 1
        return "assigned"
    want["closed"] += 1  # confirmed, or closed by the clock first
    return "closed"


def _decided(want: Counter, decision: str | None, category: str, status: str) -> str:
    match decision:
        case None:
            return status
        case "resolved":
            want["resolved"] += 1
            return "resolved"
        case "referred":
            want["referred"] += 1
            return "referred"
        case "carried":
            want["escalated"] += 1
            return "escalated"
        case "assigned" if category in SHORT_SIGNOFF:  # its new sign-off passes again
            want.update(assigned=1, overdue=1, escalated=1)
            return "escalated"
        case "assigned":
            want["assigned"] += 1
            return "assigned"
    raise ValueError(f"unknown decision {decision}")


def totals(counts: dict[str, Counter]) -> Counter:
    total = Counter()
    for c in counts.values():
        total.update(c)
    return total
