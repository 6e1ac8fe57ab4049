"""Read side of meetings: a meeting's agenda with each issue's summary and history."""

from datetime import date, datetime

import asyncpg

from redgrid_shared import catalog

from dispatch.meetings import store
from dispatch.meetings.calendar import local_date
from dispatch.meetings.models import (AgendaItem, Decision, EscalationView, HistoryEntry,
                                      MeetingView, MinutesView)
from dispatch.workflow import store as work

# Carried by every issue step; the history entry shows them as its own fields.
_STEP_FIELDS = {"issue_id", "community", "status", "by"}


async def meeting(conn: asyncpg.Connection, *, community: str, meeting_date: date,
                  now: datetime) -> MeetingView:
    """Held: the items the minutes decided; otherwise the issues awaiting that day."""
    held = await store.minutes(conn, community, meeting_date)
    if held is not None:
        decisions = [Decision.model_validate(d) for d in held["decisions"]]
        ids = [d.issue_id for d in decisions]
        status = "held"
    else:
        decisions = []
        ids = [r["issue_id"] for r in await work.agenda(conn, community=community,
                                                         meeting_date=meeting_date)]
        status = "upcoming" if meeting_date >= local_date(now) else "awaiting_minutes"
    by_issue = {d.issue_id: d for d in decisions}
    histories = await store.histories(conn, ids)
    agenda = [_item(row, histories[row["issue_id"]], by_issue.get(row["issue_id"]),
                    meeting_date)
              for row in await store.summaries(conn, community, ids)]
    recorded = None if held is None else MinutesView(
        attendees=held["attendees"], decisions=decisions, recorded_by=held["recorded_by"],
        recorded_at=held["recorded_at"])
    return MeetingView(community=community, meeting_date=meeting_date, status=status,
                       agenda=agenda, minutes=recorded)


def _item(row, events: list, decision: Decision | None, meeting_date: date) -> AgendaItem:
    history = [_entry(e) for e in events]
    escalations = [(e, h) for e, h in zip(events, history) if h.type == "issue.escalated"
                   and e["data"].get("meeting_date") == meeting_date.isoformat()]
    escalation = None
    if escalations:
        event, entry = escalations[-1]
        escalation = EscalationView(at=entry.time, cause=event["data"].get("cause", ""),
                                    reason=event["data"].get("reason", ""), by=entry.by or "")
    category = catalog.CATEGORIES.get(row["category"])
    return AgendaItem(
        issue_id=row["issue_id"], category=row["category"],
        category_label=category.label_zh if category else row["category"],
        description=row["description"], building=row["building"], grid_id=row["grid_id"],
        status=row["status"], urgent=row["urgent"], vulnerable=row["vulnerable"],
        reported_at=row["reported_at"], escalation=escalation, decision=decision,
        history=history)


def _entry(event) -> HistoryEntry:
    data = event["data"]
    return HistoryEntry(type=event["type"].removeprefix("org.redgrid."),
                        time=event["occurred_at"], status=data.get("status"),
                        by=data.get("by") or data.get("assigned_by"),
                        details={k: v for k, v in data.items() if k not in _STEP_FIELDS})
