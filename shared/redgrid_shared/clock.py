"""The one source of time: every service takes a `Clock` and passes it to its use cases.

`create_app(clock=...)` in each service injects it; tests pass a `FixedClock` and move it
instead of sleeping. Nothing else in the code calls `datetime.now()` for domain time.
"""

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Wall-clock time, UTC."""
    return datetime.now(timezone.utc)


class FixedClock:
    """A clock that stands still until moved; for tests."""

    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> datetime:
        self.at += delta
        return self.at
