"""HTTP pieces every service mounts: errors, body limit, health, readiness, metrics, docs."""

import asyncio
from collections.abc import Awaitable, Callable
from importlib import resources

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from prometheus_fastapi_instrumentator import Instrumentator

from redgrid_shared import errors, guards, metrics

ReadinessCheck = Callable[[], Awaitable[None]]
SWAGGER_UI = resources.files("redgrid_shared") / "static" / "swagger-ui"
DOCS_ASSETS = "/docs/assets"


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


def setup(app: FastAPI, checks: dict[str, ReadinessCheck], *, runtime=None) -> None:
    """Mount error handlers, body limit, health routes, docs and /metrics on an app; with a
    runtime, /metrics adds its lag, outbox and dead-letter gauges."""
    errors.install(app)
    app.add_middleware(guards.InputGuard)
    app.include_router(health_router(checks))
    offline_docs(app)
    instrumentator = Instrumentator(excluded_handlers=["/metrics", "/healthz", "/readyz"])
    instrumentator.instrument(app)
    if runtime is None:
        instrumentator.expose(app, include_in_schema=False)
    else:
        metrics.expose(app, runtime)


def offline_docs(app: FastAPI) -> None:
    """`/docs` from Swagger UI files shipped in this package: no CDN, works offline. The app
    keeps no CDN-backed /docs or /redoc of FastAPI's own."""
    cdn_pages = {app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url} - {None}
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None)
                            not in cdn_pages]
    app.docs_url = app.redoc_url = None
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(SWAGGER_UI)), name="docs-assets")
    redirect = "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url, title=f"{app.title} - API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
            oauth2_redirect_url=redirect,
            # No badge fetched from validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None})

    @app.get(redirect, include_in_schema=False)
    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
