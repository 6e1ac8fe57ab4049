"""Ledger import, dispatch's part: the staff's facts, meetings and campaigns of the past.

    POST /v1/admin/import (admin) -> shared parse and plan -> one transaction:
        issue.assigned / accepted / escalated / referred / resolved / closed (imported)
        on issue-<id>, meeting.held on meeting-<community>/<date>, campaign.* on
        campaign-<community>/<id>
        + the working row of each issue, folded from its imported events

The working row lets staff and residents carry on with an issue the ledger left open (sign it
off, resolve it, confirm it); no timer is written, so no clock ever fires for the imported
past. The consumer skips intake's imported reports instead of routing them again.
"""

import asyncpg

from redgrid_shared import ledger, topics
from redgrid_shared.events import IssueReported, parse
from redgrid_shared.ledger import record
from redgrid_shared.ledger.route import make_router

from dispatch.workflow import store
from dispatch.workflow.aggregate import fold
from dispatch.workflow.stream import seed


async def after_write(conn: asyncpg.Connection, plan: ledger.Plan,
                      outcome: record.Outcome) -> None:
    """Working rows for the issues written now (timers are left alone on purpose)."""
    for stream in outcome.written:
        if not stream.stream_id.startswith("issue-"):
            continue
        reported = plan.intake[stream.stream_id].events[0]
        await store.record_report(conn, IssueReported.model_validate(reported.data),
                                  reported_at=reported.time)
        row = await store.issue_row(conn, stream.subject)
        issue = fold(((parse(e), e.time) for e in stream.events), seed(row))
        await store.save(conn, issue, at=stream.events[-1].time)


router = make_router(service="dispatch", topic=topics.DISPATCH_EVENTS, after_write=after_write)
