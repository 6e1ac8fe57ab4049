"""Pure rules of minutes: meeting days, the agenda, left-out items, recorded once."""

from datetime import date, datetime, timezone

import pytest
from pydantic import ValidationError

from redgrid_shared.domain import Conflict, Invalid
from dispatch.meetings.minutes import NOT_DECIDED, check_meeting_day, decide_minutes
from dispatch.meetings.models import RecordMinutes

DAY = date(2026, 6, 14)
THAT_MORNING = datetime(2026, 6, 14, 2, 0, tzinfo=timezone.utc)
ATTENDEES = {"community": ["社区书记"]}


def minutes(*decisions) -> RecordMinutes:
    return RecordMinutes.model_validate({"attendees": ATTENDEES, "decisions": list(decisions)})


def decide(command, *, agenda=("iss-1", "iss-2"), now=THAT_MORNING, recorded=None, day=DAY):
    return decide_minutes(day, command, community="erqiaoxi", agenda=list(agenda),
                          recorded_by="op-01", now=now, recorded=recorded)


def test_items_the_minutes_leave_out_are_carried():
    held = decide(minutes({"issue_id": "iss-2", "decision": "resolved"}))
    assert [(d.issue_id, d.decision) for d in held.decisions] == [
        ("iss-2", "resolved"), ("iss-1", "carried")]
    assert held.decisions[1].note == NOT_DECIDED
    assert (held.community, held.meeting_date, held.recorded_by) == ("erqiaoxi", DAY, "op-01")


def test_a_decision_on_an_issue_not_on_the_agenda_names_its_field():
    with pytest.raises(Invalid) as refused:
        decide(minutes({"issue_id": "iss-1", "decision": "resolved"},
                       {"issue_id": "iss-9", "decision": "carried"}))
    assert refused.value.field == "body.decisions.1.issue_id"


@pytest.mark.parametrize("day", [date(2026, 6, 13), date(2026, 6, 15), date(2026, 6, 30)])
def test_only_the_4th_14th_and_24th_hold_meetings(day):
    with pytest.raises(Invalid) as refused:
        check_meeting_day(day)
    assert refused.value.field == "path.meeting_date"


def test_minutes_of_a_meeting_not_yet_held_are_refused_in_shanghai_time():
    # 2026-06-13T16:30Z is already the 14th in Shanghai: the meeting day has come.
    assert decide(minutes(), now=datetime(2026, 6, 13, 16, 30, tzinfo=timezone.utc))
    with pytest.raises(Invalid):
        decide(minutes(), now=datetime(2026, 6, 13, 15, 30, tzinfo=timezone.utc))


def test_minutes_are_recorded_once():
    with pytest.raises(Conflict) as refused:
        decide(minutes(), recorded=("op-02", THAT_MORNING))
    assert refused.value.code == "minutes_recorded"


@pytest.mark.parametrize("decision", [
    {"issue_id": "iss-1", "decision": "assigned"},
    {"issue_id": "iss-1", "decision": "referred"},
    {"issue_id": "iss-1", "decision": "referred", "department": "army"},
    {"issue_id": "iss-1", "decision": "resolved", "unit": "后盾单位"},
    {"issue_id": "iss-1", "decision": "carried", "department": "fire"},
    {"issue_id": "iss-1", "decision": "postponed"},
])
def test_a_decision_carries_exactly_what_it_needs(decision):
    with pytest.raises(ValidationError):
        minutes(decision)


def test_one_decision_per_issue_and_someone_attended():
    with pytest.raises(ValidationError):
        minutes({"issue_id": "iss-1", "decision": "resolved"},
                {"issue_id": "iss-1", "decision": "carried"})
    with pytest.raises(ValidationError):
        RecordMinutes.model_validate({"attendees": {}, "decisions": []})
