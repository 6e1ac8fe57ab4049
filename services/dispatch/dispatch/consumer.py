"""Intake events in -> dispatch use cases, inside the shared loop's transaction.

The loop writes the processed-event row in the same transaction, so a redelivered event is
skipped; an event that fails here is parked in dead_letters by the loop.
"""

from redgrid_shared import topics
from redgrid_shared.clock import Clock
from redgrid_shared.consumer import Handler
from redgrid_shared.events import Envelope, IssueReported

from dispatch.sla.limits import Timing
from dispatch.workflow import resident, routing

TOPICS = (topics.INTAKE_EVENTS,)


def handler(*, clock: Clock, timing: Timing) -> Handler:
    """The consumer handler for the intake topic; types dispatch does not act on are skipped."""
    routes = {IssueReported.TYPE: routing.assign_issue,
              **{t: resident.settle_action for t in resident.ACTIONS}}

    async def handle(conn, env: Envelope) -> None:
        if env.data.get("imported"):
            return  # history from a ledger: its staff facts were imported too (dispatch.ledger)
        use_case = routes.get(env.short_type)
        if use_case is not None:
            await use_case(conn, env, clock=clock, timing=timing)

    return handle
