"""One resident report through all three services running as processes."""

import asyncio
import uuid

import httpx

DEADLINE_SECONDS = 30


async def _eventually(fetch, accept, what: str):
    """Poll `fetch` until `accept(result)`; fail with the last result after the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE_SECONDS
    while True:
        result = await fetch()
        if accept(result):
            return result
        assert loop.time() < deadline, f"{what} never happened; last: {result}"
        await asyncio.sleep(0.05)


async def _configure_grid(client, system, grid_id, buildings):
    body = {"community": system.community, "name": "第一网格", "buildings": buildings,
            "steward": "s-e2e", "repairer": "r-e2e", "backup_steward": "s-e2e-2",
            "backup_repairer": "r-e2e-2", "members": [{"id": "m-1", "role": "volunteer"}]}
    response = await client.put(f"{system.urls['dispatch']}/v1/grids/{grid_id}", json=body,
                                headers=system.token("admin", "admin-e2e"))
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_report_is_assigned_shown_on_its_timeline_and_counted(system):
    suffix = uuid.uuid4().hex[:6]
    grid_id, building = f"g-{suffix}", f"b-{suffix}"
    resident = system.token("resident", f"u-{suffix}")
    async with httpx.AsyncClient(timeout=10) as client:
        grid = await _configure_grid(client, system, grid_id, [building])
        assert grid["buildings"] == [building]

        created = await client.post(
            f"{system.urls['intake']}/v1/issues", headers=resident,
            json={"category": "repair.pipe", "description": "厨房下水道堵了",
                  "building": building, "unit": "2-301"})
        assert created.status_code == 201, created.text
        issue = created.json()
        assert issue["status"] == "reported"

        issue_url = f"{system.urls['intake']}/v1/issues/{issue['id']}"
        seen = await _eventually(lambda: client.get(issue_url, headers=resident),
                                 lambda r: r.json().get("status") == "assigned", "assignment")
        view = seen.json()
        assert (view["grid_id"], view["steward_id"], view["repairer_id"]) == (
            grid_id, "s-e2e", "r-e2e")
        assert view["signoff_due_at"]

        items = (await client.get(f"{issue_url}/timeline", headers=resident)).json()
        assert [e["type"] for e in items] == ["issue.reported", "issue.assigned"]
        assert all(e["time"] for e in items)

        operator = system.token("operator", "op-e2e")
        summary_url = f"{system.urls['stats']}/v1/stats/summary"
        summary = await _eventually(
            lambda: client.get(summary_url, headers=operator),
            lambda r: r.status_code == 200 and r.json()["by_status"].get("assigned") == 1,
            "stats counting the assignment")
        figures = summary.json()
        assert figures["collected"] == 1
        assert figures["by_category"]["repair.pipe"] == 1
        assert sum(figures["by_category"].values()) == 1


async def test_a_report_for_a_building_no_grid_covers_becomes_unroutable(system):
    resident = system.token("resident", f"u-{uuid.uuid4().hex[:6]}")
    async with httpx.AsyncClient(timeout=10) as client:
        created = await client.post(
            f"{system.urls['intake']}/v1/issues", headers=resident,
            json={"category": "safety.security", "description": "楼道灯坏了",
                  "building": f"b-nowhere-{uuid.uuid4().hex[:4]}"})
        assert created.status_code == 201, created.text
        issue_url = f"{system.urls['intake']}/v1/issues/{created.json()['id']}"
        seen = await _eventually(lambda: client.get(issue_url, headers=resident),
                                 lambda r: r.json().get("status") == "unroutable", "unroutable")
        assert seen.json()["steward_id"] is None


async def test_another_resident_cannot_see_the_issue(system):
    owner, stranger = (system.token("resident", f"u-{uuid.uuid4().hex[:6]}") for _ in range(2))
    async with httpx.AsyncClient(timeout=10) as client:
        created = await client.post(
            f"{system.urls['intake']}/v1/issues", headers=owner,
            json={"category": "suggestion", "description": "建议增加休息座椅", "building": "b-01"})
        assert created.status_code == 201
        response = await client.get(f"{system.urls['intake']}/v1/issues/{created.json()['id']}",
                                    headers=stranger)
        assert response.status_code == 404
        assert "建议" not in response.text


async def test_every_service_serves_health_metrics_and_docs(system):
    async with httpx.AsyncClient(timeout=10) as client:
        for url in system.urls.values():
            assert (await client.get(f"{url}/healthz")).status_code == 200
            assert (await client.get(f"{url}/readyz")).json()["status"] == "ready"
            assert "http_request" in (await client.get(f"{url}/metrics")).text
            assert (await client.get(f"{url}/openapi.json")).json()["paths"]
            assert (await client.get(f"{url}/docs")).status_code == 200
