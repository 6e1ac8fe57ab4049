"""Intake events in -> dispatch use cases, inside the shared loop's transaction.

The loop writes the processed-event row in the same transaction, so a redelivered event is
skipped; an event that fails here is parked in dead_letters by the loop.
"""

from redgrid_shared import topics
from redgrid_shared.apply import Batched
from redgrid_shared.clock import Clock
from redgrid_shared.consumer import Handler
from redgrid_shared.events import Envelope, IssueReported

from dispatch.sla.limits import Timing
from dispatch.workflow import resident, routing

TOPICS = (topics.INTAKE_EVENTS,)


def handler(*, clock: Clock, timing: Timing) -> Handler:
    """The consumer handler for the intake topic; types dispatch does not act on are skipped.

    A batch's events are taken in log order; each run of reports between other events is
    routed together (routing.assign_issues), so an action on an issue reported earlier in
    the same batch finds it routed."""

    async def handle_many(conn, envs: list[Envelope]) -> None:
        reports: list[Envelope] = []
        for env in envs:
            if env.data.get("imported"):
                continue  # history from a ledger: its staff facts were imported too
            if env.short_type == IssueReported.TYPE:
                reports.append(env)
            elif env.short_type in resident.ACTIONS:
                if reports:
                    await routing.assign_issues(conn, reports, clock=clock, timing=timing)
                    reports = []
                await resident.settle_action(conn, env, clock=clock, timing=timing)
        if reports:
            await routing.assign_issues(conn, reports, clock=clock, timing=timing)

    return Batched(handle_many)
