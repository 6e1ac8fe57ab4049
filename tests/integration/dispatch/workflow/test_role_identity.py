"""A person is (community, role, sub): the repairer with the steward's id is someone else."""

from tests.integration.dispatch.conftest import auth


async def test_a_repairer_with_the_stewards_id_sees_none_of_the_stewards_work(world):
    issue_id = await world.report()
    steward = world.steward_h()
    lookalike = auth("repairer", world.steward, world.community, ("g-09",))
    neighbour = auth("steward", world.steward, "nanhu", (world.grid_id,))

    async def task_ids(headers) -> set[str]:
        page = await world.client.get("/v1/tasks?limit=200", headers=headers)
        assert page.status_code == 200, page.text
        return {i["issue_id"] for i in page.json()["items"]}

    async def grid_ids(headers) -> set[str]:
        page = await world.client.get("/v1/grids?limit=200", headers=headers)
        assert page.status_code == 200, page.text
        return {g["grid_id"] for g in page.json()["items"]}

    # the steward, in their role, holds it and sees the resident's contact
    assert issue_id in await task_ids(steward)
    own = await world.client.get(f"/v1/issues/{issue_id}", headers=steward)
    assert own.status_code == 200 and own.json()["reporter_id"] is not None
    assert (await world.client.get(f"/v1/grids/{world.grid_id}", headers=steward)
            ).status_code == 200
    # the same sub as a repairer, or as a steward of the neighbour community: nothing
    for other in (lookalike, neighbour):
        assert issue_id not in await task_ids(other)
        assert (await world.client.get(f"/v1/issues/{issue_id}", headers=other)
                ).status_code == 404
        assert (await world.client.get(f"/v1/grids/{world.grid_id}", headers=other)
                ).status_code == 404
        assert world.grid_id not in await grid_ids(other)
        assert (await world.post(issue_id, "accept", other)).status_code == 404


async def test_a_backup_is_matched_in_the_role_they_back_up(world):
    backup_steward = auth("steward", world.backup_steward, world.community)
    lookalike = auth("repairer", world.backup_steward, world.community)
    assert (await world.client.get(f"/v1/grids/{world.grid_id}", headers=backup_steward)
            ).status_code == 200
    assert (await world.client.get(f"/v1/grids/{world.grid_id}", headers=lookalike)
            ).status_code == 404
