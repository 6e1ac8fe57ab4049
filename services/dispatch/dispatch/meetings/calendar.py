"""Meeting days of 逢四说事: the 4th, 14th and 24th of each month, Asia/Shanghai.

An issue escalated at any moment joins the agenda of the next meeting day strictly after the
local (Shanghai) date of that moment: the agenda is fixed the day before, so an escalation on a
meeting day itself waits for the following one (docs/decisions.md).
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

MEETING_TZ = ZoneInfo("Asia/Shanghai")
MEETING_DAYS = (4, 14, 24)


def is_meeting_day(day: date) -> bool:
    """True for the 4th, 14th and 24th of any month."""
    return day.day in MEETING_DAYS


def local_date(at: datetime) -> date:
    """The Shanghai calendar date of an aware moment."""
    if at.tzinfo is None:
        raise ValueError("a meeting moment must carry a time zone")
    return at.astimezone(MEETING_TZ).date()


def meeting_day_after(day: date) -> date:
    """The first meeting day strictly after a calendar date."""
    for d in MEETING_DAYS:
        if day.day < d:
            return day.replace(day=d)
    first_of_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_of_next.replace(day=MEETING_DAYS[0])


def next_meeting_day(at: datetime) -> date:
    """The meeting whose agenda an escalation at `at` joins (strictly after its local date)."""
    return meeting_day_after(local_date(at))


def upcoming_meeting_day(at: datetime) -> date:
    """The meeting day a community looks forward to at `at`: today if today is one, else the next."""
    today = local_date(at)
    return today if is_meeting_day(today) else meeting_day_after(today)
