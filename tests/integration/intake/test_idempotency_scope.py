"""POST /v1/issues with one Idempotency-Key from look-alike callers: no replay across
communities or roles (the leak a tester found), while each caller's own retry replays."""

import uuid

from tests.unit.intake.builders import auth, report


async def test_the_same_resident_id_and_key_in_another_community_is_a_new_report(client, pool):
    key, sub = f"report-{uuid.uuid4().hex[:6]}", f"u-x-{uuid.uuid4().hex[:4]}"
    mine = await client.post("/v1/issues", json=report(unit="9-909"),
                             headers={**auth(sub=sub), "Idempotency-Key": key})
    theirs = await client.post("/v1/issues", json=report(unit="9-909"),
                               headers={**auth(sub=sub, community="other"), "Idempotency-Key": key})
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert "idempotent-replayed" not in theirs.headers
    assert theirs.json()["community"] == "other" and theirs.json()["id"] != mine.json()["id"]
    again = await client.post("/v1/issues", json=report(unit="9-909"),
                              headers={**auth(sub=sub, community="other"), "Idempotency-Key": key})
    assert again.headers["idempotent-replayed"] == "true" and again.json() == theirs.json()
    assert await pool.fetchval("SELECT count(*) FROM issues WHERE reporter_id = $1", sub) == 2


async def test_a_repairer_with_the_residents_id_and_key_gets_403_not_the_report(client):
    key, sub = f"report-{uuid.uuid4().hex[:6]}", f"u-x-{uuid.uuid4().hex[:4]}"
    assert (await client.post("/v1/issues", json=report(),
                              headers={**auth(sub=sub), "Idempotency-Key": key})).status_code == 201
    repairer = await client.post("/v1/issues", json=report(),
                                 headers={**auth(sub=sub, role="repairer", grids=("g-03",)),
                                          "Idempotency-Key": key})
    assert repairer.status_code == 403
    assert "idempotent-replayed" not in repairer.headers and "2-301" not in repairer.text


async def test_one_key_on_two_issues_actions_is_two_actions(client, pool):
    from tests.integration.intake.flow import assigned
    first, me = await assigned(client, pool)
    response = await client.post("/v1/issues", json=report(), headers=me)
    second = response.json()
    headers = {**me, "Idempotency-Key": "comment-1"}
    a = await client.post(f"/v1/issues/{first['id']}/comments", json={"text": "hi"}, headers=headers)
    b = await client.post(f"/v1/issues/{second['id']}/comments", json={"text": "hi"}, headers=headers)
    assert a.status_code == 201 and b.status_code == 422  # the key already meant another request
