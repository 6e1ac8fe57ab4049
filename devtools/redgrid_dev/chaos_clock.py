"""The chaos run's shifted clock: one offset file every service reads (REDGRID_CLOCK_OFFSET_FILE).

The run starts two hours before a meeting day (逢四说事, Asia/Shanghai), so every escalation of
the load joins that day's agenda. Later one jump moves every process past midnight and past
every 7-day close of the resolved issues: the closes fire as one backlog, the meeting day has
come and its minutes are recorded, all while the faults go on. What must not fire in the jump
(the low-priority deadlines) is set far beyond it through the admin's SLA API
(`chaos_work.LIMITS`).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from redgrid_shared.clock import OffsetFileClock, system_clock, write_offset

SHANGHAI = ZoneInfo("Asia/Shanghai")
LEAD = timedelta(hours=2)  # service time from the start to the meeting day's midnight
PAST_MIDNIGHT = timedelta(seconds=30)


def meeting_day(today: date) -> date:
    """The first 4th, 14th or 24th at least two days after `today`."""
    day = today + timedelta(days=2)
    while day.day not in (4, 14, 24):
        day += timedelta(days=1)
    return day


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), SHANGHAI)


def start(path: Path) -> date:
    """Write the starting offset (the meeting day's midnight minus `LEAD`); the meeting day."""
    day = meeting_day(system_clock().astimezone(SHANGHAI).date())
    write_offset(path, (midnight(day) - LEAD - system_clock()).total_seconds())
    return day


def now(path: Path) -> datetime:
    """The services' time."""
    return OffsetFileClock(path)()


def jump(path: Path, day: date, closes: list[datetime]) -> timedelta:
    """Move every process past the meeting day's midnight and past every close in `closes`;
    returns how far time jumped."""
    before = now(path)
    target = max([midnight(day) + PAST_MIDNIGHT] + [c + timedelta(seconds=2) for c in closes])
    if target > before:
        write_offset(path, (target - system_clock()).total_seconds())
    return max(target - before, timedelta(0))
