"""Composition root of intake: settings, runtime, routes and the dispatch-event consumer.

    resident app --POST /v1/issues--> api -> handlers.report_issue --one tx--> events (outbox)
                                                                          + issues + timeline
                                                                          + idempotency_keys
    shared relay: events --(key = issue id)--> redgrid.intake.events --> dispatch
    POST /v1/issues/{id}/comments|cancel|confirm|reopen|rating -> actions.handlers --one tx-->
        events (outbox) + issues (pending action, rating) + timeline + idempotency_keys
    redgrid.dispatch.events --consumer group `intake`--> consumer.handler
        -> follow: issues.status/grid/staff/deadlines/meeting/department + timeline
        -> categories: category_limits (sla.changed)                     (+ processed_events, one tx)
    GET /v1/issues, /v1/issues/{id}, /v1/issues/{id}/timeline <- issues, issue_timeline
    GET /v1/categories <- catalogue + category_limits of the caller's community
    POST /v1/media -> media.handlers.upload: sniff + clean (Pillow) -> file, then media row
    /open311/v2/* -> open311.handlers: public reads of issues; POST -> handlers.report_issue
"""

from importlib import resources

from fastapi import FastAPI
from starlette.middleware import Middleware

from intake import api, consumer, ledger
from redgrid_shared import edge
from intake.actions import api as actions_api
from intake.categories import api as categories_api
from intake.media import router as media_router
from intake.media.limits import UploadLimit
from intake.media.storage import FolderStorage, MediaStorage
from intake.open311 import router as open311_router
from intake.settings import Settings
from redgrid_shared.clock import Clock, clock_from_settings
from redgrid_shared.runtime import Runtime
from redgrid_shared.service import create_service_app

MIGRATIONS = resources.files("intake") / "migrations"
DESCRIPTION = """Residents report problems and follow them to the fix.

Every `/v1` request except `GET /v1/categories` needs a bearer token (categories take one
optionally, to show the limits of the caller's community). Photos are uploaded to
`POST /v1/media` and listed by id in a report. Open311 GeoReport v2 clients use the public
routes under `/open311/v2/` (JSON or XML; a POST carries an `api_key` an admin issued).

Texts for people (`status_label`, timeline `summary`, category `label`) follow
`Accept-Language`: Simplified Chinese by default, English for `en`. Writes are rate-limited
per caller (429 with `Retry-After`); a body that does not arrive in time is cut off (408).
Errors on `/v1` always have the shape `{"error": {"code", "message", "fields"}}`, where
`fields` names each bad input (`body.category`, `query.cursor`); Open311 routes answer the
spec's error list. Times are ISO 8601 with an offset. Every POST accepts an
`Idempotency-Key` header: a retry with the same key and body gets the first response back
(except issuing an Open311 key, whose answer holds a secret that is never stored).
"""


def create_app(settings: Settings | None = None, runtime: Runtime | None = None,
               clock: Clock | None = None,
               media_storage: MediaStorage | None = None) -> FastAPI:
    """Build the intake app; tests pass their own settings, runtime, clock or photo storage."""
    settings = settings or Settings()
    clock = clock or clock_from_settings(settings)
    app = create_service_app(
        settings=settings, title="RedGrid intake", description=DESCRIPTION,
        routers=[api.router, actions_api.router, categories_api.router,
                 media_router.build_router(), *open311_router.ROUTERS, ledger.router],
        migrations=MIGRATIONS, runtime=runtime,
        consumers={settings.group_id: (consumer.TOPICS, consumer.handler)},
    )
    app.state.clock = clock
    app.state.media_storage = media_storage or FolderStorage(settings.media_dir)
    # Innermost, just around the routes: the shared layers (security headers, rate limit, the
    # input guard with its body deadline) see every upload and every 413 it answers.
    app.user_middleware.append(Middleware(UploadLimit, path="/v1/media",
                                          max_photo_bytes=settings.media_max_bytes))
    edge.install(app)
    return app
