"""SLA limits as dispatch's data: catalogue defaults, a community's overrides, the time scale.

Pure. PRODUCT.md: sign-off counts from assignment, completion from sign-off; urgent categories
30 min / 24 h, others 2 h / 72 h, disputes and suggestions 7 days; a report flagged 一老一小
gets the urgent limits (or its category's, if shorter). A resolved issue closes after 7 days
of silence. `SLA_TIME_SCALE` divides every one of these spans (60: a minute becomes a second).
"""

from dataclasses import dataclass
from datetime import timedelta

from redgrid_shared import catalog

AUTO_CLOSE = timedelta(days=7)


@dataclass(frozen=True)
class Limits:
    """The limits a new assignment gets, in minutes as configured (unscaled)."""

    signoff_minutes: int
    completion_minutes: int
    urgent: bool


@dataclass(frozen=True)
class CategoryLimits:
    """One category's configured limits in a community."""

    category: str
    priority: str
    signoff_minutes: int
    completion_minutes: int
    overridden: bool


@dataclass(frozen=True)
class Timing:
    """How configured spans become real ones: everything divided by `scale` (>= 1 speeds up)."""

    scale: float = 1.0

    def span(self, minutes: int | float) -> timedelta:
        return timedelta(minutes=minutes) / self.scale

    @property
    def auto_close(self) -> timedelta:
        return AUTO_CLOSE / self.scale


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


def category_limits(code: str, overrides: dict[str, tuple[int, int]]) -> CategoryLimits:
    """A category's limits: the admin's override if any, else the catalogue default (an
    unknown code, which only an unroutable report can carry, gets those of `other`)."""
    category = catalog.CATEGORIES.get(code) or catalog.CATEGORIES["other"]
    if code in overrides:
        signoff, completion = overrides[code]
        return CategoryLimits(code, category.priority, signoff, completion, True)
    return CategoryLimits(code, category.priority, _minutes(category.signoff),
                          _minutes(category.completion), False)


def limits_for(code: str, *, vulnerable: bool,
               overrides: dict[str, tuple[int, int]]) -> Limits:
    """The limits of a report of this category; 一老一小 shortens them to the urgent ones."""
    own = category_limits(code, overrides)
    urgent = own.priority == "urgent" or vulnerable
    if not vulnerable:
        return Limits(own.signoff_minutes, own.completion_minutes, urgent)
    return Limits(min(own.signoff_minutes, _minutes(catalog.URGENT_SIGNOFF)),
                  min(own.completion_minutes, _minutes(catalog.URGENT_COMPLETION)), urgent)
