"""Leave on real PostgreSQL for every path that gives an issue back to its grid: a resident's
reopen, a referral sent back, an operator's assignment to a grid. Community A's s-03 is on
leave; community B has its own s-03, not on leave, whose work must not move."""

from datetime import datetime, timezone

from redgrid_shared import topics
from redgrid_shared.consumer import apply_once
from redgrid_shared.events import IssueReopened, envelope

from dispatch.workflow import automatic
from tests.integration.dispatch.conftest import auth
from tests.integration.dispatch.seed import handle, report, stream
from tests.integration.dispatch.staffing.test_availability import (last_assignment, mark,
                                                                   two_communities)


def steward(community: str) -> dict:
    return auth(role="steward", sub="s-03", community=community, grids=("g-01",))


def operator(community: str) -> dict:
    return auth(role="operator", sub="op-01", community=community)


async def resolved(client, pool, g: dict) -> str:
    """An issue of the grid, signed off and resolved by its steward s-03."""
    issue_id = await report(pool, building=g["buildings"][0], community=g["community"])
    for action, body in (("accept", {}), ("resolve", {"note": "换了阀门"})):
        response = await client.post(f"/v1/issues/{issue_id}/{action}", json=body,
                                     headers=steward(g["community"]))
        assert response.status_code == 200, response.text
    return issue_id


async def reopen(pool, g: dict, issue_id: str) -> None:
    data = IssueReopened(issue_id=issue_id, community=g["community"], by="u-1001",
                         reason="又漏了")
    env = envelope(data, service="intake", subject=issue_id, time=datetime.now(timezone.utc))
    assert await apply_once(pool, topics.INTAKE_EVENTS, env, handle)


async def referred(client, pool, g: dict) -> str:
    issue_id = await report(pool, building=g["buildings"][0], community=g["community"])
    response = await client.post(f"/v1/issues/{issue_id}/refer", json={"department": "housing"},
                                 headers=operator(g["community"]))
    assert response.status_code == 200, response.text
    return issue_id


async def send_back(client, g: dict, issue_id: str):
    return await client.post(f"/v1/issues/{issue_id}/referral-outcome",
                             json={"outcome": "不属本部门", "resolved": False},
                             headers=operator(g["community"]))


async def assign(client, g: dict, issue_id: str):
    return await client.post(f"/v1/issues/{issue_id}/assign", json={"grid_id": "g-01"},
                             headers=operator(g["community"]))


def who(event: dict) -> tuple:
    return event["steward_id"], event["covering_for"], event["reason"]


async def test_a_reopen_goes_to_the_backup_while_the_steward_is_away_in_that_community_only(
        client, pool):
    grids = await two_communities(client)
    a, b = grids["a"], grids["b"]
    mine, theirs = await resolved(client, pool, a), await resolved(client, pool, b)
    assert (await mark(client, a["community"], "s-03", False)).status_code == 200

    for g, issue_id in ((a, mine), (b, theirs)):
        await reopen(pool, g, issue_id)
    assert who(await last_assignment(pool, mine)) == ("s-04", ["s-03"], "reopened")
    assert who(await last_assignment(pool, theirs)) == ("s-03", [], "reopened")
    row = await pool.fetchrow("SELECT status, steward_id FROM dispatch_issues "
                              "WHERE issue_id = $1", mine)
    assert (row["status"], row["steward_id"]) == ("assigned", "s-04")


async def test_a_referral_sent_back_goes_to_the_backup_in_that_community_only(client, pool):
    grids = await two_communities(client)
    a, b = grids["a"], grids["b"]
    mine, theirs = await referred(client, pool, a), await referred(client, pool, b)
    await mark(client, a["community"], "s-03", False)

    for g, issue_id in ((a, mine), (b, theirs)):
        response = await send_back(client, g, issue_id)
        assert response.status_code == 200 and response.json()["status"] == "assigned"
    assert who(await last_assignment(pool, mine)) == ("s-04", ["s-03"], "referral_outcome")
    assert who(await last_assignment(pool, theirs)) == ("s-03", [], "referral_outcome")


async def test_an_operator_assigning_to_the_grid_reaches_the_backup_in_that_community_only(
        client, pool):
    grids = await two_communities(client)
    a, b = grids["a"], grids["b"]
    mine, theirs = await referred(client, pool, a), await referred(client, pool, b)
    await mark(client, a["community"], "s-03", False)

    for g, issue_id in ((a, mine), (b, theirs)):
        response = await assign(client, g, issue_id)
        assert response.status_code == 200, response.text
    assert who(await last_assignment(pool, mine)) == ("s-04", ["s-03"], "manual")
    assert who(await last_assignment(pool, theirs)) == ("s-03", [], "manual")


async def test_with_steward_and_backup_away_each_path_waits_for_an_operator(client, pool):
    grids = await two_communities(client)
    a, b = grids["a"], grids["b"]
    reopened = {"a": await resolved(client, pool, a), "b": await resolved(client, pool, b)}
    sent_back = {"a": await referred(client, pool, a), "b": await referred(client, pool, b)}
    for person in ("s-04", "s-03"):
        await mark(client, a["community"], person, False)

    # Reopen: applied, and waits in the queue as returned, saying why.
    await reopen(pool, a, reopened["a"])
    settled = (await stream(pool, f"issue-{reopened['a']}"))[-1]
    assert (settled["type"], settled["status"], settled["reason"]) == (
        "issue.resident-action-settled", "returned", automatic.NO_ONE_AVAILABLE)
    # Referral sent back: in the queue as returned.
    response = await send_back(client, a, sent_back["a"])
    assert response.status_code == 200 and response.json()["status"] == "returned"
    queue = await client.get("/v1/queue", headers=operator(a["community"]))
    queued = {item["issue_id"] for item in queue.json()["items"]}
    assert {reopened["a"], sent_back["a"]} <= queued

    # An operator's assignment to the grid is refused, naming the field; nothing is written.
    before = await stream(pool, f"issue-{sent_back['a']}")
    refused = await assign(client, a, sent_back["a"])
    assert refused.status_code == 422, refused.text
    assert "body.grid_id" in refused.json()["error"]["fields"]
    assert await stream(pool, f"issue-{sent_back['a']}") == before
    # ...while naming the people still works.
    named = await client.post(f"/v1/issues/{sent_back['a']}/assign",
                              json={"grid_id": "g-01", "steward_id": "s-07"},
                              headers=operator(a["community"]))
    assert named.status_code == 200 and named.json()["steward_id"] == "s-07"

    # Community B's s-03 and s-04 are other people, not on leave.
    await reopen(pool, b, reopened["b"])
    assert who(await last_assignment(pool, reopened["b"])) == ("s-03", [], "reopened")
    assert (await send_back(client, b, sent_back["b"])).json()["status"] == "assigned"
    assert who(await last_assignment(pool, sent_back["b"])) == ("s-03", [], "referral_outcome")
    b_queue = await client.get("/v1/queue", headers=operator(b["community"]))
    assert b_queue.json()["items"] == []
