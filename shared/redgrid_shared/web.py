"""HTTP pieces every service mounts: errors, body limit, health, readiness, metrics, docs."""

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from prometheus_fastapi_instrumentator import Instrumentator

from redgrid_shared import errors, guards

ReadinessCheck = Callable[[], Awaitable[None]]


class NotReady(RuntimeError):
    """A readiness failure whose message is safe to show on /readyz."""


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
            except NotReady as exc:
                results[name] = f"unavailable: {exc}"
            except Exception as exc:  # any failure means not ready; say which and why
                results[name] = f"unavailable: {type(exc).__name__}"
        ready = all(v == "ok" for v in results.values())
        return JSONResponse({"status": "ready" if ready else "not_ready", "checks": results},
                            status_code=200 if ready else 503)

    return router


def setup(app: FastAPI, checks: dict[str, ReadinessCheck]) -> None:
    """Mount error handlers, body limit, health routes and /metrics on an app."""
    errors.install(app)
    app.add_middleware(guards.InputGuard)
    app.include_router(health_router(checks))
    Instrumentator(excluded_handlers=["/metrics", "/healthz", "/readyz"]).instrument(app).expose(
        app, include_in_schema=False)
