"""Pure decisions of the resident actions: who, in which status, and what they change."""

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from intake.actions import decide
from intake.actions.models import Cancel, Comment, Rate, Reopen
from redgrid_shared.domain import Conflict, NotAllowed, WrongStatus
from redgrid_shared import events
from tests.unit.intake.builders import principal

NOW = datetime(2025, 3, 14, 1, 30, tzinfo=timezone.utc)
ALL_STATUSES = ["reported", "unroutable", "assigned", "accepted", "in_progress", "returned",
                "escalated", "referred", "resolved", "closed", "cancelled"]
OWNER = principal(sub="u-1")


def issue(**overrides) -> dict:
    row = {"id": "iss-1", "community": "erqiaoxi", "reporter_id": "u-1", "status": "assigned",
           "grid_id": "g-03", "pending_action": None, "close_due_at": None, "rating": None}
    row.update(overrides)
    return row


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_cancel_only_before_work_starts(status):
    row = issue(status=status)
    if status in ("reported", "unroutable", "assigned", "accepted", "returned"):
        event = decide.decide_cancel(OWNER, row, Cancel(reason="已自行解决"))
        assert (event.by, event.reason, event.issue_id) == ("u-1", "已自行解决", "iss-1")
    else:
        with pytest.raises(WrongStatus) as err:
            decide.decide_cancel(OWNER, row, Cancel())
        assert status in err.value.message and err.value.fields == {"status": status}


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_confirm_only_a_resolved_issue(status):
    if status == "resolved":
        assert decide.decide_confirm(OWNER, issue(status=status)).by == "u-1"
    else:
        with pytest.raises(WrongStatus, match=f"status {status}"):
            decide.decide_confirm(OWNER, issue(status=status))


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_reopen_only_a_resolved_issue_before_its_close_due_at(status):
    row = issue(status=status, close_due_at=NOW + timedelta(seconds=1))
    if status == "resolved":
        assert decide.decide_reopen(OWNER, row, Reopen(reason="又堵了"), now=NOW).reason == "又堵了"
    else:
        with pytest.raises(WrongStatus):
            decide.decide_reopen(OWNER, row, Reopen(reason="又堵了"), now=NOW)


@pytest.mark.parametrize("late", [timedelta(0), timedelta(days=1)])
def test_reopen_at_or_after_the_close_due_at_is_refused_naming_the_end(late):
    row = issue(status="resolved", close_due_at=NOW - late)
    with pytest.raises(WrongStatus) as err:
        decide.decide_reopen(OWNER, row, Reopen(reason="x"), now=NOW)
    assert "resolved" in err.value.message and "7 days" in err.value.message


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_rating_only_once_resolved_or_closed(status):
    if status in ("resolved", "closed"):
        assert decide.decide_rating(OWNER, issue(status=status), Rate(score=4)).score == 4
    else:
        with pytest.raises(WrongStatus):
            decide.decide_rating(OWNER, issue(status=status), Rate(score=4))


def test_a_second_rating_is_a_conflict_naming_the_first():
    with pytest.raises(Conflict) as err:
        decide.decide_rating(OWNER, issue(status="closed", rating=3), Rate(score=5))
    assert err.value.code == "already_rated" and "3" in err.value.message


@pytest.mark.parametrize("action", ["cancel", "confirm", "reopen"])
def test_no_second_action_while_one_awaits_settlement(action):
    row = issue(status="resolved", pending_action="confirm", close_due_at=NOW + timedelta(days=1))
    calls = {"cancel": lambda: decide.decide_cancel(OWNER, row, Cancel()),
             "confirm": lambda: decide.decide_confirm(OWNER, row),
             "reopen": lambda: decide.decide_reopen(OWNER, row, Reopen(reason="x"), now=NOW)}
    with pytest.raises(Conflict) as err:
        calls[action]()
    assert err.value.code == "action_pending" and err.value.fields == {"status": "resolved"}


@pytest.mark.parametrize("who", [
    principal(sub="u-2"),  # a neighbour
    principal(sub="s-01", role="steward", grids=("g-03",)),
    principal(sub="o-1", role="operator"),
    principal(sub="u-1", role="repairer", grids=("g-03",)),  # same id, another role
], ids=["neighbour", "steward", "operator", "same-sub-repairer"])
def test_only_the_reporting_resident_cancels_confirms_reopens_or_rates(who):
    row = issue(status="resolved", close_due_at=NOW + timedelta(days=1))
    for call in (lambda: decide.decide_cancel(who, issue(), Cancel()),
                 lambda: decide.decide_confirm(who, row),
                 lambda: decide.decide_reopen(who, row, Reopen(reason="x"), now=NOW),
                 lambda: decide.decide_rating(who, row, Rate(score=1))):
        with pytest.raises(NotAllowed):
            call()


@pytest.mark.parametrize("who, allowed", [
    (principal(sub="u-1"), True),
    (principal(sub="u-2"), False),
    (principal(sub="u-1", community="other"), False),
    (principal(sub="s-01", role="steward", grids=("g-03",)), True),
    (principal(sub="r-01", role="repairer", grids=("g-03",)), True),
    (principal(sub="s-09", role="steward", grids=("g-09",)), False),
    (principal(sub="s-01", role="steward", grids=("g-03",), community="other"), False),
    (principal(sub="o-1", role="operator"), True),
    (principal(sub="a-1", role="admin"), True),
    (principal(sub="a-1", role="admin", community="other"), False),
])
def test_who_may_comment(who, allowed):
    assert decide.may_comment(who, issue()) is allowed
    if not allowed:
        with pytest.raises(NotAllowed):
            decide.decide_comment(who, issue(), Comment(text="hi"))


def test_staff_may_not_comment_on_an_issue_without_a_grid():
    steward = principal(sub="s-01", role="steward", grids=("g-03",))
    assert decide.may_comment(steward, issue(grid_id=None)) is False


def test_a_comment_records_author_and_role():
    event = decide.decide_comment(principal(sub="s-01", role="steward", grids=("g-03",)),
                                  issue(), Comment(text="明早九点上门"))
    assert (event.author_id, event.author_role, event.text) == ("s-01", "steward", "明早九点上门")


@pytest.mark.parametrize("event, status, action", [
    (events.IssueCancelled(issue_id="i", community="c", by="u"), "cancelled", "cancel"),
    (events.IssueConfirmed(issue_id="i", community="c", by="u"), "closed", "confirm"),
    (events.IssueReopened(issue_id="i", community="c", by="u", reason="r"), "assigned", "reopen"),
])
def test_a_recorded_action_shows_the_status_it_asks_for_as_pending(event, status, action):
    event_id = uuid.uuid4()
    assert decide.evolve_own(event, event_id=event_id, at=NOW) == {
        "updated_at": NOW, "status": status, "pending_action": action,
        "pending_event_id": event_id}


def test_a_rating_and_a_comment_leave_the_status():
    rated = events.IssueRated(issue_id="i", community="c", by="u", score=2, comment="慢")
    assert decide.evolve_own(rated, event_id=uuid.uuid4(), at=NOW) == {
        "updated_at": NOW, "rating": 2, "rating_comment": "慢"}
    said = events.IssueCommented(issue_id="i", community="c", author_id="u", author_role="resident",
                                 text="t")
    assert decide.evolve_own(said, event_id=uuid.uuid4(), at=NOW) == {"updated_at": NOW}
