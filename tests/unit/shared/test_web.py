import asyncpg
import httpx
from fastapi import FastAPI

from redgrid_shared import web
from redgrid_shared.guards import MAX_BODY_BYTES


def _app() -> FastAPI:
    app = FastAPI()

    async def ok() -> None:
        return None

    web.setup(app, {"database": ok})

    @app.post("/echo")
    async def echo(body: dict) -> dict:
        return {"keys": len(body)}

    return app


async def _post(**kwargs) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()),
                                 base_url="http://t") as client:
        return await client.post("/echo", **kwargs)


async def test_a_declared_oversized_body_is_refused_with_413_before_parsing():
    response = await _post(content=b"{" + b" " * MAX_BODY_BYTES + b"}",
                           headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


async def test_a_chunked_oversized_body_is_refused_with_413():
    async def chunks():
        yield b'{"a": "'
        for _ in range(MAX_BODY_BYTES // 1024 + 2):
            yield b"x" * 1024
        yield b'"}'

    response = await _post(content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


async def test_malformed_json_is_a_422_naming_the_body():
    response = await _post(content=b'{"a": ', headers={"content-type": "application/json"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and any(k.startswith("body") for k in error["fields"])


async def test_readiness_names_the_dependency_that_is_down():
    app = FastAPI()

    async def down() -> None:
        raise ConnectionRefusedError

    async def up() -> None:
        return None

    web.setup(app, {"database": up, "broker": down})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok",
                                         "broker": "unavailable: ConnectionRefusedError"}


async def test_a_nul_character_in_a_body_field_is_a_422_naming_it():
    response = await _post(json={"outer": {"items": ["ok", "bad\u0000"]}})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        "body.outer.items.1": "must not contain the NUL character (\\u0000)"}


async def test_a_nul_character_in_the_query_is_a_422_naming_it():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()),
                                 base_url="http://t") as client:
        response = await client.get("/healthz?grid=a%00b")
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["query.grid"]


async def test_a_body_that_is_not_json_is_a_415_naming_the_content_type():
    response = await _post(content=b"a=1", headers={"content-type": "text/plain"})
    assert response.status_code == 415
    assert list(response.json()["error"]["fields"]) == ["header.content-type"]


async def test_malformed_json_names_the_body_and_the_position():
    response = await _post(content=b'{"a": 1,,}', headers={"content-type": "application/json"})
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert list(fields) == ["body"] and "malformed JSON at character" in fields["body"]


async def test_a_database_outage_is_a_503_with_retry_after_not_a_500():
    app = _app()

    @app.get("/down")
    async def down() -> None:
        raise asyncpg.exceptions.CannotConnectNowError("the database system is starting up")

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        response = await client.get("/down")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.json()["error"]["code"] == "unavailable"


async def test_deeply_nested_json_with_a_nul_is_a_4xx_not_a_500():
    body = b'{"a":' + b"[" * 5000 + b'"\\u0000"' + b"]" * 5000 + b"}"
    response = await _post(content=body, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500
    assert "body" in response.json()["error"]["fields"]


async def test_the_escaped_text_of_a_nul_is_not_mistaken_for_one():
    response = await _post(json={"path": "C:\\u0000"})
    assert response.status_code == 200
