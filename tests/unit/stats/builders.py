"""Plain builders of stored issue events for the pure timeline (no broker, no database)."""

import uuid
from datetime import datetime, timedelta, timezone

from stats.timeline import Event

T0 = datetime(2026, 11, 4, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai


def ev(type_: str, minutes: float, **data) -> Event:
    """An event `minutes` after T0 with the fields a producer would send."""
    return Event.of(at=T0 + timedelta(minutes=minutes), type=type_,
                    event_id=str(uuid.uuid4()), data={"issue_id": "i-1", "community": "c", **data})


def reported(minutes: float = 0, **data) -> Event:
    return ev("issue.reported", minutes, category="repair.pipe", source="app", **data)


def assigned(minutes: float = 1, *, grid: str = "g-1", steward: str = "s-1",
             repairer: str | None = "r-1", **data) -> Event:
    return ev("issue.assigned", minutes, grid_id=grid, steward_id=steward, repairer_id=repairer,
              category="repair.pipe", status="assigned", **data)


def step(type_: str, minutes: float, status: str, *, by: str = "s-1", grid: str = "g-1",
         **data) -> Event:
    return ev(type_, minutes, status=status, by=by, grid_id=grid, **data)
