"""Reading issues on real PostgreSQL: who sees what, paging, timelines, bad tokens."""

import time
import uuid

import jwt
import pytest

from redgrid_shared.consumer import apply_once
from redgrid_shared.topics import DISPATCH_EVENTS
from tests.unit.intake.builders import SECRET, auth, issue_assigned, report


def resident() -> str:
    return f"u-{uuid.uuid4().hex[:8]}"


async def reported(client, sub: str, **overrides) -> dict:
    response = await client.post("/v1/issues", json=report(**overrides), headers=auth(sub=sub))
    assert response.status_code == 201
    return response.json()


async def assign(pool, issue_id: str, grid_id: str) -> None:
    from intake import consumer
    assert await apply_once(pool, DISPATCH_EVENTS, issue_assigned(issue_id, grid_id=grid_id),
                            consumer.handle)


async def test_resident_reads_their_own_issue(client):
    me = resident()
    issue = await reported(client, me)
    response = await client.get(f"/v1/issues/{issue['id']}", headers=auth(sub=me))
    assert response.status_code == 200
    assert response.json() == issue


async def test_resident_cannot_read_another_residents_issue(client):
    issue = await reported(client, resident())
    stranger = auth(sub=resident())
    for path in (f"/v1/issues/{issue['id']}", f"/v1/issues/{issue['id']}/timeline"):
        response = await client.get(path, headers=stranger)
        assert response.status_code == 404
        assert issue["description"] not in response.text
    listed = await client.get("/v1/issues", headers=stranger)
    assert issue["id"] not in {i["id"] for i in listed.json()["items"]}


async def test_an_unknown_issue_looks_like_someone_elses(client):
    response = await client.get("/v1/issues/iss-0000000000000000", headers=auth())
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_staff_read_issues_of_their_grids_only(client, pool):
    issue = await reported(client, resident())
    await assign(pool, issue["id"], grid_id="g-11")
    mine = auth(sub="s-11", role="steward", grids=["g-11"])
    theirs = auth(sub="r-12", role="repairer", grids=["g-12"])
    assert (await client.get(f"/v1/issues/{issue['id']}", headers=mine)).status_code == 200
    assert (await client.get(f"/v1/issues/{issue['id']}", headers=theirs)).status_code == 404
    listed = await client.get("/v1/issues", headers=mine)
    assert issue["id"] in {i["id"] for i in listed.json()["items"]}


@pytest.mark.parametrize("community, status", [("erqiaoxi", 200), ("elsewhere", 404)])
async def test_the_desk_reads_issues_of_its_own_community(client, community, status):
    issue = await reported(client, resident())
    response = await client.get(f"/v1/issues/{issue['id']}",
                                headers=auth(sub="o-1", role="operator", community=community))
    assert response.status_code == status


def foreign_token(**changes) -> dict:
    claims = {"iss": "redgrid", "aud": "redgrid-api", "sub": "u-1", "role": "resident",
              "community": "erqiaoxi", "exp": int(time.time()) + 600, **changes}
    return {"Authorization": f"Bearer {jwt.encode(claims, SECRET, algorithm='HS256')}"}


@pytest.mark.parametrize("headers", [
    {}, auth(ttl_seconds=-5), foreign_token(aud="another-api"), foreign_token(iss="someone"),
    foreign_token(role="superuser"),
], ids=["missing", "expired", "wrong-audience", "wrong-issuer", "unknown-role"])
async def test_bad_tokens_are_401(client, headers):
    response = await client.get("/v1/issues", headers=headers)
    assert response.status_code == 401


async def test_list_pages_newest_first_without_gaps_or_repeats(client):
    me = resident()
    ids = [(await reported(client, me))["id"] for _ in range(5)]
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/issues", params=params, headers=auth(sub=me))).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))


async def test_list_filters_by_status(client, pool):
    me = resident()
    waiting = await reported(client, me)
    routed = await reported(client, me)
    await assign(pool, routed["id"], grid_id="g-21")
    page = (await client.get("/v1/issues", params={"status": "assigned"},
                             headers=auth(sub=me))).json()
    assert [i["id"] for i in page["items"]] == [routed["id"]]
    page = (await client.get("/v1/issues", params={"status": "reported"},
                             headers=auth(sub=me))).json()
    assert [i["id"] for i in page["items"]] == [waiting["id"]]


async def test_timeline_lists_events_oldest_first_with_safe_fields(client, pool):
    me = resident()
    issue = await reported(client, me)
    await assign(pool, issue["id"], grid_id="g-31")
    response = await client.get(f"/v1/issues/{issue['id']}/timeline", headers=auth(sub=me))
    assert response.status_code == 200
    entries = response.json()
    assert [e["type"] for e in entries] == ["issue.reported", "issue.assigned"]
    assert entries[0]["time"] <= entries[1]["time"]
    assert entries[0]["data"]["category"] == "repair.pipe"
    assert "reporter_id" not in entries[0]["data"]
    assert entries[1]["data"]["grid_id"] == "g-31"
    assert set(entries[0]) == {"type", "time", "event_id", "data", "summary"}
    assert entries[0]["summary"] == "已提交报事：管道疏通"
