"""Resident actions recorded by intake (cancel, confirm, reopen), settled on dispatch's
stream: applied if the issue still allows it, refused otherwise (docs/architecture.md)."""

import asyncpg

from redgrid_shared.clock import Clock
from redgrid_shared.events import Envelope, IssueCancelled, IssueConfirmed, IssueReopened
from redgrid_shared.eventstore import ConcurrencyConflict

from redgrid_shared.domain import Invalid, NotFound
from dispatch.sla.limits import Timing
from dispatch.staffing import store as staffing
from dispatch.workflow import automatic, service, stream

ACTIONS = {IssueCancelled.TYPE: ("cancel", IssueCancelled),
           IssueConfirmed.TYPE: ("confirm", IssueConfirmed),
           IssueReopened.TYPE: ("reopen", IssueReopened)}
ATTEMPTS = 50  # each attempt follows a write that won; the stream cannot move forever


async def settle_action(conn: asyncpg.Connection, env: Envelope, *, clock: Clock,
                        timing: Timing) -> None:
    """Append issue.resident-action-settled (and what follows from it) for one action."""
    action, model = ACTIONS[env.short_type]
    data = model.model_validate(env.data)
    for _ in range(ATTEMPTS):
        try:
            issue = await stream.load(conn, data.issue_id)
        except NotFound:
            return  # never reported to dispatch: nothing to settle
        if issue.community != data.community:
            # A resident acts on their own community's issues only: refused (parked).
            raise Invalid("data.community", f"issue {data.issue_id} belongs to community "
                          f"{issue.community}, not {data.community}")
        now = clock()
        grid = await service.grid_of(conn, issue.community, issue.grid_id)
        events = automatic.settle(issue, action=action, action_event_id=str(env.id),
                                  by=data.by, at=env.time, grid=grid,
                                  limits=await service.limits_of(conn, issue), now=now,
                                  timing=timing,
                                  away=await staffing.away(conn, issue.community))
        try:
            await stream.append(conn, issue, events, now=now)
            return
        except ConcurrencyConflict:
            continue  # a staff action or a timer got in first: settle on the new state
    raise ConcurrencyConflict(stream.issue_stream(data.issue_id), -1)
