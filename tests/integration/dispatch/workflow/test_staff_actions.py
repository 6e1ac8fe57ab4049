"""The staff workflow over HTTP on real PostgreSQL: each action, its events and refusals."""

import asyncio

from tests.integration.dispatch.conftest import auth
from tests.integration.dispatch.workflow.conftest import HOUR


async def test_accept_start_resolve_records_each_step_and_moves_the_timers(world):
    issue_id = await world.report()
    [(kind, due, fired)] = await world.timers(issue_id)
    assert (kind, fired) == ("signoff", None)

    world.clock.advance(HOUR)
    accepted = await world.post(issue_id, "accept", world.repairer_h())
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["deadline"] == "completion"
    assert await world.timers(issue_id) == [
        ("completion", world.clock() + 72 * HOUR, None)]  # the sign-off timer went with it

    assert (await world.post(issue_id, "start", world.repairer_h())).status_code == 200
    resolved = await world.post(issue_id, "resolve", world.steward_h(), {"note": "疏通完毕"})
    assert resolved.status_code == 200, resolved.text
    body = resolved.json()
    assert body["status"] == "resolved" and body["close_due_at"] is not None
    assert [t[0] for t in await world.timers(issue_id)] == ["auto_close"]

    events = await world.events(issue_id)
    assert [e["type"] for e in events] == ["issue.assigned", "issue.accepted", "issue.started",
                                           "issue.resolved"]
    assert events[1]["on_time"] is True and events[1]["by"] == world.repairer
    assert all(e["grid_id"] == world.grid_id for e in events)
    row = await world.row(issue_id)
    assert (row["status"], row["version"]) == ("resolved", 4)


async def test_an_action_the_status_does_not_allow_is_409_naming_it(world):
    issue_id = await world.report()
    response = await world.post(issue_id, "start", world.repairer_h())
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "wrong_status" and error["fields"] == {"status": "assigned"}
    assert "assigned" in error["message"]
    assert len(await world.events(issue_id)) == 1


async def test_steward_and_repairer_signing_off_at_once_one_wins_the_other_409(world):
    for _ in range(5):
        issue_id = await world.report()
        first, second = await asyncio.gather(
            world.post(issue_id, "accept", world.steward_h()),
            world.post(issue_id, "accept", world.repairer_h()))
        assert sorted([first.status_code, second.status_code]) == [200, 409]
        loser = first if first.status_code == 409 else second
        assert loser.json()["error"]["fields"] == {"status": "accepted"}
        assert [e["type"] for e in await world.events(issue_id)].count("issue.accepted") == 1


async def test_a_retry_with_the_same_key_replays_and_records_nothing_more(world):
    issue_id = await world.report()
    first = await world.post(issue_id, "accept", world.steward_h(), key="k-accept-1")
    again = await world.post(issue_id, "accept", world.steward_h(), key="k-accept-1")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == first.json()
    assert len(await world.events(issue_id)) == 2


async def test_only_the_assigned_people_or_the_desk_may_act(world):
    issue_id = await world.report()
    mate = await world.post(issue_id, "accept", world.steward_h("s-mate"))
    assert mate.status_code == 403  # same grid in the token, not assigned
    stranger = await world.post(issue_id, "accept", auth("steward", "s-x", world.community,
                                                         ("g-elsewhere",)))
    assert stranger.status_code == 404
    resident = await world.post(issue_id, "accept", auth("resident", "u-1001", world.community))
    assert resident.status_code == 403
    assert (await world.post(issue_id, "accept", world.operator())).status_code == 200


async def test_a_neighbour_community_with_the_same_ids_sees_and_does_nothing(world):
    issue_id = await world.report()
    for role, sub, grids in [("operator", "o-01", ()), ("admin", "a-01", ()),
                             ("steward", world.steward, (world.grid_id,)),
                             ("repairer", world.repairer, (world.grid_id,))]:
        headers = auth(role, sub, "nanhu", grids)
        response = await world.post(issue_id, "accept", headers)
        assert response.status_code == 404, (role, response.text)
        assert (await world.client.get(f"/v1/issues/{issue_id}", headers=headers)
                ).status_code == 404
    assert len(await world.events(issue_id)) == 1


async def test_paid_repairs_need_the_amount_charged_named_in_the_error(world):
    issue_id = await world.report(category="repair.paid")
    await world.post(issue_id, "accept", world.repairer_h())
    missing = await world.post(issue_id, "resolve", world.repairer_h(), {"note": "换龙头"})
    assert missing.status_code == 422
    assert "body.amount_charged" in missing.json()["error"]["fields"]
    negative = await world.post(issue_id, "resolve", world.repairer_h(),
                                {"note": "换龙头", "amount_charged": -5})
    assert negative.status_code == 422 and "body.amount_charged" in negative.json()["error"]["fields"]
    ok = await world.post(issue_id, "resolve", world.repairer_h(),
                          {"note": "换龙头", "amount_charged": "35.50"})
    assert ok.status_code == 200, ok.text
    assert (await world.events(issue_id))[-1]["amount_charged"] == "35.50"


async def test_a_reason_is_required_to_return_or_escalate(world):
    issue_id = await world.report()
    for action in ("return", "escalate"):
        response = await world.post(issue_id, action, world.steward_h(), {"reason": " "})
        assert response.status_code == 422
        assert "body.reason" in response.json()["error"]["fields"]


async def test_the_steward_escalates_to_the_next_meeting_day_in_shanghai(world):
    issue_id = await world.report()
    # REPORTED_AT is 2024-06-14 09:00Z = 17:00 in Shanghai, a meeting day: the next is the 24th
    response = await world.post(issue_id, "escalate", world.steward_h(), {"reason": "拒绝入户"})
    assert response.status_code == 200, response.text
    assert response.json()["meeting_date"] == "2024-06-24"
    assert (await world.post(issue_id, "escalate", world.repairer_h(), {"reason": "x"})
            ).status_code == 403
    assert await world.timers(issue_id) == []


async def test_refer_and_record_the_departments_outcome(world):
    issue_id = await world.report(category="safety.fire")
    assert (await world.post(issue_id, "refer", world.steward_h(),
                             {"department": "fire"})).status_code == 403
    referred = await world.post(issue_id, "refer", world.operator(),
                                {"department": "fire", "note": "消防通道"})
    assert referred.json()["status"] == "referred" and referred.json()["department"] == "fire"
    bad = await world.post(issue_id, "refer", world.operator(), {"department": "army"})
    assert bad.status_code == 422 and "body.department" in bad.json()["error"]["fields"]
    back = await world.post(issue_id, "referral-outcome", world.operator(),
                            {"outcome": "不属消防管辖", "resolved": False})
    assert back.json()["status"] == "assigned" and back.json()["steward_id"] == world.steward
    await world.post(issue_id, "refer", world.operator(), {"department": "street_office"})
    done = await world.post(issue_id, "referral-outcome", world.operator(),
                            {"outcome": "街道已清理", "resolved": True})
    assert done.json()["status"] == "resolved"
    types = [e["type"] for e in await world.events(issue_id)]
    assert types[-2:] == ["issue.referral-outcome", "issue.resolved"]
