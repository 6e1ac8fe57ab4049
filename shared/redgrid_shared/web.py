"""HTTP pieces every service mounts: errors, body limit, health, readiness, metrics, docs."""

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_fastapi_instrumentator import Instrumentator
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from redgrid_shared import errors

MAX_BODY_BYTES = 256 * 1024
ReadinessCheck = Callable[[], Awaitable[None]]


class BodyLimit:
    """Refuse oversized bodies with 413 before anything parses them (plain ASGI, no copying)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = dict(scope["headers"]).get(b"content-length", b"")
            if length.isdigit() and int(length) > MAX_BODY_BYTES:
                response = JSONResponse(errors.error_body(
                    "payload_too_large", f"request body is over {MAX_BODY_BYTES} bytes",
                    {"body": "too large"}), status_code=413)
                await response(scope, receive, send)
                return
            await self.app(scope, _counting(receive), send)
            return
        await self.app(scope, receive, send)


def _counting(receive: Receive) -> Receive:
    """A receive that stops a chunked body (no content-length) once it passes the limit."""
    seen = 0

    async def limited() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > MAX_BODY_BYTES:
            raise HTTPException(413, f"request body is over {MAX_BODY_BYTES} bytes")
        return message

    return limited


def health_router(checks: dict[str, ReadinessCheck]) -> APIRouter:
    """`/healthz` (the process answers) and `/readyz` (each dependency answers)."""
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process is serving")
    async def healthz() -> dict:
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: database and broker reachable")
    async def readyz() -> JSONResponse:
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check(), timeout=2)
                results[name] = "ok"
            except Exception as exc:  # any failure means not ready; say which and why
                results[name] = f"unavailable: {type(exc).__name__}"
        ready = all(v == "ok" for v in results.values())
        return JSONResponse({"status": "ready" if ready else "not_ready", "checks": results},
                            status_code=200 if ready else 503)

    return router


def setup(app: FastAPI, checks: dict[str, ReadinessCheck]) -> None:
    """Mount error handlers, body limit, health routes and /metrics on an app."""
    errors.install(app)
    app.add_middleware(BodyLimit)
    app.include_router(health_router(checks))
    Instrumentator(excluded_handlers=["/metrics", "/healthz", "/readyz"]).instrument(app).expose(
        app, include_in_schema=False)
