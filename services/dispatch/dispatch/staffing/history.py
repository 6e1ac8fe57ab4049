"""Who held a grid when: periods folded from grid.configured and staff availability changes.

Pure: takes the events in time order and returns the periods in which the people actually
holding the steward and repairer roles (regular or covering backup) stayed the same.
"""

from dataclasses import dataclass
from datetime import datetime

from redgrid_shared.events import GridConfigured, StaffAvailabilityChanged

from dispatch.staffing.cover import holder


@dataclass
class Period:
    """From `start` until `end` (None: still so), these people held the grid."""

    start: datetime
    end: datetime | None
    steward: str | None
    repairer: str | None
    absent: list[str]  # regular holders away in this period (their backups cover if able)
    configured: GridConfigured
    version: int
    cause: dict  # the change that began the period


Change = tuple[datetime, int, GridConfigured | StaffAvailabilityChanged]


def periods(changes: list[Change]) -> list[Period]:
    """Fold (time, grid version, event) in time order into holding periods.

    Availability changes before the grid's first configuration set who starts away; a change
    of someone the grid does not name changes nothing.
    """
    away: set[str] = set()
    current: GridConfigured | None = None
    version = 0
    result: list[Period] = []
    for at, ver, event in sorted(changes, key=lambda c: (c[0], c[1])):
        if isinstance(event, StaffAvailabilityChanged):
            (away.discard if event.available else away.add)(event.staff_id)
        else:
            current, version = event, ver
        if current is None:
            continue
        steward, repairer = holder(current, "steward", away), holder(current, "repairer", away)
        absent = sorted(p for p in (current.steward, current.repairer) if p in away)
        last = result[-1] if result else None
        if last and (last.steward, last.repairer, last.absent, last.version) == (
                steward, repairer, absent, version):
            continue
        if last:
            last.end = at
        result.append(Period(at, None, steward, repairer, absent, current, version,
                             _describe(at, event)))
    return result


def _describe(at: datetime, event: GridConfigured | StaffAvailabilityChanged) -> dict:
    if isinstance(event, GridConfigured):
        return {"at": at, "type": event.TYPE, "by": event.configured_by}
    return {"at": at, "type": event.TYPE, "staff_id": event.staff_id,
            "available": event.available, "by": event.changed_by}
