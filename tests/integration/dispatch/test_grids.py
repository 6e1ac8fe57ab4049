"""Grid directory on real PostgreSQL: PUT, GET, conflicts, no-op PUTs, concurrent PUTs."""

import asyncio
import uuid

from dispatch.grids.domain import grid_stream
from tests.integration.dispatch.conftest import auth
from tests.unit.dispatch.builders import grid_body


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def body(**overrides) -> dict:
    """A grid body with buildings nobody else in this module uses."""
    return grid_body(**{"buildings": [new_id("b"), new_id("b")], **overrides})


async def stream_events(pool, grid_id: str, community: str = "erqiaoxi") -> list:
    return await pool.fetch(
        "SELECT version, type, subject, topic, data FROM events WHERE stream_id = $1 ORDER BY version",
        grid_stream(community, grid_id))


async def test_put_grid_then_get_it(client, pool):
    grid_id, sent = new_id("g"), body()
    created = await client.put(f"/v1/grids/{grid_id}", json=sent, headers=auth())
    assert created.status_code == 201, created.text
    view = created.json()
    assert view["grid_id"] == grid_id and view["buildings"] == sent["buildings"]
    assert view["steward"] == "s-03" and view["version"] == 1 and view["configured_by"] == "a-01"

    fetched = await client.get(f"/v1/grids/{grid_id}", headers=auth(role="operator", sub="o-1"))
    assert fetched.status_code == 200 and fetched.json() == view
    listed = await client.get("/v1/grids?limit=200", headers=auth())
    assert grid_id in [g["grid_id"] for g in listed.json()["items"]]

    [event] = await stream_events(pool, grid_id)
    assert (event["type"], event["subject"], event["topic"]) == (
        "org.redgrid.grid.configured", grid_id, "redgrid.dispatch.events")
    assert event["data"]["buildings"] == sent["buildings"]


async def test_non_admin_put_is_forbidden_and_writes_nothing(client, pool):
    grid_id = new_id("g")
    response = await client.put(f"/v1/grids/{grid_id}", json=body(),
                                headers=auth(role="operator", sub="o-1"))
    assert response.status_code == 403
    assert await stream_events(pool, grid_id) == []
    assert (await client.get(f"/v1/grids/{grid_id}", headers=auth())).status_code == 404


async def test_admin_of_another_community_neither_sees_nor_changes_the_grid(client, pool):
    grid_id, sent = new_id("g"), body()
    mine = await client.put(f"/v1/grids/{grid_id}", json=sent, headers=auth())
    assert mine.status_code == 201
    other = auth(sub="a-9", community="nanhu")
    assert (await client.get(f"/v1/grids/{grid_id}", headers=other)).status_code == 404
    foreign_body = await client.put(f"/v1/grids/{grid_id}", json=body(), headers=other)
    assert foreign_body.status_code == 403
    assert "body.community" in foreign_body.json()["error"]["fields"]
    # Their PUT of the same id makes nanhu's own grid, and leaves ours as it was.
    theirs = await client.put(f"/v1/grids/{grid_id}", json=body(community="nanhu"), headers=other)
    assert theirs.status_code == 201 and theirs.json()["community"] == "nanhu"
    assert (await client.get(f"/v1/grids/{grid_id}", headers=auth())).json() == mine.json()
    assert len(await stream_events(pool, grid_id)) == 1
    assert len(await stream_events(pool, grid_id, "nanhu")) == 1


async def test_claiming_another_grids_building_is_409_naming_it(client, pool):
    first, second = new_id("g"), new_id("g")
    shared = new_id("b")
    assert (await client.put(f"/v1/grids/{first}", json=body(buildings=[shared]),
                             headers=auth())).status_code == 201
    response = await client.put(f"/v1/grids/{second}", json=body(buildings=[new_id("b"), shared]),
                                headers=auth())
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "building_taken"
    assert shared in error["fields"]["body.buildings"] and first in error["fields"]["body.buildings"]
    assert await stream_events(pool, second) == []


async def test_a_building_can_move_once_its_old_grid_lets_it_go(client):
    first, second, moving = new_id("g"), new_id("g"), new_id("b")
    keep = new_id("b")
    await client.put(f"/v1/grids/{first}", json=body(buildings=[keep, moving]), headers=auth())
    released = await client.put(f"/v1/grids/{first}", json=body(buildings=[keep]), headers=auth())
    assert released.status_code == 200 and released.json()["buildings"] == [keep]
    taken = await client.put(f"/v1/grids/{second}", json=body(buildings=[moving]), headers=auth())
    assert taken.status_code == 201


async def test_unchanged_put_returns_200_and_writes_no_event(client, pool):
    grid_id, sent = new_id("g"), body()
    first = await client.put(f"/v1/grids/{grid_id}", json=sent, headers=auth())
    again = await client.put(f"/v1/grids/{grid_id}", json=sent, headers=auth())
    assert again.status_code == 200 and again.json() == first.json()
    assert len(await stream_events(pool, grid_id)) == 1

    changed = await client.put(f"/v1/grids/{grid_id}", json={**sent, "repairer": "r-09"},
                               headers=auth())
    assert changed.status_code == 200
    assert changed.json()["version"] == 2 and changed.json()["repairer"] == "r-09"
    events = await stream_events(pool, grid_id)
    assert [e["data"]["repairer"] for e in events] == ["r-03", "r-09"]


async def test_idempotency_key_replays_the_first_response(client, pool):
    grid_id, sent = new_id("g"), body()
    headers = {**auth(), "Idempotency-Key": new_id("key")}
    first = await client.put(f"/v1/grids/{grid_id}", json=sent, headers=headers)
    replayed = await client.put(f"/v1/grids/{grid_id}", json=sent, headers=headers)
    assert (first.status_code, replayed.status_code) == (201, 201)
    assert replayed.json() == first.json()
    reused = await client.put(f"/v1/grids/{grid_id}", json={**sent, "name": "别的"},
                              headers=headers)
    assert reused.status_code == 422
    assert len(await stream_events(pool, grid_id)) == 1


async def test_staff_see_only_their_grids(client):
    mine, theirs = new_id("g"), new_id("g")
    steward = new_id("s")
    await client.put(f"/v1/grids/{mine}", json=body(steward=steward), headers=auth())
    await client.put(f"/v1/grids/{theirs}", json=body(), headers=auth())
    as_steward = auth(role="steward", sub=steward)
    listed = await client.get("/v1/grids", headers=as_steward)
    assert [g["grid_id"] for g in listed.json()["items"]] == [mine]
    assert (await client.get(f"/v1/grids/{theirs}", headers=as_steward)).status_code == 404
    by_claim = auth(role="repairer", sub=new_id("r"), grids=[theirs])
    assert (await client.get(f"/v1/grids/{theirs}", headers=by_claim)).status_code == 200


async def test_grid_list_pages_with_a_cursor(client):
    community = new_id("c")
    admin = auth(community=community)
    ids = sorted(new_id("g") for _ in range(3))
    for grid_id in ids:
        await client.put(f"/v1/grids/{grid_id}", json=body(community=community), headers=admin)
    page = (await client.get("/v1/grids?limit=2", headers=admin)).json()
    rest = (await client.get(f"/v1/grids?limit=2&cursor={page['next_cursor']}",
                             headers=admin)).json()
    assert [g["grid_id"] for g in page["items"] + rest["items"]] == ids
    assert rest["next_cursor"] is None


async def test_concurrent_puts_of_one_grid_serialize_without_a_lost_update(client, pool):
    grid_id, buildings = new_id("g"), [new_id("b")]
    stewards = [new_id("s") for _ in range(4)]
    responses = await asyncio.gather(*(
        client.put(f"/v1/grids/{grid_id}", json=body(buildings=buildings, steward=s),
                   headers=auth()) for s in stewards))
    statuses = sorted(r.status_code for r in responses)
    assert statuses[0] == 200 and statuses.count(201) == 1 and set(statuses) <= {200, 201, 409}
    events = await stream_events(pool, grid_id)
    assert [e["version"] for e in events] == list(range(1, len(events) + 1))
    # Every 2xx PUT left exactly its own event, and the directory shows the last one.
    applied = [r.json()["steward"] for r in responses if r.status_code < 300]
    assert sorted(e["data"]["steward"] for e in events) == sorted(applied)
    current = (await client.get(f"/v1/grids/{grid_id}", headers=auth())).json()
    assert current["version"] == len(events) and current["steward"] == events[-1]["data"]["steward"]


async def test_concurrent_claims_of_one_building_by_two_grids_let_only_one_win(client, pool):
    building = new_id("b")
    grid_ids = [new_id("g"), new_id("g")]
    responses = await asyncio.gather(*(
        client.put(f"/v1/grids/{g}", json=body(buildings=[building]), headers=auth())
        for g in grid_ids))
    assert sorted(r.status_code for r in responses) == [201, 409]
    owners = await pool.fetch("SELECT grid_id FROM grid_buildings WHERE building = $1", building)
    winner = grid_ids[[r.status_code for r in responses].index(201)]
    assert [o["grid_id"] for o in owners] == [winner]
