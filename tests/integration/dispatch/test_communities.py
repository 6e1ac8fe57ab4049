"""A grid is (community, grid_id): two communities' g-01 on real PostgreSQL never meet."""

import uuid

from redgrid_shared import topics
from redgrid_shared.clock import FixedClock
from redgrid_shared.consumer import apply_once

from dispatch import consumer
from dispatch.sla.limits import Timing
from dispatch.workflow import store
from dispatch.grids.domain import grid_stream
from tests.integration.dispatch.conftest import auth
from tests.unit.dispatch.builders import REPORTED_AT, grid_body, issue_reported_envelope

handle = consumer.handler(clock=FixedClock(REPORTED_AT), timing=Timing())


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def two_communities_with_g01(client) -> dict[str, dict]:
    """Communities A and B each PUT their own g-01 with their own buildings and people."""
    grids = {}
    for name in ("a", "b"):
        community = new_id(f"c{name}")
        sent = grid_body(community=community, buildings=[new_id("b")],
                         steward=new_id(f"s{name}"), repairer=new_id(f"r{name}"))
        response = await client.put("/v1/grids/g-01", json=sent,
                                    headers=auth(sub=f"a-{name}", community=community))
        assert response.status_code == 201, response.text
        grids[name] = response.json()
    return grids


async def test_two_communities_each_create_their_own_g01(client, pool):
    grids = await two_communities_with_g01(client)
    a, b = grids["a"], grids["b"]
    assert a["grid_id"] == b["grid_id"] == "g-01" and a["version"] == b["version"] == 1
    assert a["buildings"] != b["buildings"] and a["steward"] != b["steward"]
    for grid in (a, b):
        [event] = await pool.fetch("SELECT subject, data FROM events WHERE stream_id = $1",
                                   grid_stream(grid["community"], "g-01"))
        assert event["subject"] == "g-01" and event["data"]["community"] == grid["community"]


async def test_each_admin_reads_and_lists_only_their_own_g01(client):
    grids = await two_communities_with_g01(client)
    for name, grid in grids.items():
        admin = auth(sub=f"a-{name}", community=grid["community"])
        fetched = await client.get("/v1/grids/g-01", headers=admin)
        assert fetched.status_code == 200 and fetched.json() == grid
        listed = (await client.get("/v1/grids", headers=admin)).json()["items"]
        assert listed == [grid]


async def test_an_update_in_one_community_leaves_the_other_g01_alone(client):
    grids = await two_communities_with_g01(client)
    a, b = grids["a"], grids["b"]
    changed = await client.put(
        "/v1/grids/g-01", headers=auth(sub="a-a", community=a["community"]),
        json=grid_body(community=a["community"], buildings=a["buildings"], steward="s-new",
                       repairer=a["repairer"]))
    assert changed.status_code == 200 and changed.json()["version"] == 2
    other = await client.get("/v1/grids/g-01", headers=auth(sub="a-b", community=b["community"]))
    assert other.json() == b


async def test_a_grid_id_only_another_community_has_is_404(client):
    grids = await two_communities_with_g01(client)
    only_a = new_id("g")
    a = grids["a"]
    put = await client.put(f"/v1/grids/{only_a}", headers=auth(sub="a-a", community=a["community"]),
                           json=grid_body(community=a["community"], buildings=[new_id("b")]))
    assert put.status_code == 201
    b_admin = auth(sub="a-b", community=grids["b"]["community"])
    missing = await client.get(f"/v1/grids/{only_a}", headers=b_admin)
    assert missing.status_code == 404
    assert missing.json()["error"] == {"code": "not_found", "message": f"no grid {only_a}",
                                       "fields": {}}


async def test_staff_token_grids_name_grids_of_the_token_community(client):
    grids = await two_communities_with_g01(client)
    a, b = grids["a"], grids["b"]
    staff_b = auth(role="repairer", sub=new_id("r"), community=b["community"], grids=["g-01"])
    fetched = await client.get("/v1/grids/g-01", headers=staff_b)
    assert fetched.status_code == 200 and fetched.json()["community"] == b["community"]
    assert (await client.get("/v1/grids", headers=staff_b)).json()["items"] == [b]
    # A's steward by person id, but with a token of community B: sees nothing of A's.
    stray = auth(role="steward", sub=a["steward"], community=b["community"])
    assert (await client.get("/v1/grids", headers=stray)).json()["items"] == []


async def test_reports_in_each_community_go_to_that_communitys_g01(client, pool):
    grids = await two_communities_with_g01(client)
    for grid in grids.values():
        env = issue_reported_envelope(community=grid["community"],
                                      building=grid["buildings"][0], category="repair.pipe")
        assert await apply_once(pool, topics.INTAKE_EVENTS, env, handle)
        row = await store.issue_row(pool, env.data["issue_id"])
        assert (row["status"], row["community"], row["grid_id"], row["steward_id"],
                row["repairer_id"]) == ("assigned", grid["community"], "g-01", grid["steward"],
                                        grid["repairer"])


async def test_a_building_of_the_other_communitys_g01_does_not_route(client, pool):
    grids = await two_communities_with_g01(client)
    env = issue_reported_envelope(community=grids["a"]["community"],
                                  building=grids["b"]["buildings"][0])
    assert await apply_once(pool, topics.INTAKE_EVENTS, env, handle)
    row = await store.issue_row(pool, env.data["issue_id"])
    assert (row["status"], row["grid_id"]) == ("unroutable", None)
