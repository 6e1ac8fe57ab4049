"""Pure rules of minutes: which date may hold a meeting, which items a decision may name,
and what happens to items the minutes leave out. Raises domain errors; no I/O, no HTTP.
"""

from datetime import date, datetime

from redgrid_shared.events import Attendees, MeetingDecision, MeetingHeld

from redgrid_shared.domain import Conflict, Invalid
from dispatch.meetings.calendar import is_meeting_day, local_date
from dispatch.meetings.models import RecordMinutes

NOT_DECIDED = "no decision at the meeting: carried to the next meeting day"


def check_meeting_day(meeting_date: date) -> None:
    """Only the 4th, 14th and 24th hold meetings."""
    if not is_meeting_day(meeting_date):
        raise Invalid("path.meeting_date", f"{meeting_date} is not a meeting day: meetings "
                                           "are held on the 4th, 14th and 24th")


def decide_minutes(meeting_date: date, command: RecordMinutes, *, community: str,
                   agenda: list[str], recorded_by: str, now: datetime,
                   recorded: tuple[str, datetime] | None) -> MeetingHeld:
    """meeting.held with a decision for every agenda item (left-out items are carried).

    `agenda` are the issues awaiting this meeting; `recorded` = (by, at) if minutes exist.
    """
    check_meeting_day(meeting_date)
    if meeting_date > local_date(now):
        raise Invalid("path.meeting_date", f"the meeting of {meeting_date} has not been held "
                                           "yet: record minutes on or after the day")
    if recorded is not None:
        by, at = recorded
        raise Conflict("minutes_recorded", f"minutes of the meeting of {meeting_date} were "
                       f"recorded by {by} at {at.isoformat()}; they are recorded once",
                       {"path.meeting_date": "minutes already recorded"})
    on_agenda = set(agenda)
    for i, decision in enumerate(command.decisions):
        if decision.issue_id not in on_agenda:
            raise Invalid(f"body.decisions.{i}.issue_id",
                          f"{decision.issue_id} is not on the agenda of {meeting_date}")
    decided = {d.issue_id for d in command.decisions}
    decisions = [MeetingDecision(**d.model_dump()) for d in command.decisions] + [
        MeetingDecision(issue_id=i, decision="carried", note=NOT_DECIDED)
        for i in agenda if i not in decided]
    return MeetingHeld(community=community, meeting_date=meeting_date,
                       attendees=Attendees(**command.attendees.model_dump()),
                       decisions=decisions, recorded_by=recorded_by)
