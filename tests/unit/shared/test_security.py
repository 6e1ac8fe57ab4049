"""Safe to expose to phones: security headers, the write rate limit, plain 401 messages, a
body-read timeout, no Server banner. The apps here answer before any database is needed."""

import asyncio
import socket

import httpx
import pytest
import uvicorn
from fastapi.responses import JSONResponse

from intake.main import create_app
from intake.settings import Settings
from redgrid_shared import service
from redgrid_shared.guards import InputGuard
from redgrid_shared.security import HEADERS
from tests.unit.intake.builders import SECRET, auth, report

BAD_REPORT = report(category="no.such.category")  # 422 before any database work


def client_of(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake")


@pytest.fixture
async def limited():
    async with client_of(create_app(Settings(jwt_secret=SECRET,
                                             rate_limit_writes="3/minute"))) as c:
        yield c


async def test_writes_over_the_limit_are_429_with_retry_after(limited):
    me = auth(sub="u-rate")
    for _ in range(3):
        assert (await limited.post("/v1/issues", json=BAD_REPORT, headers=me)).status_code == 422
    response = await limited.post("/v1/issues", json=BAD_REPORT, headers=me)
    assert response.status_code == 429
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert response.json()["error"]["code"] == "rate_limited"


async def test_each_caller_has_its_own_budget_even_with_the_same_id(limited):
    for _ in range(4):
        await limited.post("/v1/issues", json=BAD_REPORT, headers=auth(sub="u-twin"))
    for neighbour in (auth(sub="u-twin", community="other"), auth(sub="u-twin", role="steward"),
                      auth(sub="u-other")):
        assert (await limited.post("/v1/issues", json=BAD_REPORT,
                                   headers=neighbour)).status_code == 422


async def test_reads_are_not_limited(limited):
    for _ in range(10):
        assert (await limited.get("/v1/categories")).status_code == 200


async def test_writes_without_a_valid_token_count_against_the_address(limited):
    codes = [(await limited.post("/v1/issues", json=BAD_REPORT,
                                 headers={"Authorization": "Bearer forged"})).status_code
             for _ in range(4)]
    assert codes == [401, 401, 401, 429]


def test_a_malformed_limit_fails_at_start():
    with pytest.raises(ValueError):
        Settings(rate_limit_writes="lots per fortnight")


@pytest.fixture
async def client():
    async with client_of(create_app(Settings(jwt_secret=SECRET))) as c:
        yield c


@pytest.mark.parametrize("method, path, kwargs, status", [
    ("GET", "/v1/categories", {}, 200),
    ("GET", "/v1/issues", {}, 401),
    ("GET", "/no/such/page", {}, 404),
    ("POST", "/v1/issues", {"json": BAD_REPORT, "headers": auth()}, 422),
    ("POST", "/v1/issues", {"content": b"x", "headers": {**auth(), "content-type": "text/plain"}},
     415),
    ("GET", "/openapi.json", {}, 200),
])
async def test_every_answer_carries_the_security_headers_and_no_server(client, method, path,
                                                                        kwargs, status):
    response = await client.request(method, path, **kwargs)
    assert response.status_code == status
    for name, value in HEADERS.items():
        assert response.headers[name] == value
    assert response.headers["cache-control"] == "no-store"
    assert "server" not in response.headers


@pytest.mark.parametrize("token", [
    "garbage", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
    auth(secret="another-secret-of-at-least-32-bytes!")["Authorization"].split()[1],
])
async def test_401_says_invalid_token_and_nothing_of_the_library(client, token):
    response = await client.get("/v1/issues", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["error"] == {"code": "invalid_token", "message": "invalid token",
                                        "fields": {}}


async def test_an_expired_token_is_401_in_plain_words(client):
    response = await client.get("/v1/issues", headers=auth(ttl_seconds=-10))
    assert response.json()["error"]["message"] == "invalid token: it has expired"


async def _echo(scope, receive, send):
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await JSONResponse({"bytes": len(body)})(scope, receive, send)


async def test_a_body_that_never_finishes_is_cut_off_with_408():
    guard = InputGuard(_echo, body_timeout=0.2)
    sent: list[dict] = []
    first = True

    async def receive():
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": b'{"a": ', "more_body": True}
        await asyncio.Event().wait()  # the client never sends the rest

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/x", "query_string": b"",
             "headers": [(b"content-type", b"application/json"), (b"content-length", b"100")]}
    await asyncio.wait_for(guard(scope, receive, send), timeout=10)
    start = sent[0]
    assert start["status"] == 408
    assert (b"connection", b"close") in start["headers"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_uvicorn_closes_the_connection_of_a_slow_body():
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(InputGuard(_echo, body_timeout=0.3), host="127.0.0.1",
                                           port=port, log_level="warning", server_header=False,
                                           lifespan="off"))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /x HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n{\"a\": ")
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), timeout=10)  # read() ends at EOF: closed
        assert answer.startswith(b"HTTP/1.1 408")
        assert b"server:" not in answer.lower()
        writer.close()
    finally:
        server.should_exit = True
        await task


def test_serve_runs_uvicorn_without_a_server_banner(monkeypatch):
    seen = {}
    monkeypatch.setattr(service.uvicorn, "run", lambda *a, **kw: seen.update(kw))
    service.serve(Settings(), "intake.main:create_app")
    assert seen["server_header"] is False
