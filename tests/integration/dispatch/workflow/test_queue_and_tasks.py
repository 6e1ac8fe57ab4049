"""Returns, the operator queue, manual assignment and the task list."""

from datetime import timedelta

from tests.integration.dispatch.conftest import auth
from tests.integration.dispatch.workflow.conftest import HOUR


async def test_a_return_goes_to_the_backup_of_the_role_with_a_new_deadline(world):
    issue_id = await world.report()
    world.clock.advance(HOUR)
    response = await world.post(issue_id, "return", world.repairer_h(), {"reason": "工具不足"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["steward_id"], body["repairer_id"]) == (
        "assigned", world.steward, world.backup_repairer)
    assert body["signoff_due_at"] == (world.clock() + 2 * HOUR).isoformat().replace("+00:00", "Z")
    returned, reassigned = (await world.events(issue_id))[-2:]
    assert (returned["type"], returned["role"], returned["reason"]) == (
        "issue.returned", "repairer", "工具不足")
    assert (reassigned["reason"], reassigned["covering_for"]) == ("returned", [world.repairer])
    # the backup now holds it, the returner no longer may act
    assert (await world.post(issue_id, "accept", world.repairer_h())).status_code == 403
    assert (await world.post(issue_id, "accept", world.repairer_h(world.backup_repairer))
            ).status_code == 200


async def test_without_a_backup_a_return_waits_in_the_operator_queue(world):
    await world.configure(backup_steward=None)
    issue_id = await world.report()
    response = await world.post(issue_id, "return", world.steward_h(), {"reason": "非本网格"})
    assert response.json()["status"] == "returned"
    queue = await world.client.get("/v1/queue?limit=200", headers=world.operator())
    assert queue.status_code == 200
    item = next(i for i in queue.json()["items"] if i["issue_id"] == issue_id)
    assert "非本网格" in item["queue_reason"]
    assert (await world.client.get("/v1/queue", headers=world.steward_h())).status_code == 403
    neighbour = await world.client.get("/v1/queue?limit=200", headers=auth("operator", "o-01", "nanhu"))
    assert issue_id not in {i["issue_id"] for i in neighbour.json()["items"]}

    assigned = await world.post(issue_id, "assign", world.operator(),
                                {"steward_id": world.backup_steward})
    assert assigned.status_code == 200, assigned.text
    assert (assigned.json()["status"], assigned.json()["steward_id"]) == (
        "assigned", world.backup_steward)
    after = await world.client.get("/v1/queue?limit=200", headers=world.operator())
    assert issue_id not in {i["issue_id"] for i in after.json()["items"]}


async def test_an_unroutable_report_is_queued_and_assigned_by_hand_to_a_grid(world):
    issue_id = await world.report(building="b-nowhere")
    queue = await world.client.get("/v1/queue?limit=200", headers=world.operator())
    assert issue_id in {i["issue_id"] for i in queue.json()["items"]}
    no_grid = await world.post(issue_id, "assign", world.operator(), {"steward_id": "s-x"})
    assert no_grid.status_code == 422 and "body.grid_id" in no_grid.json()["error"]["fields"]
    unknown = await world.post(issue_id, "assign", world.operator(), {"grid_id": "g-none"})
    assert unknown.status_code == 422 and "body.grid_id" in unknown.json()["error"]["fields"]
    ok = await world.post(issue_id, "assign", world.operator(), {"grid_id": world.grid_id})
    assert ok.status_code == 200, ok.text
    assert (ok.json()["grid_id"], ok.json()["steward_id"], ok.json()["repairer_id"]) == (
        world.grid_id, world.steward, world.repairer)
    assert (await world.events(issue_id))[-1]["assigned_by"] == "o-01"


async def test_tasks_soonest_deadline_first_urgent_and_vulnerable_first_on_ties(world):
    normal = await world.report(category="repair.pipe")                       # due +2 h
    vulnerable = await world.report(category="repair.pipe", vulnerable="child")  # +30 min
    fire = await world.report(category="safety.fire")                          # +30 min
    world.clock.advance(timedelta(minutes=30))
    later_normal = await world.report(category="repair.public")               # due +2.5 h
    tie = await world.report(category="repair.pipe")                          # due +2.5 h
    vulnerable_tie = await world.report(category="repair.public", vulnerable="elderly")
    await world.post(vulnerable_tie, "accept", world.steward_h())  # completion: +24 h

    seen, cursor = [], None
    while True:
        url = "/v1/tasks?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = await world.client.get(url, headers=world.steward_h())
        assert page.status_code == 200, page.text
        seen += [i["issue_id"] for i in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    mine = [i for i in seen if i in {normal, vulnerable, fire, later_normal, tie, vulnerable_tie}]
    assert mine[:2] == sorted([vulnerable, fire])  # same deadline and both first on ties
    assert mine[2] == normal
    assert set(mine[3:5]) == {later_normal, tie} and mine[5] == vulnerable_tie
    assert len(seen) == len(set(seen))


async def test_the_residents_contact_is_shown_to_the_grids_staff_only(world):
    issue_id = await world.report(unit="3-502")
    staff = await world.client.get(f"/v1/issues/{issue_id}", headers=world.steward_h())
    desk = await world.client.get(f"/v1/issues/{issue_id}", headers=world.operator())
    assert (staff.json()["unit"], staff.json()["reporter_id"]) == ("3-502", "u-1001")
    assert desk.status_code == 200 and desk.json()["unit"] is desk.json()["reporter_id"] is None
    tasks = await world.client.get("/v1/tasks?limit=200", headers=world.operator())
    item = next(i for i in tasks.json()["items"] if i["issue_id"] == issue_id)
    assert item["unit"] is None


async def test_tasks_of_a_neighbour_community_never_show_ours(world):
    issue_id = await world.report()
    for headers in (auth("steward", world.steward, "nanhu", (world.grid_id,)),
                    auth("operator", "o-01", "nanhu")):
        page = await world.client.get("/v1/tasks?limit=200", headers=headers)
        assert issue_id not in {i["issue_id"] for i in page.json()["items"]}
    mine = await world.client.get("/v1/tasks?limit=200", headers=world.steward_h())
    assert issue_id in {i["issue_id"] for i in mine.json()["items"]}


async def test_a_forged_cursor_is_422_naming_it(world):
    response = await world.client.get("/v1/tasks?cursor=bm9wZQ", headers=world.steward_h())
    assert response.status_code == 422 and "query.cursor" in response.json()["error"]["fields"]
