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

    timers worker (every TIMER_POLL_SECONDS): due timer, FOR UPDATE SKIP LOCKED
        one tx: timer fired + issue.overdue & issue.escalated | issue.closed

    events table (the outbox) -> shared relay -> redgrid.dispatch.events
"""

from importlib import resources

from fastapi import FastAPI

from redgrid_shared.clock import Clock, clock_from_settings
from redgrid_shared.runtime import Runtime
from redgrid_shared.service import create_service_app

from dispatch import consumer, ledger
from redgrid_shared import edge
from dispatch.campaigns import api as campaigns_api
from dispatch.grids import api as grids_api
from dispatch.meetings import api as meetings_api
from dispatch.sla import api as sla_api
from dispatch.staffing import api as staffing_api
from dispatch.timers.worker import TimerWorker
from dispatch.workflow import api as workflow_api
from dispatch.workflow import lists as workflow_lists
from dispatch.settings import Settings

MIGRATIONS = resources.files("dispatch") / "migrations"
DESCRIPTION = """Grid directory, assignment of reported issues to the grid's steward and
repairer, the staff workflow (签收 accept, start, 办结 resolve, 退单 return, escalate, refer),
the operator queue, SLA limits and their deadlines; 逢四说事 meetings (agenda, minutes),
专项整治 campaigns, staff leave and backups, grid history. Every POST and PUT accepts an
`Idempotency-Key`. Errors have one shape: `{"error": {"code", "message", "fields"}}`; an action
the issue's status does not allow is 409 `wrong_status` with `fields.status`."""


def create_app(settings: Settings | None = None, runtime: Runtime | None = None, *,
               clock: Clock | None = None) -> FastAPI:
    """The dispatch app; tests pass their own settings, runtime or clock."""
    settings = settings or Settings()
    clock = clock or clock_from_settings(settings)
    app = create_service_app(
        settings=settings, title="RedGrid dispatch", description=DESCRIPTION,
        routers=[grids_api.router, workflow_api.router, workflow_lists.router,
                 sla_api.router, meetings_api.router, campaigns_api.router,
                 staffing_api.router, ledger.router], migrations=MIGRATIONS,
        consumers={settings.group_id: (
            consumer.TOPICS, consumer.handler(clock=clock, timing=settings.timing))},
        workers={"timers": lambda runtime: TimerWorker(
            pool=runtime.pool, clock=clock, poll_seconds=settings.timer_poll_seconds).run()},
        runtime=runtime,
    )
    app.state.clock = clock
    edge.install(app)
    return app
