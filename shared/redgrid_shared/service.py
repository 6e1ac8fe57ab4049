"""Builds a service's FastAPI app around a Runtime: lifespan, auth, errors, health, metrics."""

import gc
import logging
from contextlib import asynccontextmanager
from importlib.resources.abc import Traversable

import uvicorn
from fastapi import APIRouter, FastAPI

from redgrid_shared import deadletters_api, security, web
from redgrid_shared.auth import TokenVerifier
from redgrid_shared.runtime import Consumers, Runtime, Workers
from redgrid_shared.settings import ServiceSettings

log = logging.getLogger(__name__)
# A request allocates a few thousand short-lived objects (ASGI messages, pydantic models,
# asyncpg records): with the default first-generation threshold (700) the collector ran
# several times per request. The long-lived objects of start-up (routes, models, settings)
# are frozen out of every collection once the service is up.
GC_THRESHOLDS = (20_000, 20, 20)
_tuned_gc = False  # set by serve(): a service process, not an app built inside a test run


def create_service_app(*, settings: ServiceSettings, title: str, description: str,
                       routers: list[APIRouter], migrations: Traversable,
                       consumers: Consumers | None = None, relay: bool = True,
                       runtime: Runtime | None = None,
                       workers: Workers | None = None) -> FastAPI:
    """An app whose lifespan starts the runtime (pool, migrations, relay, consumers, then
    any extra background `workers`, e.g. timers)."""
    runtime = runtime or Runtime(settings, migrations=migrations)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if settings.uses_development_secret:
            log.warning("REDGRID_JWT_SECRET is the published development secret: anyone can "
                        "mint tokens; set a secret or REDGRID_JWKS_URL outside development")
        await runtime.launch(relay=relay, consumers=consumers, workers=workers)
        if _tuned_gc:
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # web.offline_docs serves /docs
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.verifier = TokenVerifier(secret=settings.jwt_secret,
                                       algorithm=settings.jwt_algorithm,
                                       jwks_url=settings.jwks_url)
    web.setup(app, {"startup": runtime.check_started, "database": runtime.check_database,
                    "broker": runtime.check_broker, "workers": runtime.check_workers},
              runtime=runtime)
    # Re-applying a dead letter needs the handler of the topic it came from.
    app.state.handlers = {topic: handler for topics, handler in (consumers or {}).values()
                          for topic in topics}
    security.install(app, settings)
    for router in [*routers, deadletters_api.router]:
        app.include_router(router)
    return app


def serve(settings: ServiceSettings, factory: str) -> None:
    """Run one service process with uvicorn on the configured port."""
    global _tuned_gc
    gc.set_threshold(*GC_THRESHOLDS)
    _tuned_gc = True
    logging.basicConfig(level=settings.log_level,
                        format=f"%(asctime)s {settings.service_name} %(levelname)s %(name)s: %(message)s")
    uvicorn.run(factory, factory=True, host="0.0.0.0", port=settings.port,
                log_level=settings.log_level.lower(), access_log=settings.access_log,
                server_header=False)
