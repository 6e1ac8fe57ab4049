"""One id, one staff role per community, on real PostgreSQL: the grid directory refuses an id
in the other role, and a repairer may not mark leave for the steward with their id."""

from tests.integration.dispatch.conftest import auth
from tests.integration.dispatch.seed import grid, new_id, report, stream
from tests.integration.dispatch.staffing.test_availability import last_assignment, mark
from tests.unit.dispatch.builders import grid_body


async def put_grid(client, community: str, grid_id: str, **people):
    body = grid_body(community=community, **{"buildings": [new_id("b")], "steward": new_id("s"),
                                             "repairer": new_id("r"), **people})
    return await client.put(f"/v1/grids/{grid_id}", json=body,
                            headers=auth(sub="a-01", community=community))


async def test_a_repairer_with_the_stewards_id_may_not_mark_the_steward_on_leave(client, pool):
    community = new_id("ca")
    g = await grid(client, community=community, grid_id="g-01", steward="p-1",
                   backup_steward="s-04")
    issue_id = await report(pool, building=g["buildings"][0], community=community)
    assert (await last_assignment(pool, issue_id))["steward_id"] == "p-1"

    refused = await mark(client, community, "p-1", False, by="p-1", role="repairer")
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "forbidden"
    assert await stream(pool, f"staff-{community}/p-1") == []
    assert (await last_assignment(pool, issue_id))["steward_id"] == "p-1"
    row = await pool.fetchrow("SELECT 1 FROM staff_availability WHERE community = $1 "
                              "AND staff_id = 'p-1'", community)
    assert row is None

    # The steward p-1 themselves may: their work goes to the backup steward.
    own = await mark(client, community, "p-1", False, by="p-1", role="steward")
    assert own.status_code == 200, own.text
    assert [(h["issue_id"], h["role"], h["to"]) for h in own.json()["handed_over"]] == [
        (issue_id, "steward", "s-04")]


async def test_a_grid_giving_a_steward_the_repairer_role_is_refused_naming_the_field(client,
                                                                                    pool):
    a, b = new_id("ca"), new_id("cb")
    assert (await put_grid(client, a, "g-01", steward="p-1")).status_code == 201
    refused = await put_grid(client, a, "g-02", repairer="p-1")
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "staff_role_taken"
    assert error["fields"] == {"body.repairer": "p-1 is a steward in grid g-01 of this community"}
    assert await pool.fetchrow("SELECT 1 FROM grids WHERE community = $1 AND grid_id = 'g-02'",
                               a) is None
    assert await stream(pool, f"grid-{a}/g-02") == []

    same_body = await put_grid(client, a, "g-03", steward="p-7", backup_repairer="p-7")
    assert same_body.status_code == 409, same_body.text
    assert list(same_body.json()["error"]["fields"]) == ["body.backup_repairer"]

    # The neighbour community's p-1 is someone else: a repairer there, who marks their leave.
    assert (await put_grid(client, b, "g-02", repairer="p-1")).status_code == 201
    theirs = await mark(client, b, "p-1", False, by="p-1", role="repairer")
    assert theirs.status_code == 200, theirs.text
    # And the same id keeps its role in a later PUT of its own grid.
    assert (await put_grid(client, a, "g-01", steward="p-1")).status_code == 200
