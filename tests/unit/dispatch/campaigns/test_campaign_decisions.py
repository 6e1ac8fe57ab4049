"""Pure campaign decisions: periods in Shanghai days, attach rules, close once."""

from datetime import date, datetime, timezone

import pytest
from pydantic import ValidationError

from dispatch.campaigns import decide
from dispatch.campaigns.models import AddIssues, Match, OpenCampaign
from redgrid_shared.domain import Conflict, Invalid
from tests.unit.dispatch.builders import admin


def campaign(**overrides) -> decide.Campaign:
    fields = {"campaign_id": "cmp-1", "community": "erqiaoxi", "categories": ("safety.fire",),
              "starts_on": date(2024, 4, 1), "ends_on": date(2024, 6, 30), "status": "open"}
    return decide.Campaign(**{**fields, **overrides})


def test_the_match_window_covers_whole_shanghai_days_of_the_campaign():
    window = decide.match_window(campaign(), Match())
    assert window.categories == ("safety.fire",)
    assert window.start == datetime(2024, 3, 31, 16, 0, tzinfo=timezone.utc)
    assert window.end == datetime(2024, 6, 30, 16, 0, tzinfo=timezone.utc)


def test_a_match_overrides_categories_and_dates():
    window = decide.match_window(campaign(), Match(categories=["repair.pipe"],
                                                   reported_from=date(2024, 5, 1)))
    assert window.categories == ("repair.pipe",)
    assert window.start == datetime(2024, 4, 30, 16, 0, tzinfo=timezone.utc)


def test_a_match_ending_before_it_starts_names_the_field():
    with pytest.raises(Invalid) as refused:
        decide.match_window(campaign(), Match(reported_to=date(2024, 3, 1)))
    assert refused.value.field == "body.match.reported_to"


def test_attaching_by_hand_an_unknown_issue_is_invalid():
    with pytest.raises(Invalid) as refused:
        decide.decide_add(campaign(), requested=["iss-1", "iss-x"], known={"iss-1"},
                          attached=set(), principal=admin(), by_hand=True)
    assert "iss-x" in refused.value.fields["body.issue_ids"]


def test_only_issues_not_yet_attached_are_added_and_nothing_new_writes_nothing():
    event = decide.decide_add(campaign(), requested=["iss-1", "iss-2"], known={"iss-1", "iss-2"},
                              attached={"iss-1"}, principal=admin(), by_hand=True)
    assert event.issue_ids == ["iss-2"] and event.added_by == "a-01"
    assert decide.decide_add(campaign(), requested=["iss-1"], known={"iss-1"},
                             attached={"iss-1"}, principal=admin(), by_hand=True) is None


@pytest.mark.parametrize("act", [
    lambda c: decide.decide_close(c, results="x", principal=admin()),
    lambda c: decide.decide_add(c, requested=["i"], known={"i"}, attached=set(),
                                principal=admin(), by_hand=True),
])
def test_a_closed_campaign_refuses_naming_its_status(act):
    with pytest.raises(Conflict) as refused:
        act(campaign(status="closed"))
    assert refused.value.fields == {"status": "closed"}


def test_opening_numbers_the_campaign_in_the_callers_community():
    command = OpenCampaign(name="飞线整治", categories=["safety.fire"], departments=["fire"],
                           starts_on=date(2024, 4, 1), ends_on=date(2024, 4, 30))
    event = decide.decide_open(command, principal=admin(community="xinyang"), seq=3)
    assert (event.campaign_id, event.community, event.opened_by) == ("cmp-3", "xinyang", "a-01")


@pytest.mark.parametrize("body", [
    {"name": "x", "categories": ["safety.fire"], "starts_on": "2024-05-01",
     "ends_on": "2024-04-01"},
    {"name": "x", "categories": ["safety.nothing"], "starts_on": "2024-04-01",
     "ends_on": "2024-04-30"},
    {"name": "x", "categories": ["safety.fire"], "departments": ["army"],
     "starts_on": "2024-04-01", "ends_on": "2024-04-30"},
])
def test_a_bad_campaign_is_refused_by_validation(body):
    with pytest.raises(ValidationError):
        OpenCampaign.model_validate(body)


@pytest.mark.parametrize("body", [{}, {"issue_ids": ["iss-1"], "match": {}}, {"issue_ids": []}])
def test_attach_needs_exactly_one_of_ids_or_match(body):
    with pytest.raises(ValidationError):
        AddIssues.model_validate(body)
