"""Composition root of the stats service.

    redgrid.intake.events ──┐
                            ├─> ConsumerLoop (group "stats") ─> projections.apply()
    redgrid.dispatch.events ┘     + processed(event_id), one transaction, then commit offset
                                     │
                  issue_facts · issue_status_changes · grid_owners   (schema "stats")
                                     │
    GET /v1/stats/* ─> api.py ─> scope (role, community, dates) ─> queries.py ─> figures.py
    GET /dashboard  ─> static page calling the JSON API with a pasted token
    python -m stats.rebuild ─> the same projections from offset 0 into another schema

Stats produces no events, so no outbox relay runs.
"""

from collections.abc import Callable
from datetime import datetime
from importlib import resources

from fastapi import FastAPI

from redgrid_shared import topics
from redgrid_shared.runtime import Runtime
from redgrid_shared.service import create_service_app

from stats import api, dashboard, projections
from stats.settings import Settings

MIGRATIONS = resources.files("stats") / "migrations"
TOPICS = (topics.INTAKE_EVENTS, topics.DISPATCH_EVENTS)


def create_app(settings: Settings | None = None, runtime: Runtime | None = None,
               clock: Callable[[], datetime] | None = None) -> FastAPI:
    """The stats app; tests pass settings, a started runtime or a fixed clock."""
    settings = settings or Settings()
    app = create_service_app(
        settings=settings, title="RedGrid stats",
        description="Read models for operations dashboards, rebuildable from the event log.",
        routers=[api.router, dashboard.router], migrations=MIGRATIONS, relay=False, runtime=runtime,
        consumers={settings.group_id: (TOPICS, projections.apply)},
    )
    app.state.clock = clock
    return app
