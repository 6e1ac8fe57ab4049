"""Ledger import, intake's part: the residents' facts and the resident's view of each issue.

    POST /v1/admin/import (admin) -> shared parse and plan -> one transaction:
        issue.reported / issue.confirmed / issue.rated (imported) on issue-<id>
        + issues row with the status the ledger ends in + timeline rows of every event
          (dispatch's too, under the same ids: when dispatch's imported events arrive, the
          timeline already holds them and they change nothing)
"""

from datetime import date, datetime

import asyncpg

from intake import handlers, store
from intake.responses import errors
from redgrid_shared import ledger, topics
from redgrid_shared.events import Envelope, IssueReported
from redgrid_shared.ledger import record
from redgrid_shared.ledger.route import DESCRIBED, make_router


def view_row(issue_id: str, events: list[Envelope], *, version: int) -> dict:
    """The issues row after every event of an imported issue (both services', time order)."""
    row = handlers.issue_from_reported(IssueReported.model_validate(events[0].data),
                                       at=events[0].time, version=version)
    for env in events[1:]:
        data = env.data
        if "status" in data:
            row["status"] = data["status"]
        if env.short_type == "issue.assigned":
            row.update(grid_id=data["grid_id"], steward_id=data["steward_id"],
                       repairer_id=data["repairer_id"],
                       signoff_due_at=datetime.fromisoformat(data["signoff_due_at"]),
                       completion_limit_minutes=data["completion_limit_minutes"],
                       completion_due_at=None)
        elif env.short_type == "issue.accepted":
            row["completion_due_at"] = datetime.fromisoformat(data["completion_due_at"])
        elif env.short_type == "issue.escalated":
            row["meeting_date"] = date.fromisoformat(data["meeting_date"])
        row["updated_at"] = env.time
    return row


async def after_write(conn: asyncpg.Connection, plan: ledger.Plan, outcome: record.Outcome) -> None:
    """Issue rows and timelines for the issues written now."""
    for stream in outcome.written:
        if not stream.stream_id.startswith("issue-"):
            continue
        issue_id = stream.subject
        theirs = plan.dispatch.get(stream.stream_id)
        every = ledger.in_order([*stream.events, *(theirs.events if theirs else [])])
        await store.insert_issue(conn, view_row(issue_id, every, version=len(stream.events)))
        for env in every:
            await store.add_timeline(conn, event_id=env.id, issue_id=issue_id,
                                     type=env.short_type, occurred_at=env.time,
                                     data=handlers.timeline_data(env.short_type, env.data))


router = make_router(service="intake", topic=topics.INTAKE_EVENTS, after_write=after_write,
                     responses=errors(400, 401, 403, 408, 409, 413, 415, 422, 429, 503,
                                      described=DESCRIBED))
