"""PUT /v1/grids/{id} with one Idempotency-Key from admins of two communities: never a replay
of the other community's answer."""

import uuid

from tests.integration.dispatch.conftest import auth
from tests.unit.dispatch.builders import grid_body


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def test_admins_of_two_communities_with_one_key_each_get_their_own_answer(client):
    grid_id, key = new_id("g"), new_id("grid-key")
    buildings = [new_id("b")]
    mine = await client.put(f"/v1/grids/{grid_id}", json=grid_body(buildings=buildings),
                            headers={**auth(sub="a-01"), "Idempotency-Key": key})
    assert mine.status_code == 201 and mine.json()["community"] == "erqiaoxi"

    other = {**auth(sub="a-01", community="nanhu"), "Idempotency-Key": key}
    # The very same request from the other community's admin is not replayed to them.
    same = await client.put(f"/v1/grids/{grid_id}", json=grid_body(buildings=buildings),
                            headers=other)
    assert "idempotent-replayed" not in same.headers
    assert same.status_code == 403 and "body.community" in same.json()["error"]["fields"]
    # Their own community's body is their own grid, created for them.
    theirs = await client.put(f"/v1/grids/{grid_id}",
                              json=grid_body(community="nanhu", buildings=[new_id("b")]),
                              headers=other)
    assert theirs.status_code == 201, theirs.text
    assert "idempotent-replayed" not in theirs.headers
    assert theirs.json()["community"] == "nanhu"
    assert (await client.get(f"/v1/grids/{grid_id}", headers=auth(sub="a-01"))).json()[
        "buildings"] == buildings


async def test_a_non_admin_with_the_same_sub_and_key_gets_no_replay(client):
    grid_id, key = new_id("g"), new_id("grid-key")
    sent = grid_body(buildings=[new_id("b")])
    assert (await client.put(f"/v1/grids/{grid_id}", json=sent,
                             headers={**auth(sub="p-1"), "Idempotency-Key": key})).status_code == 201
    operator = await client.put(f"/v1/grids/{grid_id}", json=sent,
                                headers={**auth(role="operator", sub="p-1"), "Idempotency-Key": key})
    assert operator.status_code == 403
    assert "idempotent-replayed" not in operator.headers
