"""SLA limits as dispatch's data: read, changed by an admin, future deadlines only."""

from datetime import timedelta

from tests.integration.dispatch.conftest import auth


async def test_the_community_reads_the_catalogues_defaults(world):
    response = await world.client.get("/v1/sla", headers=world.steward_h())
    assert response.status_code == 200
    body = response.json()
    pipe = next(c for c in body["categories"] if c["category"] == "repair.pipe")
    assert (pipe["signoff_minutes"], pipe["completion_minutes"]) == (120, 4320)
    assert body["vulnerable"] == {"signoff_minutes": 30, "completion_minutes": 1440}
    assert body["auto_close_minutes"] == 7 * 24 * 60
    assert (await world.client.get("/v1/sla", headers=auth("resident", "u-1"))).status_code == 403


async def test_an_admins_change_applies_to_new_assignments_only(world):
    before = await world.report(category="repair.public")
    put = await world.client.put("/v1/sla/repair.public", headers=world.admin(),
                                 json={"signoff_minutes": 45, "completion_minutes": 600})
    assert put.status_code == 200, put.text
    assert put.json() == {"category": "repair.public", "priority": "normal",
                          "signoff_minutes": 45, "completion_minutes": 600, "overridden": True}
    after = await world.report(category="repair.public")

    old, new = await world.row(before), await world.row(after)
    assert old["signoff_due_at"] == world.clock() + timedelta(hours=2)  # kept its deadline
    assert new["signoff_due_at"] == world.clock() + timedelta(minutes=45)
    assert new["completion_limit_minutes"] == 600 and old["completion_limit_minutes"] == 4320
    await world.post(before, "accept", world.steward_h())
    assert (await world.row(before))["completion_due_at"] == world.clock() + timedelta(hours=72)

    [event] = await world.pool.fetch(
        "SELECT data FROM events WHERE stream_id = $1 AND data->>'category' = 'repair.public'",
        f"sla-{world.community}")
    assert event["data"]["changed_by"] == "a-01" and event["data"]["signoff_minutes"] == 45


async def test_the_same_limits_again_record_nothing(world):
    body = {"signoff_minutes": 50, "completion_minutes": 500}
    await world.client.put("/v1/sla/repair.ac_drip", headers=world.admin(), json=body)
    await world.client.put("/v1/sla/repair.ac_drip", headers=world.admin(), json=body)
    count = await world.pool.fetchval(
        "SELECT count(*) FROM events WHERE stream_id = $1 AND data->>'category' = $2",
        f"sla-{world.community}", "repair.ac_drip")
    assert count == 1


async def test_only_an_admin_changes_limits_and_only_for_their_community(world):
    body = {"signoff_minutes": 10, "completion_minutes": 100}
    for headers in (world.operator(), world.steward_h()):
        assert (await world.client.put("/v1/sla/repair.pipe", headers=headers, json=body)
                ).status_code == 403
    neighbour = auth("admin", "a-01", "nanhu")
    assert (await world.client.put("/v1/sla/repair.seepage", headers=neighbour, json=body)
            ).status_code == 200
    ours = await world.client.get("/v1/sla", headers=world.steward_h())
    seepage = next(c for c in ours.json()["categories"] if c["category"] == "repair.seepage")
    assert (seepage["signoff_minutes"], seepage["overridden"]) == (30, False)


async def test_bad_limits_and_unknown_categories_are_422_naming_the_field(world):
    bad = await world.client.put("/v1/sla/repair.pipe", headers=world.admin(),
                                 json={"signoff_minutes": 0, "completion_minutes": 10})
    assert bad.status_code == 422 and "body.signoff_minutes" in bad.json()["error"]["fields"]
    unknown = await world.client.put("/v1/sla/no.such", headers=world.admin(),
                                     json={"signoff_minutes": 5, "completion_minutes": 10})
    assert unknown.status_code == 422 and "path.category" in unknown.json()["error"]["fields"]
