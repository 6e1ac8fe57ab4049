"""Ledger import, intake's part: the residents' facts and the resident's view of each issue.

    POST /v1/admin/import (admin) -> shared parse and plan -> one transaction:
        issue.reported / issue.confirmed / issue.rated (imported) on issue-<id>
        + issues row: the report, then every event of both services in order, through the
          same evolve functions the live paths use
        + timeline rows of every event (dispatch's too, under the same ids: when dispatch's
          imported events arrive, the timeline already holds them and they change nothing)
"""

import asyncpg

from intake import handlers, store
from intake.actions.decide import evolve_own
from intake.follow.evolve import evolve
from intake.responses import errors
from intake.timeline import timeline_data
from redgrid_shared import ledger, topics
from redgrid_shared.events import Envelope, IssueReported, parse
from redgrid_shared.ledger import record
from redgrid_shared.ledger.route import DESCRIBED, make_router


def replay(history: list[Envelope], *, version: int) -> tuple[dict, list[dict]]:
    """The issues row after every event of an imported issue (both services', in order), and
    each event's timeline entry as the live paths would have written it."""
    report = history[0]
    row = handlers.issue_from_reported(IssueReported.model_validate(report.data),
                                       at=report.time, version=version)
    entries = []
    for env in history:
        own = env.source.endswith("/intake")
        entries.append({"event_id": env.id, "type": env.short_type, "occurred_at": env.time,
                        "data": timeline_data(env.short_type, env.data,
                                              issue=None if own else row)})
        if env is not report:
            event = parse(env)
            row.update(evolve_own(event, event_id=env.id, at=env.time) if own
                       else evolve(row, event, at=env.time))
    return row, entries


async def after_write(conn: asyncpg.Connection, plan: ledger.Plan, outcome: record.Outcome) -> None:
    """Issue rows and timelines for the issues written now."""
    for stream in outcome.written:
        if not stream.stream_id.startswith("issue-"):
            continue
        theirs = plan.dispatch.get(stream.stream_id)
        history = ledger.in_order([*stream.events, *(theirs.events if theirs else [])])
        row, entries = replay(history, version=len(stream.events))
        await store.insert_issue(conn, row)
        for entry in entries:
            await store.add_timeline(conn, issue_id=stream.subject, **entry)


router = make_router(service="intake", topic=topics.INTAKE_EVENTS, after_write=after_write,
                     responses=errors(400, 401, 403, 408, 409, 413, 415, 422, 429, 503,
                                      described=DESCRIBED))
