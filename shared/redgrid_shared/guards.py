"""Request checks that run before routing, so bad input never reaches a handler or the
database: body size (declared or streamed), JSON content type, and NUL characters, which
PostgreSQL cannot store in text and would otherwise surface as a 500.

Upload paths (photos) take multipart bodies larger than the JSON limit: the guard checks
their content type, leaves the size to the route's own streamed limit, and lets the route
read the body as it streams; it still cuts off a body that is not whole in time (408).
"""

import asyncio
import json
from urllib.parse import parse_qsl

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from redgrid_shared import errors

MAX_BODY_BYTES = 256 * 1024
# Paths that take a whole file in one request (a year of paper ledgers, imported atomically).
LARGE_BODY_PATHS = {"/v1/admin/import": 16 * 1024 * 1024}
# A client that starts a body and never finishes it is answered 408 and its connection closed
# after this long, instead of holding a worker and a connection open.
BODY_TIMEOUT_SECONDS = 10.0
# An upload may be up to a few MiB from a phone on a slow network: it gets longer, e.g. 8 MiB
# at about 1.2 Mbit/s.
UPLOAD_TIMEOUT_SECONDS = 60.0
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})
FORM_TYPE = b"application/x-www-form-urlencoded"
MULTIPART_TYPE = b"multipart/form-data"
NUL = "\x00"


class InputGuard:
    """Plain ASGI middleware (no body copying for requests without one). Paths under
    `form_prefixes` take form-encoded bodies (Open311 GeoReport v2 POSTs are form-encoded)."""

    def __init__(self, app: ASGIApp, *, form_prefixes: tuple[str, ...] = ("/open311/",),
                 body_timeout: float = BODY_TIMEOUT_SECONDS,
                 upload_timeout: float = UPLOAD_TIMEOUT_SECONDS,
                 upload_paths: frozenset[str] = frozenset({"/v1/media"})):
        self.app = app
        self._form_prefixes = form_prefixes
        self._body_timeout = body_timeout
        self._upload_timeout = upload_timeout
        self._upload_paths = upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = _check_target(scope)
        if problem is None and scope["method"] in WRITE_METHODS \
                and scope["path"] in self._upload_paths:
            problem = _check_upload(scope)
            if problem is None:
                await _with_deadline(self.app, self._upload_timeout)(scope, receive, send)
                return
        elif problem is None and scope["method"] in WRITE_METHODS:
            body, problem = await _read_body(scope, receive, self._body_timeout)
            if problem is None:
                problem = self._check_body(scope, body)
            receive = _replay(body, receive)
        if problem is not None:
            await _reject(*problem)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _check_body(self, scope: Scope, body: bytes) -> tuple | None:
        if not body:
            return None
        content_type = _header(scope, b"content-type").split(b";")[0].strip().lower()
        if scope["path"].startswith(self._form_prefixes) and content_type == FORM_TYPE:
            pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
            bad = next((k for k, v in pairs if NUL in k or NUL in v), None)
            return _nul_problem(f"body.{bad}") if bad is not None else None
        if content_type != b"application/json" and not content_type.endswith(b"+json"):
            return (415, "unsupported_media_type", "send the body as application/json",
                    {"header.content-type": "must be application/json"})
        if b"\\u0000" not in body and b"\x00" not in body:
            return None
        try:
            where = _find_nul(json.loads(body), "body")
        except (ValueError, RecursionError):
            return None  # malformed or absurdly deep JSON: FastAPI answers it
        # No string holds a NUL (e.g. the text "\\u0000" itself): nothing to refuse here.
        return _nul_problem(where) if where else None


def _header(scope: Scope, name: bytes) -> bytes:
    return next((v for k, v in scope["headers"] if k == name), b"")


def _check_upload(scope: Scope) -> tuple | None:
    """Uploads come as multipart/form-data; their size limit belongs to the route."""
    content_type = _header(scope, b"content-type").split(b";")[0].strip().lower()
    if content_type == MULTIPART_TYPE:
        return None
    return (415, "unsupported_media_type", "send the photo as multipart/form-data",
            {"header.content-type": "must be multipart/form-data"})


def _check_target(scope: Scope) -> tuple | None:
    """NUL in the path or the query string."""
    if NUL in scope["path"]:
        return _nul_problem("path")
    query = scope.get("query_string", b"").decode("latin-1")
    pairs = parse_qsl(query, keep_blank_values=True, encoding="utf-8", errors="replace")
    bad = next((k for k, v in pairs if NUL in k or NUL in v), None)
    return _nul_problem(f"query.{bad}") if bad is not None else None


async def _read_body(scope: Scope, receive: Receive,
                     timeout: float) -> tuple[bytes, tuple | None]:
    """The whole body, or a 413 problem once it passes the limit (declared or streamed), or
    a 408 problem when it is not complete within `timeout` seconds."""
    limit = LARGE_BODY_PATHS.get(scope["path"], MAX_BODY_BYTES)
    declared = _header(scope, b"content-length")
    if declared.isdigit() and int(declared) > limit:
        return b"", _too_large(limit)
    chunks, size = [], 0
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            # A deadline on this task, not a task per read as wait_for would make.
            async with asyncio.timeout_at(deadline):
                message = await receive()
        except TimeoutError:
            return b"", _timeout_problem(timeout)
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), None


def _timeout_problem(timeout: float) -> tuple:
    return (408, "request_timeout", f"the request body did not arrive within {timeout:g} s",
            {"body": "incomplete"})


def _with_deadline(app: ASGIApp, timeout: float) -> ASGIApp:
    """`app` reading its body as it streams, but only until `timeout` seconds from now: then
    the client is answered 408 (connection closed) and the app sees a disconnect, whatever
    it answers after that is dropped. A response the app already started is left alone."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        state = {"whole": False, "started": False, "cut": False}

        async def timed_receive() -> Message:
            if state["cut"]:
                return {"type": "http.disconnect"}
            if state["whole"] or state["started"]:
                return await receive()  # e.g. waiting for a disconnect: no deadline
            try:
                message = await asyncio.wait_for(receive(), deadline - loop.time())
            except TimeoutError:
                state["cut"] = True
                await _reject(*_timeout_problem(timeout))(scope, receive, send)
                return {"type": "http.disconnect"}
            if message["type"] != "http.request" or not message.get("more_body", False):
                state["whole"] = True
            return message

        async def guarded_send(message: Message) -> None:
            if state["cut"]:
                return
            state["started"] = True
            await send(message)

        await app(scope, timed_receive, guarded_send)

    return guarded


def _replay(body: bytes, original: Receive) -> Receive:
    """Hand the body already read to the app, then pass through (e.g. a real disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await original()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _find_nul(value, path: str) -> str | None:
    """Dotted location of the first string (or key) holding a NUL character."""
    if isinstance(value, str):
        return path if NUL in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) \
        if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(key, str) and NUL in key:
            return path
        found = _find_nul(item, f"{path}.{key}")
        if found:
            return found
    return None


def _too_large(limit: int = MAX_BODY_BYTES) -> tuple:
    return (413, "payload_too_large", f"request body is over {limit} bytes",
            {"body": "too large"})


def _nul_problem(field: str) -> tuple:
    return (422, "invalid_request", f"invalid fields: {field}",
            {field: "must not contain the NUL character (\\u0000)"})


def _reject(status: int, code: str, message: str, fields: dict) -> JSONResponse:
    # A body cut off or refused unread leaves the connection in an unknown state: close it.
    headers = {"Connection": "close"} if status in (408, 413) else None
    return JSONResponse(errors.error_body(code, message, fields), status_code=status,
                        headers=headers)
