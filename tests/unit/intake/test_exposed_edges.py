"""Photo uploads and Open311 posts behind the shared protections: the input guard's body
deadline, the write rate limit and the security headers, through the whole intake app. Every
request here is answered before a use case needs the database."""

import asyncio
import socket

import httpx
import pytest
import uvicorn
from starlette.middleware import Middleware

from intake.main import create_app
from intake.settings import Settings
from redgrid_shared import guards
from redgrid_shared.security import HEADERS
from tests.unit.intake.builders import SECRET, auth

NOT_A_PHOTO = {"file": ("p.jpg", b"GIF89a not really", "image/jpeg")}


def app_with(deadlines: dict | None = None, **settings):
    """The intake app; `deadlines` (body_timeout, upload_timeout) shorten the guard's."""
    app = create_app(Settings(jwt_secret=SECRET, **settings))
    if deadlines:
        app.user_middleware = [Middleware(guards.InputGuard, **deadlines)
                               if m.cls is guards.InputGuard else m for m in app.user_middleware]
    return app


def client_of(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake")


def assert_safe_headers(response: httpx.Response, cache: str = "no-store") -> None:
    for name, value in HEADERS.items():
        assert response.headers[name] == value, name
    assert response.headers["cache-control"] == cache
    assert "server" not in response.headers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _serve(app):
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off",
                                           log_level="warning", server_header=False))
    task = asyncio.create_task(server.serve())
    deadline = asyncio.get_running_loop().time() + 30
    while not server.started:
        assert not task.done() and asyncio.get_running_loop().time() < deadline, \
            "uvicorn did not start"
        await asyncio.sleep(0.01)
    return server, task, port


TOKEN = auth(sub="u-slow")["Authorization"].encode()
PHOTO_PART = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n"
              b"Content-Type: image/jpeg\r\n\r\n\xff\xd8\xff\xe0")
SLOW = {  # what never finishes -> (the deadline shortened, the request's start)
    "photo upload": ({"upload_timeout": 0.3},
                     b"POST /v1/media HTTP/1.1\r\nHost: t\r\nAuthorization: " + TOKEN
                     + b"\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                       b"Content-Length: 100000\r\n\r\n" + PHOTO_PART),
    "Open311 post": ({"body_timeout": 0.3},
                     b"POST /open311/v2/requests.json HTTP/1.1\r\nHost: t\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: 500\r\n\r\napi_key=o311_abc&service_code=rep"),
}


@pytest.mark.parametrize("what", list(SLOW))
async def test_a_body_that_never_finishes_is_cut_off_with_408_and_closed(what):
    deadlines, start = SLOW[what]
    server, task, port = await _serve(app_with(deadlines))
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(start)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), timeout=30)  # ends at EOF: closed
        writer.close()
    finally:
        server.should_exit = True
        await task
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), answer[:200]
    lower = head.lower()
    assert b"connection: close" in lower and b"x-content-type-options: nosniff" in lower
    assert b"cache-control: no-store" in lower and b"server:" not in lower
    assert b'"code":"request_timeout"' in body and b"0.3 s" in body
    assert body.count(b'{"error"') == 1  # what the route said after the cut is dropped


async def _upload_in_parts(guard, parts: list[bytes], *, stall: bool):
    """Drive `guard` over ASGI with a body in `parts`; after them, stall or end."""
    sent: list[dict] = []
    queue = [{"type": "http.request", "body": p, "more_body": True} for p in parts]

    async def receive():
        if queue:
            return queue.pop(0)
        if stall:
            await asyncio.Event().wait()  # the client never sends the rest
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/v1/media", "query_string": b"",
             "headers": [(b"content-type", b"multipart/form-data; boundary=b")]}
    await asyncio.wait_for(guard(scope, receive, send), timeout=10)
    return sent


async def _read_all(scope, receive, send):
    total = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            await send({"type": "http.response.start", "status": 400, "headers": []})
            await send({"type": "http.response.body", "body": b"route saw a disconnect"})
            return
        total += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 201, "headers": []})
    await send({"type": "http.response.body", "body": str(total).encode()})


async def test_the_upload_deadline_passes_a_whole_body_and_cuts_a_stalled_one():
    guard = guards.InputGuard(_read_all, upload_timeout=0.2)
    whole = await _upload_in_parts(guard, [b"a" * 300_000, b"b" * 300_000], stall=False)
    assert whole[0]["status"] == 201 and whole[1]["body"] == b"600000"  # over the JSON limit
    stalled = await _upload_in_parts(guard, [b"a" * 1000], stall=True)
    assert [m.get("status") for m in stalled if m["type"] == "http.response.start"] == [408]
    assert b"route saw a disconnect" not in b"".join(m.get("body", b"") for m in stalled)


def test_uploads_get_a_longer_deadline_than_json_bodies():
    assert guards.UPLOAD_TIMEOUT_SECONDS > guards.BODY_TIMEOUT_SECONDS


async def test_photo_uploads_count_against_the_callers_write_limit():
    async with client_of(app_with(rate_limit_writes="2/minute")) as client:
        me = auth(sub="u-uploads")
        codes = [(await client.post("/v1/media", files=NOT_A_PHOTO, headers=me)).status_code
                 for _ in range(3)]
        assert codes == [415, 415, 429]
        limited = await client.post("/v1/media", files=NOT_A_PHOTO, headers=me)
        assert limited.json()["error"]["code"] == "rate_limited" and limited.headers["retry-after"]
        assert_safe_headers(limited)
        # The same id in another community, and a neighbour, have budgets of their own.
        for other in (auth(sub="u-uploads", community="other"), auth(sub="u-next-door")):
            response = await client.post("/v1/media", files=NOT_A_PHOTO, headers=other)
            assert response.status_code == 415


async def test_open311_posts_count_against_the_client_address():
    async with client_of(app_with(rate_limit_writes="2/minute")) as client:
        codes = [(await client.post("/open311/v2/requests.json",
                                    data={"service_code": "repair.pipe"})).status_code
                 for _ in range(3)]
        assert codes == [403, 403, 429]  # no api_key: refused, and counted all the same


async def test_a_declared_oversized_upload_is_413_with_the_security_headers():
    async with client_of(app_with(media_max_bytes=1024)) as client:
        response = await client.post("/v1/media", content=b"x" * 200_000, headers={
            **auth(), "content-type": "multipart/form-data; boundary=b"})
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "payload_too_large"
        assert_safe_headers(response)


@pytest.mark.parametrize("method, path, kwargs, status", [
    ("POST", "/v1/media", {"files": NOT_A_PHOTO, "headers": auth()}, 415),
    ("POST", "/v1/media", {"content": b"{}", "headers": {**auth(), "content-type":
                                                         "application/json"}}, 415),
    ("POST", "/v1/media", {"files": NOT_A_PHOTO, "headers": auth(role="repairer")}, 403),
    ("GET", "/v1/media/med-0", {}, 401),
    ("POST", "/open311/v2/requests.xml", {"data": {"description": "x"}}, 403),
    ("GET", "/open311/v2/tokens/t-1.json", {}, 404),
    ("GET", "/open311/v2/nothing.here", {}, 404),
])
async def test_media_and_open311_answers_carry_the_security_headers(method, path, kwargs,
                                                                    status):
    async with client_of(app_with()) as client:
        response = await client.request(method, path, **kwargs)
    assert response.status_code == status, response.text
    assert_safe_headers(response)
