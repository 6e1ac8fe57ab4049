"""Composition root of intake: settings, runtime, routes and the dispatch-event consumer.

    resident app --POST /v1/issues--> api -> handlers.report_issue --one tx--> events (outbox)
                                                                          + issues + timeline
                                                                          + idempotency_keys
    shared relay: events --(key = issue id)--> redgrid.intake.events --> dispatch
    redgrid.dispatch.events --consumer group `intake`--> consumer.handle
        -> issues.status/grid/staff/deadlines + timeline + processed_events (one tx)
    GET /v1/issues, /v1/issues/{id}, /v1/issues/{id}/timeline <- issues, issue_timeline
"""

from importlib import resources

from fastapi import FastAPI

from intake import api, consumer, ledger
from intake.settings import Settings
from redgrid_shared.runtime import Runtime
from redgrid_shared.service import create_service_app

MIGRATIONS = resources.files("intake") / "migrations"
DESCRIPTION = """Residents report problems and follow them to the fix.

Every request except `GET /v1/categories` needs a bearer token. Errors always have the shape
`{"error": {"code", "message", "fields"}}`, where `fields` names each bad input
(`body.category`, `query.cursor`). Times are ISO 8601 with an offset. Every POST accepts an
`Idempotency-Key` header: a retry with the same key and body gets the first response back.
"""


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Build the intake app; tests pass their own settings or runtime."""
    settings = settings or Settings()
    return create_service_app(
        settings=settings, title="RedGrid intake", description=DESCRIPTION,
        routers=[api.router, ledger.router], migrations=MIGRATIONS, runtime=runtime,
        consumers={settings.group_id: (consumer.TOPICS, consumer.handle)},
    )
