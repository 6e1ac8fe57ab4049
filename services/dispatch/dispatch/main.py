"""Composition root of dispatch: settings, runtime, routes and the intake consumer.

    admin  PUT /v1/grids/{id} ─> api.put_grid ─> handlers.configure_grid ─┐ one tx:
                                                                         ├ events (grid-<id>) + grids,
                                                                         │ grid_buildings, idempotency
    redgrid.intake.events ─> consumer (group dispatch) ─> handlers.assign_issue
        issue.reported ─> route() ─> events (issue-<id>, version 1) + dispatch_issues
                                     + processed_events, one tx
    events table (the outbox) ─> shared relay ─> redgrid.dispatch.events
        grid.configured, issue.assigned, issue.unroutable
"""

from collections.abc import Callable
from datetime import datetime, timezone
from importlib import resources

from fastapi import FastAPI

from redgrid_shared.runtime import Runtime
from redgrid_shared.service import create_service_app

from dispatch import api, consumer
from dispatch.settings import Settings

MIGRATIONS = resources.files("dispatch") / "migrations"
DESCRIPTION = """Grid directory and assignment of reported issues to the grid's steward and
repairer. Errors have one shape: `{"error": {"code", "message", "fields"}}`."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def create_app(settings: Settings | None = None, runtime: Runtime | None = None, *,
               clock: Callable[[], datetime] = utc_now) -> FastAPI:
    """The dispatch app; tests pass their own settings, runtime or clock."""
    settings = settings or Settings()
    app = create_service_app(
        settings=settings, title="RedGrid dispatch", description=DESCRIPTION,
        routers=[api.router], migrations=MIGRATIONS,
        consumers={settings.group_id: (consumer.TOPICS, consumer.handler(clock=clock))},
        runtime=runtime,
    )
    app.state.clock = clock
    return app
