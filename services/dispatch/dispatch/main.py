"""Composition root of dispatch: settings, runtime, routes and the intake consumer.

    PUT /v1/grids/{id} (admin)
        grids.api.put_grid -> grids.service.configure_grid -> grids.domain.decide_configure()
        one tx: grid.configured on stream grid-<community>/<id> + grids, grid_buildings,
                idempotency_keys (a grid is (community, grid_id))

    redgrid.intake.events --(group dispatch)--> consumer.handle
        issue.reported -> workflow.routing.assign_issue -> route()
        one tx: issue.assigned | issue.unroutable on stream issue-<id> (version 1 only)
                + dispatch_issues + timers + processed_events (written by the shared loop)

    every change of an issue: workflow.stream.load -> workflow.decide|automatic -> stream.append
        one tx: events on issue-<id> (expected version) + dispatch_issues + timers

    events table (the outbox) -> shared relay -> redgrid.dispatch.events
"""

from importlib import resources

from fastapi import FastAPI

from redgrid_shared.clock import Clock, system_clock
from redgrid_shared.runtime import Runtime
from redgrid_shared.service import create_service_app

from dispatch import consumer, edge
from dispatch.campaigns import api as campaigns_api
from dispatch.grids import api as grids_api
from dispatch.meetings import api as meetings_api
from dispatch.staffing import api as staffing_api
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
        routers=[grids_api.router, campaigns_api.router, staffing_api.router,
                 meetings_api.router], migrations=MIGRATIONS,
        consumers={settings.group_id: (
            consumer.TOPICS, consumer.handler(clock=clock, timing=settings.timing))},
        runtime=runtime,
    )
    app.state.clock = clock
    edge.install(app)
    return app
