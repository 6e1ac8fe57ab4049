"""Composition root of dispatch: settings, runtime, routes and the intake consumer.

    PUT /v1/grids/{id} (admin)
        api.put_grid -> handlers.configure_grid -> decide_configure()
        one tx: grid.configured on stream grid-<community>/<id> + grids, grid_buildings,
                idempotency_keys (a grid is (community, grid_id))

    redgrid.intake.events --(group dispatch)--> consumer.handle
        issue.reported -> handlers.assign_issue -> route()
        one tx: issue.assigned | issue.unroutable on stream issue-<id> (version 1 only)
                + dispatch_issues + processed_events (written by the shared loop)

    events table (the outbox) -> shared relay -> redgrid.dispatch.events
"""

from importlib import resources

from fastapi import FastAPI

from redgrid_shared.clock import Clock, system_clock
from redgrid_shared.runtime import Runtime
from redgrid_shared.service import create_service_app

from dispatch import api, consumer, ledger
from dispatch.settings import Settings

MIGRATIONS = resources.files("dispatch") / "migrations"
DESCRIPTION = """Grid directory and assignment of reported issues to the grid's steward and
repairer. Errors have one shape: `{"error": {"code", "message", "fields"}}`."""


def create_app(settings: Settings | None = None, runtime: Runtime | None = None, *,
               clock: Clock = system_clock) -> FastAPI:
    """The dispatch app; tests pass their own settings, runtime or clock."""
    settings = settings or Settings()
    app = create_service_app(
        settings=settings, title="RedGrid dispatch", description=DESCRIPTION,
        routers=[api.router, ledger.router], migrations=MIGRATIONS,
        consumers={settings.group_id: (consumer.TOPICS, consumer.handler(clock=clock))},
        runtime=runtime,
    )
    app.state.clock = clock
    return app
