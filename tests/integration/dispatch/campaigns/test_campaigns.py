"""Campaigns (专项整治) on real PostgreSQL: open, attach by hand and by match, close, per community."""

import asyncio
from datetime import datetime, timezone

from tests.integration.dispatch.conftest import auth
from tests.integration.dispatch.seed import grid, new_id, report, stream

APRIL = datetime(2024, 4, 10, 2, 0, tzinfo=timezone.utc)
JULY = datetime(2024, 7, 2, 2, 0, tzinfo=timezone.utc)
# 2024-06-30T17:00Z is already 1 July in Shanghai: outside a period ending 30 June.
JUNE_30_LATE = datetime(2024, 6, 30, 17, 0, tzinfo=timezone.utc)
FIRE_DRIVE = {"name": "消防通道与飞线充电专项整治", "categories": ["safety.fire"],
              "departments": ["fire", "street_office"], "starts_on": "2024-04-01",
              "ends_on": "2024-06-30"}


def operator(community: str, sub: str = "op-01") -> dict:
    return auth(role="operator", sub=sub, community=community)


async def open_campaign(client, community: str, **overrides) -> dict:
    response = await client.post("/v1/campaigns", json={**FIRE_DRIVE, **overrides},
                                 headers=operator(community))
    assert response.status_code == 201, response.text
    return response.json()


async def test_campaign_ids_are_numbered_per_community_and_never_cross(client, pool):
    a, b = new_id("ca"), new_id("cb")
    first_a = await open_campaign(client, a)
    first_b = await open_campaign(client, b, name="飞线整治")
    second_a = await open_campaign(client, a, name="第二轮")
    assert (first_a["campaign_id"], first_b["campaign_id"], second_a["campaign_id"]) == (
        "cmp-1", "cmp-1", "cmp-2")
    seen_by_b = await client.get("/v1/campaigns/cmp-1", headers=operator(b))
    assert seen_by_b.json()["name"] == "飞线整治"
    assert (await client.get("/v1/campaigns/cmp-2", headers=operator(b))).status_code == 404
    listed = (await client.get("/v1/campaigns", headers=operator(a))).json()
    assert [c["campaign_id"] for c in listed["items"]] == ["cmp-2", "cmp-1"]
    [opened] = await stream(pool, f"campaign-{a}/cmp-1")
    assert opened["type"] == "campaign.opened" and opened["subject"] == "cmp-1"
    assert opened["categories"] == ["safety.fire"] and opened["opened_by"] == "op-01"


async def test_attach_by_match_takes_the_communitys_issues_of_the_period_only(client, pool):
    community, neighbour = new_id("c"), new_id("c")
    mine = await grid(client, community=community, grid_id="g-01")
    theirs = await grid(client, community=neighbour, grid_id="g-01", admin="a-02")
    building = mine["buildings"][0]
    in_period = await report(pool, building=building, community=community, at=APRIL,
                             category="safety.fire")
    wrong_category = await report(pool, building=building, community=community, at=APRIL,
                                  category="repair.pipe")
    too_late = await report(pool, building=building, community=community, at=JUNE_30_LATE,
                            category="safety.fire")
    await report(pool, building=building, community=community, at=JULY, category="safety.fire")
    await report(pool, building=theirs["buildings"][0], community=neighbour, at=APRIL,
                 category="safety.fire")
    campaign = await open_campaign(client, community)
    url = f"/v1/campaigns/{campaign['campaign_id']}/issues"

    response = await client.post(url, json={"match": {}}, headers=operator(community))
    assert response.status_code == 200, response.text
    assert response.json()["added"] == [in_period]
    assert response.json()["campaign"]["issue_count"] == 1
    assert response.json()["campaign"]["by_status"] == {"assigned": 1}

    again = await client.post(url, json={"match": {}}, headers=operator(community))
    assert again.json()["added"] == [] and again.json()["already_attached"] == [in_period]
    wider = await client.post(url, json={"match": {"categories": ["safety.fire", "repair.pipe"],
                                                    "reported_to": "2024-07-01"}},
                              headers=operator(community))
    assert set(wider.json()["added"]) == {wrong_category, too_late}
    events = await stream(pool, f"campaign-{community}/{campaign['campaign_id']}")
    assert [e["type"] for e in events] == ["campaign.opened", "campaign.issues-added",
                                           "campaign.issues-added"]
    assert events[1]["issue_ids"] == [in_period]


async def test_attach_by_hand_refuses_an_id_of_another_community_naming_the_field(client, pool):
    community, neighbour = new_id("c"), new_id("c")
    mine = await grid(client, community=community)
    theirs = await grid(client, community=neighbour, admin="a-02")
    own = await report(pool, building=mine["buildings"][0], community=community)
    foreign = await report(pool, building=theirs["buildings"][0], community=neighbour)
    campaign = await open_campaign(client, community)
    url = f"/v1/campaigns/{campaign['campaign_id']}/issues"

    refused = await client.post(url, json={"issue_ids": [own, foreign]},
                                headers=operator(community))
    assert refused.status_code == 422
    assert foreign in refused.json()["error"]["fields"]["body.issue_ids"]
    assert len(await stream(pool, f"campaign-{community}/{campaign['campaign_id']}")) == 1

    added = await client.post(url, json={"issue_ids": [own, own]}, headers=operator(community))
    assert added.status_code == 200 and added.json()["added"] == [own]


async def test_closing_records_results_and_a_closed_campaign_takes_nothing_more(client, pool):
    community = new_id("c")
    mine = await grid(client, community=community)
    issue = await report(pool, building=mine["buildings"][0], community=community)
    campaign = await open_campaign(client, community)
    cid = campaign["campaign_id"]
    await client.post(f"/v1/campaigns/{cid}/issues", json={"issue_ids": [issue]},
                      headers=operator(community))
    headers = {**operator(community), "Idempotency-Key": "close-1"}
    closed = await client.post(f"/v1/campaigns/{cid}/close", json={"results": "消除隐患 1 处"},
                               headers=headers)
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["results"]) == ("closed", "消除隐患 1 处")
    retried = await client.post(f"/v1/campaigns/{cid}/close", json={"results": "消除隐患 1 处"},
                                headers=headers)
    assert retried.status_code == 200 and retried.headers["idempotent-replayed"] == "true"
    twice = await client.post(f"/v1/campaigns/{cid}/close", json={"results": "再关一次"},
                              headers=operator(community))
    assert twice.status_code == 409 and twice.json()["error"]["fields"] == {"status": "closed"}
    more = await client.post(f"/v1/campaigns/{cid}/issues", json={"match": {}},
                             headers=operator(community))
    assert more.status_code == 409
    events = await stream(pool, f"campaign-{community}/{cid}")
    assert [e["type"] for e in events] == ["campaign.opened", "campaign.issues-added",
                                           "campaign.closed"]


async def test_a_neighbour_operator_cannot_touch_a_campaign_with_the_same_id(client, pool):
    community, neighbour = new_id("c"), new_id("c")
    await open_campaign(client, community)
    for method, path, body in [("post", "/v1/campaigns/cmp-1/close", {"results": "x"}),
                               ("post", "/v1/campaigns/cmp-1/issues", {"match": {}}),
                               ("get", "/v1/campaigns/cmp-1", None)]:
        kwargs = {"json": body} if body is not None else {}
        # Same person id, another community: sees and changes nothing.
        response = await getattr(client, method)(path, headers=operator(neighbour), **kwargs)
        assert response.status_code == 404, (path, response.text)
    assert len(await stream(pool, f"campaign-{community}/cmp-1")) == 1


async def test_residents_and_staff_cannot_open_or_close_campaigns(client):
    community = new_id("c")
    for role in ("resident", "steward", "repairer"):
        response = await client.post("/v1/campaigns", json=FIRE_DRIVE,
                                     headers=auth(role=role, sub="x-1", community=community))
        assert response.status_code == 403
    assert (await client.get("/v1/campaigns", headers=auth(role="resident", sub="u-1",
                                                           community=community))).status_code == 403
    assert (await client.get("/v1/campaigns", headers=auth(role="steward", sub="s-1",
                                                           community=community))).status_code == 200


async def test_campaigns_opened_at_once_get_distinct_numbers(client):

    community = new_id("c")
    answers = await asyncio.gather(*[
        client.post("/v1/campaigns", json={**FIRE_DRIVE, "name": f"第{n}轮"},
                    headers=operator(community, sub=f"op-{n}")) for n in range(3)])
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert sorted(a.json()["campaign_id"] for a in answers) == ["cmp-1", "cmp-2", "cmp-3"]
