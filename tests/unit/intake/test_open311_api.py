"""Open311 and photo routes in-process, for answers that need no database: formats, the
spec's error shape, the catalogue, and refusals before any use case touches the pool."""

import json
from xml.etree import ElementTree

import httpx
import pytest

from redgrid_shared.domain import Invalid, NotAllowed
from intake.main import create_app
from intake.open311 import handlers as open311_handlers
from intake.settings import Settings
from redgrid_shared import catalog
from tests.unit.intake.builders import SECRET, auth
from tests.unit.intake.photos import photo


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(Settings(jwt_secret=SECRET, media_dir=tmp_path_factory.mktemp("media"),
                               media_max_bytes=4096))


@pytest.fixture
async def client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://intake") as c:
        yield c


async def test_services_in_json_and_xml_list_every_category(client):
    as_json = await client.get("/open311/v2/services.json")
    assert as_json.status_code == 200
    assert as_json.headers["content-type"] == "application/json; charset=utf-8"
    assert [s["service_code"] for s in as_json.json()] == list(catalog.CATEGORIES)
    as_xml = await client.get("/open311/v2/services.xml")
    assert as_xml.headers["content-type"] == "text/xml; charset=utf-8"
    root = ElementTree.fromstring(as_xml.content)
    assert [s.findtext("service_code") for s in root.findall("service")] == list(
        catalog.CATEGORIES)
    assert root.find("service/service_name").text == "有偿维修 (业主户内)"
    assert root.find("service/metadata").text == "true"


async def test_a_service_definition_lists_its_attributes_and_values(client):
    body = (await client.get("/open311/v2/services/repair.paid.json")).json()
    assert body["service_code"] == "repair.paid"
    agree = next(a for a in body["attributes"] if a["code"] == "agree_to_pay")
    assert [v["key"] for v in agree["values"]] == ["yes", "no"]
    xml = ElementTree.fromstring((await client.get("/open311/v2/services/repair.paid.xml"))
                                 .content)
    assert xml.tag == "service_definition"
    assert [v.text for v in xml.findall("attributes/attribute/values/value/key")][:2] == [
        "elderly", "child"]


@pytest.mark.parametrize("path, status, words", [
    ("/open311/v2/services/pothole.json", 404, "pothole"),
    ("/open311/v2/tokens/123.json", 404, "realtime"),
    ("/open311/v2/nothing-here.json", 404, "not a GeoReport"),
    ("/open311/v2/services.html", 400, "fmt"),
])
async def test_errors_have_the_spec_shape_in_json(client, path, status, words):
    response = await client.get(path)
    assert response.status_code == status
    [error] = response.json()
    assert error["code"] == status and words in error["description"]


async def test_errors_have_the_spec_shape_in_xml(client):
    response = await client.get("/open311/v2/services/pothole.xml")
    assert response.status_code == 404
    root = ElementTree.fromstring(response.content)
    assert root.tag == "errors" and root.findtext("error/code") == "404"


async def test_posting_without_an_api_key_is_403(client):
    response = await client.post("/open311/v2/requests.json",
                                 data={"service_code": "repair.pipe", "address_id": "b-01",
                                       "description": "堵了"})
    assert response.status_code == 403
    assert "api_key" in response.json()[0]["description"]


async def test_openapi_documents_both_formats_and_examples_for_every_open311_route(app):
    paths = app.openapi()["paths"]
    for path, item in paths.items():
        if not path.startswith("/open311/"):
            continue
        for operation in item.values():
            ok = operation["responses"].get("200") or operation["responses"].get("201")
            if ok is None:  # tokens: only ever 404
                ok = operation["responses"]["404"]
            assert {"application/json", "text/xml"} <= set(ok["content"]), path
            assert all("example" in c for c in ok["content"].values()), path
    assert json.dumps(paths["/v1/media"]["post"]["requestBody"])  # multipart documented


async def test_photo_uploads_must_be_multipart(client):
    response = await client.post("/v1/media", json={"file": "x"}, headers=auth())
    assert response.status_code == 415
    assert "header.content-type" in response.json()["error"]["fields"]


async def test_a_photo_upload_needs_a_token(client):
    response = await client.post("/v1/media", files={"file": ("a.jpg", photo(), "image/jpeg")})
    assert response.status_code == 401


@pytest.mark.parametrize("data", [b"GIF89a" + b"\0" * 100, b"<html>hi</html>"],
                         ids=["gif", "html"])
async def test_a_file_that_is_not_an_image_is_415_whatever_its_header_says(client, data):
    response = await client.post("/v1/media", files={"file": ("a.jpg", data, "image/jpeg")},
                                 headers=auth())
    assert response.status_code == 415
    assert "body.file" in response.json()["error"]["fields"]


async def test_repairers_may_not_upload(client):
    response = await client.post("/v1/media", files={"file": ("a.png", photo("PNG"))},
                                 headers=auth(role="repairer", sub="r-1"))
    assert response.status_code == 403


async def test_a_missing_file_field_is_422_naming_it(client):
    response = await client.post("/v1/media", files={"photo": ("a.png", photo("PNG"))},
                                 headers=auth())
    assert response.status_code == 422
    assert "body.file" in response.json()["error"]["fields"]


async def test_an_upload_streaming_past_the_limit_is_cut_off_with_413(client):
    boundary = "redgrid-test-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").encode()
    sent = 0

    async def body():  # no Content-Length: the size shows only as the chunks arrive
        nonlocal sent
        yield head
        for _ in range(100):
            sent += 8192
            yield b"\xff" * 8192
        yield f"\r\n--{boundary}--\r\n".encode()

    response = await client.post("/v1/media", content=body(), headers={
        **auth(), "content-type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert sent < 100 * 8192  # refused before the whole body was read


@pytest.mark.parametrize("refusal, status, description", [
    # 422 elsewhere; the spec answers bad arguments with 400.
    (Invalid("body.building", "unknown building"), 400, "body.building: unknown building"),
    (NotAllowed("this key may not post here"), 403, "this key may not post here"),
])
async def test_a_refusal_of_the_shared_report_use_case_keeps_the_spec_shape(
        client, monkeypatch, refusal, status, description):
    async def refuse(*_, **__):
        raise refusal

    monkeypatch.setattr(open311_handlers, "create_request", refuse)
    response = await client.post("/open311/v2/requests.xml", data={"api_key": "k"})
    assert response.status_code == status
    error = ElementTree.fromstring(response.content).find("error")
    assert (error.findtext("code"), error.findtext("description")) == (str(status), description)
