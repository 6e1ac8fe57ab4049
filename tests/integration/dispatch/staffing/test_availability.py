"""Staff on leave on real PostgreSQL: their open work goes to the backup, new work too, per
community; coming back brings new work back; history tells who held the grid when."""

from tests.integration.dispatch.conftest import auth
from tests.integration.dispatch.seed import grid, new_id, report, stream


async def two_communities(client) -> dict[str, dict]:
    """Communities A and B each with a g-01 whose steward is called s-03."""
    grids = {}
    for name in ("a", "b"):
        community = new_id(f"c{name}")
        grids[name] = await grid(client, community=community, grid_id="g-01",
                                 admin=f"a-{name}", steward="s-03", backup_steward="s-04")
    return grids


async def mark(client, community: str, person: str, available: bool, *, by: str = "a-01",
               role: str = "admin", key: str | None = None):
    headers = auth(role=role, sub=by, community=community)
    if key:
        headers["Idempotency-Key"] = key
    return await client.put(f"/v1/staff/{person}/availability",
                            json={"available": available, "note": "年假"}, headers=headers)


async def last_assignment(pool, issue_id: str) -> dict:
    return [e for e in await stream(pool, f"issue-{issue_id}") if e["type"] == "issue.assigned"][-1]


async def test_leave_hands_open_work_to_the_backup_in_that_community_only(client, pool):
    grids = await two_communities(client)
    a, b = grids["a"], grids["b"]
    mine = [await report(pool, building=a["buildings"][0], community=a["community"])
            for _ in range(2)]
    theirs = await report(pool, building=b["buildings"][0], community=b["community"])

    response = await mark(client, a["community"], "s-03", False, key="leave-1")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["available"] is False and body["version"] == 1
    assert sorted(h["issue_id"] for h in body["handed_over"]) == sorted(mine)
    assert {(h["role"], h["to"]) for h in body["handed_over"]} == {("steward", "s-04")}
    for issue_id in mine:
        moved = await last_assignment(pool, issue_id)
        assert (moved["steward_id"], moved["reason"], moved["covering_for"]) == (
            "s-04", "backup_cover", ["s-03"])
        assert moved["repairer_id"] == a["repairer"] and moved["assigned_by"] == "a-01"
    assert (await last_assignment(pool, theirs))["steward_id"] == "s-03"

    [changed] = await stream(pool, f"staff-{a['community']}/s-03")
    assert (changed["type"], changed["subject"], changed["available"]) == (
        "staff.availability-changed", "s-03", False)
    assert await stream(pool, f"staff-{b['community']}/s-03") == []
    neighbour = await client.get("/v1/staff/s-03/availability",
                                 headers=auth(role="operator", sub="op", community=b["community"]))
    assert neighbour.json()["available"] is True

    retried = await mark(client, a["community"], "s-03", False, key="leave-1")
    assert retried.headers["idempotent-replayed"] == "true" and retried.json() == body
    again = await mark(client, a["community"], "s-03", False)
    assert again.status_code == 200 and again.json()["handed_over"] == []
    assert len(await stream(pool, f"staff-{a['community']}/s-03")) == 1


async def test_new_work_goes_to_the_backup_while_away_and_back_to_the_person_after(client, pool):
    grids = await two_communities(client)
    a, b = grids["a"], grids["b"]
    await mark(client, a["community"], "s-03", False)

    during = await report(pool, building=a["buildings"][0], community=a["community"])
    moved = await last_assignment(pool, during)
    assert (moved["steward_id"], moved["covering_for"], moved["reason"]) == (
        "s-04", ["s-03"], "routed")
    elsewhere = await report(pool, building=b["buildings"][0], community=b["community"])
    assert (await last_assignment(pool, elsewhere))["steward_id"] == "s-03"

    back = await mark(client, a["community"], "s-03", True, by="s-03", role="steward")
    assert back.status_code == 200 and back.json()["available"] is True
    after = await report(pool, building=a["buildings"][0], community=a["community"])
    assert (await last_assignment(pool, after))["steward_id"] == "s-03"
    # Work already handed over stays with the backup.
    assert (await last_assignment(pool, during))["steward_id"] == "s-04"


async def test_with_holder_and_backup_away_new_work_waits_for_an_operator_and_open_work_stays(
        client, pool):
    community = new_id("c")
    g = await grid(client, community=community, repairer="r-03", backup_repairer="r-04")
    before = await report(pool, building=g["buildings"][0], community=community,
                          category="repair.pipe")
    assert (await mark(client, community, "r-04", False)).json()["handed_over"] == []
    leaving = (await mark(client, community, "r-03", False)).json()
    assert leaving["handed_over"] == []
    assert leaving["kept"] == [{"issue_id": before, "role": "repairer", "to": None}]
    assert (await last_assignment(pool, before))["repairer_id"] == "r-03"

    during = await report(pool, building=g["buildings"][0], community=community,
                          category="repair.pipe")
    [decision] = await stream(pool, f"issue-{during}")
    assert (decision["type"], decision["reason"]) == ("issue.unroutable", "no_available_staff")
    # A steward-only category still routes: only the needed roles count.
    steward_only = await report(pool, building=g["buildings"][0], community=community,
                                category="dispute.neighbor")
    assert (await last_assignment(pool, steward_only))["steward_id"] == g["steward"]


async def test_only_an_admin_or_the_person_may_mark_availability(client, pool):
    community = new_id("c")
    for role, sub in [("steward", "s-99"), ("repairer", "r-99"), ("operator", "op-1"),
                      ("resident", "s-03")]:
        response = await mark(client, community, "s-03", False, by=sub, role=role)
        assert response.status_code == 403, (role, response.text)
    # The same person id in another community changes nothing here.
    elsewhere = await mark(client, new_id("c"), "s-03", False, by="s-03", role="steward")
    assert elsewhere.status_code == 200
    assert await stream(pool, f"staff-{community}/s-03") == []


async def test_grid_history_shows_holders_over_time_for_the_callers_community_only(client, pool):
    grids = await two_communities(client)
    a, b = grids["a"], grids["b"]
    await mark(client, a["community"], "s-03", False)
    await mark(client, a["community"], "s-03", True)
    await grid(client, community=a["community"], grid_id="g-01", steward="s-07",
               buildings=a["buildings"], repairer=a["repairer"])

    history = await client.get("/v1/grids/g-01/history",
                               headers=auth(role="operator", sub="op", community=a["community"]))
    assert history.status_code == 200, history.text
    periods = history.json()["periods"]
    assert [(p["steward"], p["absent"], p["version"]) for p in periods] == [
        ("s-03", [], 1), ("s-04", ["s-03"], 1), ("s-03", [], 1), ("s-07", [], 2)]
    assert [p["end"] is None for p in periods] == [False, False, False, True]
    assert periods[1]["cause"]["type"] == "staff.availability-changed"

    theirs = await client.get("/v1/grids/g-01/history",
                              headers=auth(role="operator", sub="op", community=b["community"]))
    assert [(p["steward"], p["repairer"]) for p in theirs.json()["periods"]] == [
        ("s-03", b["repairer"])]
    unknown = await client.get("/v1/grids/g-01/history",
                               headers=auth(role="operator", sub="op", community=new_id("c")))
    assert unknown.status_code == 404
    stranger = await client.get("/v1/grids/g-01/history",
                                headers=auth(role="steward", sub="s-99", community=a["community"]))
    assert stranger.status_code == 404


async def test_a_return_goes_to_the_backup_unless_the_backup_is_on_leave(client, pool):
    community = new_id("c")
    g = await grid(client, community=community, grid_id="g-01", repairer="r-03",
                   backup_repairer="r-04")
    repairer = auth(role="repairer", sub="r-03", community=community, grids=("g-01",))
    covered = await report(pool, building=g["buildings"][0], community=community)
    response = await client.post(f"/v1/issues/{covered}/return", json={"reason": "缺配件"},
                                 headers=repairer)
    assert response.status_code == 200, response.text
    assert (await last_assignment(pool, covered))["repairer_id"] == "r-04"

    await mark(client, community, "r-04", False)
    queued = await report(pool, building=g["buildings"][0], community=community)
    response = await client.post(f"/v1/issues/{queued}/return", json={"reason": "缺配件"},
                                 headers=repairer)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "returned"
    assert [e["type"] for e in await stream(pool, f"issue-{queued}")] == [
        "issue.assigned", "issue.returned"]
