"""Pure arithmetic of the figures: statuses, rates, and the tallies built from grouped counts.

SQL (queries.py) groups issues by (category, status as of, ever unroutable); everything
from there to the numbers a caller sees happens here, so it is testable without a database.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from redgrid_shared.catalog import CATEGORIES

# PRODUCT.md's statuses in lifecycle order; the value ranks same-instant changes.
STATUS_RANK: dict[str, int] = {
    "reported": 0, "unroutable": 1, "assigned": 1, "accepted": 2, "in_progress": 3,
    "returned": 4, "escalated": 4, "referred": 4, "resolved": 5, "closed": 6, "cancelled": 6,
}
STATUSES: tuple[str, ...] = tuple(STATUS_RANK)
HANDLED: frozenset[str] = frozenset({"resolved", "closed"})


@dataclass(frozen=True)
class Count:
    """How many issues of one category sit in one status as of the moment asked."""

    category: str
    status: str
    n: int
    was_unroutable: bool = False


@dataclass(frozen=True)
class Tally:
    """The headline figures of a set of issues."""

    collected: int
    handled: int
    handling_rate: float | None
    by_category: dict[str, int]
    by_status: dict[str, int]
    unroutable: int


@dataclass(frozen=True)
class CategoryRow:
    """One line of the per-category export."""

    category: str
    label_zh: str
    label_en: str
    collected: int
    handled: int
    handling_rate: float | None


def rate(part: int, whole: int) -> float | None:
    """part/whole rounded to 3 places; None when there is nothing to divide by.

    None rather than 0: "no issues" is not "none of them handled".
    """
    return None if whole == 0 else round(part / whole, 3)


def tally(counts: Iterable[Count]) -> Tally:
    """Collected, handled, rate and breakdowns; every catalogue category and status appears."""
    by_category = dict.fromkeys(CATEGORIES, 0)
    by_status = dict.fromkeys(STATUSES, 0)
    collected = handled = unroutable = 0
    for c in counts:
        collected += c.n
        handled += c.n if c.status in HANDLED else 0
        unroutable += c.n if c.was_unroutable else 0
        by_category[c.category] = by_category.get(c.category, 0) + c.n
        by_status[c.status] = by_status.get(c.status, 0) + c.n
    return Tally(collected, handled, rate(handled, collected), by_category, by_status, unroutable)


def category_rows(counts: Iterable[Count]) -> list[CategoryRow]:
    """Collected and handled per category, catalogue order first, unknown codes after."""
    collected: dict[str, int] = dict.fromkeys(CATEGORIES, 0)
    handled: dict[str, int] = dict.fromkeys(CATEGORIES, 0)
    for c in counts:
        collected[c.category] = collected.get(c.category, 0) + c.n
        handled[c.category] = handled.get(c.category, 0) + (c.n if c.status in HANDLED else 0)
    rows = []
    for code, n in collected.items():
        cat = CATEGORIES.get(code)
        rows.append(CategoryRow(code, cat.label_zh if cat else code, cat.label_en if cat else code,
                                n, handled[code], rate(handled[code], n)))
    return rows
