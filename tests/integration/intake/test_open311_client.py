"""A GeoReport v2 client written elsewhere (the `georeport` package from PyPI) reads a
running intake over HTTP: services, a definition, requests and one request, in JSON and XML.
The client is synchronous (requests), so its calls run in a worker thread while the server
serves on the test's event loop."""

import asyncio
import uuid

import httpx
import pytest
import pytest_asyncio
import uvicorn
from georeport import GeoReport

from intake.main import create_app
from intake.settings import Settings
from redgrid_dev.ports import free_port
from redgrid_shared import catalog
from tests.unit.intake.builders import SECRET, auth


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def base_url(fresh_database_url, kafka_bootstrap, tmp_path_factory):
    """intake under uvicorn on a free port, with one served jurisdiction and two requests."""
    settings = Settings(database_url=fresh_database_url, kafka_bootstrap_servers=kafka_bootstrap,
                        consumer_group=f"intake-test-{uuid.uuid4().hex[:8]}", jwt_secret=SECRET,
                        relay_poll_seconds=0.2, db_pool_min=1, db_pool_max=4,
                        media_dir=tmp_path_factory.mktemp("media"))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while not server.started:
        if task.done() or loop.time() > deadline:
            raise RuntimeError("intake did not start under uvicorn")
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def posted(base_url) -> list[str]:
    async with httpx.AsyncClient(base_url=base_url) as client:
        key = (await client.post("/v1/open311/keys", headers=auth(sub="a-1", role="admin"),
                                 json={"name": "georeport test"})).json()["api_key"]
        ids = []
        for code, extra in (("repair.pipe", {}), ("repair.paid",
                                                  {"attribute[agree_to_pay]": "yes"})):
            response = await client.post("/open311/v2/requests.json", data={
                "api_key": key, "service_code": code, "address_id": "b-03",
                "description": "厨房下水道堵塞", **extra})
            assert response.status_code == 201, response.text
            ids.append(response.json()[0]["service_request_id"])
    return ids


def as_list(value) -> list:
    """xmltodict gives a lone element as a dict, several as a list."""
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_the_client_lists_services_and_reads_a_definition(base_url, fmt):
    client = GeoReport(f"{base_url}/open311/v2", output_format=fmt)
    found = await asyncio.to_thread(client.get_service_list)
    assert [s["service_code"] for s in found] == list(catalog.CATEGORIES)
    paid = next(s for s in found if s["service_code"] == "repair.paid")
    assert paid["service_name"] == "有偿维修 (业主户内)"
    definition = await asyncio.to_thread(client.get_service_definition, "repair.paid")
    attributes = (definition["attributes"] if fmt == "json"
                  else as_list(definition["attributes"]["attribute"]))
    assert "agree_to_pay" in [a["code"] for a in attributes]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("jurisdiction", [None, "erqiaoxi"], ids=["only-one", "named"])
async def test_the_client_lists_requests_and_reads_one(base_url, posted, fmt, jurisdiction):
    client = GeoReport(f"{base_url}/open311/v2", jurisdiction=jurisdiction, output_format=fmt)
    listed = as_list(await asyncio.to_thread(client.get_service_requests))
    assert [r["service_request_id"] for r in listed] == posted[::-1]  # newest first
    assert {r["status"] for r in listed} == {"open"}
    one = await asyncio.to_thread(client.get_service_request, posted[0])
    assert (one["service_request_id"], one["service_code"], one["address_id"]) == (
        posted[0], "repair.pipe", "b-03")
    assert one["status_notes"] == "已受理，正在派单"
    assert one["requested_datetime"].endswith("+08:00")
    paid = as_list(await asyncio.to_thread(client.get_service_requests,
                                           service_code="repair.paid", status="open"))
    assert [r["service_request_id"] for r in paid] == [posted[1]]
    by_ids = as_list(await asyncio.to_thread(client.get_service_requests,
                                             service_request_id=",".join(posted)))
    assert {r["service_request_id"] for r in by_ids} == set(posted)
