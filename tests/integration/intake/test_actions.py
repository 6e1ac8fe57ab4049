"""Resident actions on real PostgreSQL: each an event on the issue's stream with its view,
timeline and idempotency row in one transaction; wrong status changes nothing."""

import asyncio
import uuid
from datetime import timedelta

import pytest

from redgrid_shared import events
from tests.integration.intake.flow import (assigned, deliver, reported, resolved, stream,
                                           timeline, view)
from tests.unit.intake.builders import auth, issue_assigned, settled, step


def act(client, issue_id: str, action: str, headers: dict, body: dict | None = None, **kw):
    return client.post(f"/v1/issues/{issue_id}/{action}", json=body, headers=headers, **kw)


async def test_cancel_is_pending_until_dispatch_applies_it(client, pool):
    issue, me = await assigned(client, pool)
    response = await act(client, issue["id"], "cancel", me, {"reason": "已自行解决"})
    assert response.status_code == 202, response.text
    assert (response.json()["status"], response.json()["pending_action"]) == ("cancelled", "cancel")
    *_, cancel = await stream(pool, issue["id"])
    assert (cancel["type"], cancel["version"], cancel["topic"]) == (
        "org.redgrid.issue.cancelled", 2, "redgrid.intake.events")
    assert cancel["data"]["reason"] == "已自行解决"

    await deliver(pool, settled(issue["id"], str(cancel["event_id"])))
    shown = await view(client, issue["id"], me)
    assert (shown["status"], shown["pending_action"]) == ("cancelled", None)
    entries = await timeline(client, issue["id"], me)
    assert [e["type"] for e in entries][-2:] == ["issue.cancelled", "issue.resident-action-settled"]
    assert entries[-1]["summary"] == "撤销已生效"


async def test_a_cancel_that_loses_the_race_with_start_ends_in_progress(client, pool):
    issue, me = await assigned(client, pool)
    await deliver(pool, step(events.IssueAccepted, issue["id"]))
    assert (await act(client, issue["id"], "cancel", me)).status_code == 202
    *_, cancel = await stream(pool, issue["id"])
    # Dispatch had sequenced `start` first: it arrives while the cancel is pending.
    await deliver(pool, step(events.IssueStarted, issue["id"], by="r-01"))
    assert (await view(client, issue["id"], me))["status"] == "cancelled"
    await deliver(pool, settled(issue["id"], str(cancel["event_id"]), outcome="refused",
                                status="in_progress", reason="维修已开始"))
    shown = await view(client, issue["id"], me)
    assert (shown["status"], shown["pending_action"]) == ("in_progress", None)
    entries = await timeline(client, issue["id"], me, lang="en")
    assert [e["type"] for e in entries][-3:] == [
        "issue.cancelled", "issue.started", "issue.resident-action-settled"]
    assert entries[-1]["summary"].startswith("The cancel could not take effect: 维修已开始")


async def test_confirm_then_settlement_closes_the_issue(client, pool):
    issue, me = await resolved(client, pool)
    response = await act(client, issue["id"], "confirm", me)
    assert response.status_code == 202
    assert (response.json()["status"], response.json()["pending_action"]) == ("closed", "confirm")
    *_, confirm = await stream(pool, issue["id"])
    await deliver(pool, settled(issue["id"], str(confirm["event_id"]), action="confirm",
                                status="closed"),
                  step(events.IssueClosed, issue["id"], reason="confirmed", by="dispatch"))
    shown = await view(client, issue["id"], me)
    assert (shown["status"], shown["pending_action"]) == ("closed", None)
    assert shown["resolution_note"] == "换了新水管"


async def test_reopen_within_seven_days_goes_back_to_the_grid(client, pool):
    issue, me = await resolved(client, pool)
    response = await act(client, issue["id"], "reopen", me, {"reason": "下水道又堵了"})
    assert response.status_code == 202
    assert response.json()["status"] == "assigned"
    *_, reopen = await stream(pool, issue["id"])
    await deliver(pool, settled(issue["id"], str(reopen["event_id"]), action="reopen",
                                status="assigned"),
                  issue_assigned(issue["id"], steward_id="s-02", repairer_id="r-02",
                                 reason="reopened"))
    shown = await view(client, issue["id"], me)
    assert (shown["status"], shown["steward_id"], shown["close_due_at"]) == ("assigned", "s-02", None)
    assert [e["summary"] for e in await timeline(client, issue["id"], me)][-1].startswith(
        "发回重办，已重新派单")


async def test_reopen_after_close_due_at_is_409_and_changes_nothing(client, pool):
    issue, me = await resolved(client, pool, close_in=-timedelta(seconds=1))
    before = await stream(pool, issue["id"])
    response = await act(client, issue["id"], "reopen", me, {"reason": "x"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "wrong_status"
    assert "resolved" in response.json()["error"]["message"]
    assert await stream(pool, issue["id"]) == before
    assert (await view(client, issue["id"], me))["status"] == "resolved"


async def test_reopen_needs_a_reason(client, pool):
    issue, me = await resolved(client, pool)
    response = await act(client, issue["id"], "reopen", me, {})
    assert response.status_code == 422
    assert "body.reason" in response.json()["error"]["fields"]


@pytest.mark.parametrize("action, body", [("cancel", None), ("confirm", None),
                                          ("reopen", {"reason": "x"}), ("rating", {"score": 3})])
async def test_an_action_that_does_not_fit_the_status_is_409_naming_it(client, pool, action, body):
    issue, me = await assigned(client, pool)
    await deliver(pool, step(events.IssueAccepted, issue["id"]),
                  step(events.IssueStarted, issue["id"], by="r-01"))
    before = (await stream(pool, issue["id"]), await view(client, issue["id"], me))
    response = await act(client, issue["id"], action, me, body)
    assert response.status_code == 409, response.text
    assert response.json()["error"]["fields"] == {"status": "in_progress"}
    assert "in_progress" in response.json()["error"]["message"]
    assert (await stream(pool, issue["id"]), await view(client, issue["id"], me)) == before


async def test_a_second_action_while_the_first_is_pending_is_409(client, pool):
    issue, me = await resolved(client, pool)
    assert (await act(client, issue["id"], "confirm", me)).status_code == 202
    response = await act(client, issue["id"], "reopen", me, {"reason": "x"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "action_pending"


async def test_rating_once_with_a_comment(client, pool):
    issue, me = await resolved(client, pool)
    response = await act(client, issue["id"], "rating", me, {"score": 5, "comment": "很及时"})
    assert response.status_code == 201
    assert (response.json()["rating"], response.json()["rating_comment"]) == (5, "很及时")
    again = await act(client, issue["id"], "rating", me, {"score": 1})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_rated"
    assert [e["type"] for e in await stream(pool, issue["id"])].count("org.redgrid.issue.rated") == 1


@pytest.mark.parametrize("score", [0, 6, "five", None])
async def test_a_score_outside_1_to_5_is_422_naming_it(client, pool, score):
    issue, me = await resolved(client, pool)
    response = await act(client, issue["id"], "rating", me, {"score": score})
    assert response.status_code == 422 and "body.score" in response.json()["error"]["fields"]


async def test_comments_reach_the_timeline_of_both_sides(client, pool):
    issue, me = await assigned(client, pool)
    steward = auth(sub="s-01", role="steward", grids=("g-03",))
    mine = await act(client, issue["id"], "comments", me, {"text": "下午三点后家里有人"})
    theirs = await act(client, issue["id"], "comments", steward, {"text": "明早九点上门"})
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["summary"] == "居民留言：下午三点后家里有人"
    for reader in (me, steward):
        entries = [e for e in await timeline(client, issue["id"], reader)
                   if e["type"] == "issue.commented"]
        assert [(e["data"]["author_role"], e["data"]["text"]) for e in entries] == [
            ("resident", "下午三点后家里有人"), ("steward", "明早九点上门")]
    assert (await view(client, issue["id"], me))["status"] == "assigned"


@pytest.mark.parametrize("who", [
    auth(sub="s-09", role="steward", grids=("g-09",)),
    auth(sub="u-someone-else"),
    auth(role="operator", sub="o-1", community="other"),
], ids=["other-grid-steward", "neighbour", "operator-of-another-community"])
async def test_people_who_cannot_see_the_issue_get_404_for_every_action(client, pool, who):
    issue, _ = await resolved(client, pool)
    before = await stream(pool, issue["id"])
    for action, body in (("comments", {"text": "x"}), ("cancel", None), ("confirm", None),
                         ("reopen", {"reason": "x"}), ("rating", {"score": 1})):
        response = await act(client, issue["id"], action, who, body)
        assert response.status_code == 404, (action, response.text)
    assert await stream(pool, issue["id"]) == before


async def test_the_same_resident_id_in_another_community_gets_404(client, pool):
    issue, me = await resolved(client, pool)
    twin = auth(sub=issue["reporter_id"], community="other")
    assert (await act(client, issue["id"], "confirm", twin)).status_code == 404
    assert (await view(client, issue["id"], me))["status"] == "resolved"


async def test_an_action_retried_with_its_key_is_recorded_once(client, pool):
    issue, me = await resolved(client, pool)
    headers = {**me, "Idempotency-Key": f"k-{uuid.uuid4()}"}
    answers = await asyncio.gather(*(act(client, issue["id"], "rating", headers, {"score": 4})
                                     for _ in range(4)))
    assert {a.status_code for a in answers} == {201}
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 3
    assert [e["type"] for e in await stream(pool, issue["id"])].count("org.redgrid.issue.rated") == 1
    other = await act(client, issue["id"], "rating", headers, {"score": 2})
    assert other.status_code == 422 and "header.idempotency-key" in other.json()["error"]["fields"]


async def test_the_intake_relay_publishes_resident_actions(client, pool):
    issue, me = await reported(client)
    assert (await act(client, issue["id"], "cancel", me)).status_code == 202
    deadline = asyncio.get_running_loop().time() + 20
    while await pool.fetchval(
            "SELECT published_at FROM events WHERE stream_id = $1 AND version = 2",
            f"issue-{issue['id']}") is None:
        assert asyncio.get_running_loop().time() < deadline, "relay never published the cancel"
        await asyncio.sleep(0.05)
