"""Composition root of the stats service.

    redgrid.intake.events ──┐
                            ├─> ConsumerLoop (group "stats") ─> projections.handler (a batch
    redgrid.dispatch.events ┘     at a time) + processed(event_id), one transaction, then commit
                                     │
       timeline.derive (per issue) ─> issue_flows · issue_states · counters (day/month/year)
                                     │                                     (schema "stats")
    GET /v1/stats/* ─> api.py ─> scope ─> views.py ─> queries.py ─> figures.py ─> JSON | CSV
    GET /dashboard  ─> static page calling the JSON API
    python -m stats.rebuild | POST /v1/stats/rebuild ─> the same projections from offset 0
                               into "stats_next", then an atomic switch of schema names

Stats produces no events, so no outbox relay runs.
"""

from fastapi import FastAPI

from redgrid_shared.clock import Clock, clock_from_settings
from redgrid_shared.runtime import Runtime
from redgrid_shared.service import create_service_app

from stats import admin, api, dashboard, projections
from stats.settings import MIGRATIONS, TOPICS, Settings


def create_app(settings: Settings | None = None, runtime: Runtime | None = None,
               clock: Clock | None = None) -> FastAPI:
    """The stats app; tests pass settings, a started runtime or a fixed clock."""
    settings = settings or Settings()
    app = create_service_app(
        settings=settings, title="RedGrid stats",
        description="Read models for operations dashboards, rebuildable from the event log.",
        routers=[api.router, admin.router, dashboard.router],
        migrations=MIGRATIONS, relay=False, runtime=runtime,
        consumers={settings.group_id: (TOPICS, projections.handler)},
    )
    app.state.clock = clock or clock_from_settings(settings)
    return app
