"""The events a checked ledger stands for, split by the service that owns each fact.

Intake records the resident's facts (reported, confirmed, rated); dispatch the staff's and
the meetings' (assigned, accepted, escalated, referred, resolved, closed, meeting.held,
campaign.*). Every event carries `imported: true` and the time the ledger gives it. Ids are
derived from (community, ledger_id), so importing a file again yields the same ids.
"""

import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from redgrid_shared import catalog, events
from redgrid_shared.events import Envelope, EventData
from redgrid_shared.ledger.rows import MEETING_TIME, TZ, Line, LedgerRow

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:redgrid:ledger")
CLOSE_AFTER = timedelta(days=7)
LEDGER = "ledger"
# Lifecycle order of an issue's steps, for steps the ledger dates at the same moment.
STEP_ORDER = {t: i for i, t in enumerate((
    "issue.reported", "issue.assigned", "issue.accepted", "issue.escalated", "issue.referred",
    "issue.referral-outcome", "issue.resolved", "issue.confirmed",
    "issue.resident-action-settled", "issue.closed", "issue.rated"))}


def in_order(envelopes) -> list[Envelope]:
    """An issue's events of both services as one history: by time, then lifecycle order."""
    return sorted(envelopes, key=lambda e: (e.time, STEP_ORDER.get(e.short_type, 99)))


@dataclass
class Stream:
    """The events of one stream this import writes, oldest first, and the lines behind them."""

    stream_id: str
    subject: str
    events: list[Envelope] = field(default_factory=list)
    lines: set[int] = field(default_factory=set)


@dataclass
class Plan:
    """Per service ("intake", "dispatch"): the streams to write, by stream id."""

    intake: dict[str, Stream] = field(default_factory=dict)
    dispatch: dict[str, Stream] = field(default_factory=dict)
    issues: dict[str, LedgerRow] = field(default_factory=dict)  # issue id -> row

    def add(self, service: str, stream_id: str, subject: str, data: EventData, *,
            at: datetime, key: str, line: int) -> Envelope:
        streams = getattr(self, service)
        stream = streams.setdefault(stream_id, Stream(stream_id, subject))
        env = events.envelope(data, service=service, subject=subject, time=at,
                              event_id=uuid.uuid5(NAMESPACE, key))
        stream.events.append(env)
        stream.lines.add(line)
        return env


def issue_id(community: str, ledger_id: str) -> str:
    """The issue id a ledger row always maps to."""
    return "iss-" + uuid.uuid5(NAMESPACE, f"{community}/{ledger_id}").hex[:16]


def build(lines: list[Line], *, community: str, importer: str) -> Plan:
    """Every event of the file; `importer` is who records meetings and campaigns."""
    plan = Plan()
    meetings: dict = defaultdict(list)
    campaigns: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        iid = issue_id(community, line.row.ledger_id)
        plan.issues[iid] = line.row
        _issue(plan, line, iid, community)
        if line.row.meeting_date:
            meetings[line.row.meeting_date].append((line, iid))
        if line.row.raised_at_meeting and line.row.raised_at_meeting != line.row.meeting_date:
            meetings[line.row.raised_at_meeting].append((line, iid))
        if line.row.campaign:
            campaigns[line.row.campaign].append(line)
    for day, decided in sorted(meetings.items()):
        _meeting(plan, day, decided, community, importer)
    for campaign_id, members in sorted(campaigns.items()):
        _campaign(plan, campaign_id, members, community, importer)
    for stream in (*plan.intake.values(), *plan.dispatch.values()):
        stream.events[:] = in_order(stream.events)
    return plan


def _issue(plan: Plan, line: Line, iid: str, community: str) -> None:
    r, n, stream = line.row, line.line, f"issue-{iid}"
    key = f"{community}/{r.ledger_id}"
    cat = catalog.CATEGORIES[r.category]
    signoff, completion = catalog.deadlines(cat, vulnerable=r.vulnerable is not None)
    common = {"issue_id": iid, "community": community, "imported": True}
    step = {**common, "grid_id": r.grid}

    def intake(data, at, name):
        return plan.add("intake", stream, iid, data, at=at, key=f"{key}/{name}", line=n)

    def dispatch(data, at, name):
        return plan.add("dispatch", stream, iid, data, at=at, key=f"{key}/{name}", line=n)

    intake(events.IssueReported(
        **common, reporter_id=r.reporter, reported_by=LEDGER, category=r.category,
        description=r.description, building=r.building, unit=r.unit, vulnerable=r.vulnerable,
        source=r.source), r.reported_at, "reported")
    if r.assigned:
        dispatch(_assigned(r, common, signoff, completion, cat, at=r.assigned), r.assigned,
                 "assigned")
    completion_due = None
    if r.signed_off_at:
        signoff_due = r.assigned + signoff
        completion_due = r.signed_off_at + completion
        dispatch(events.IssueAccepted(
            **step, by=r.steward, signoff_due_at=signoff_due,
            on_time=r.signed_off_at <= signoff_due, completion_due_at=completion_due),
            r.signed_off_at, "accepted")
    via = "staff"
    if r.meeting_date:
        dispatch(events.IssueEscalated(
            **step, by=r.steward or LEDGER, meeting_date=r.meeting_date, cause="steward",
            reason="recorded in the ledger"), r.escalated, "escalated")
        via = _decision(r, step, dispatch, signoff, completion, cat, common)
    if r.resolved:
        on_time = None if via != "staff" or completion_due is None \
            else r.resolved <= completion_due
        dispatch(events.IssueResolved(
            **step, by=r.repairer or r.steward or LEDGER,
            note=r.resolution or "recorded in the ledger", amount_charged=r.amount,
            completion_due_at=completion_due if via == "staff" else None, on_time=on_time,
            via=via, meeting_date=r.meeting_date if via == "meeting" else None,
            close_due_at=r.resolved + CLOSE_AFTER), r.resolved, "resolved")
    if r.closing == "confirmed":
        confirmed = intake(events.IssueConfirmed(**common, by=r.reporter), r.closed_at,
                           "confirmed")
        dispatch(events.ResidentActionSettled(
            **step, status="closed", by=r.reporter, action="confirm",
            action_event_id=str(confirmed.id), outcome="applied"), r.closed_at, "closed")
    elif r.closing:
        dispatch(events.IssueClosed(
            **step, by="clock" if r.closing == "no_response_7_days" else LEDGER,
            reason=r.closing, resolved_at=r.resolved), r.closed_at, "closed")
    if r.rating:
        intake(events.IssueRated(**common, by=r.reporter, score=r.rating,
                                 comment=r.rating_comment), r.rated, "rated")


def _assigned(r: LedgerRow, common: dict, signoff, completion, cat, *, at: datetime,
              reason: str = "routed", unit: str | None = None) -> events.IssueAssigned:
    return events.IssueAssigned(
        **common, grid_id=r.grid, steward_id=r.steward,
        repairer_id=r.repairer if cat.needs_repairer else None, category=r.category,
        urgent=cat.priority == "urgent" or r.vulnerable is not None,
        signoff_due_at=at + signoff,
        completion_limit_minutes=int(completion.total_seconds() // 60),
        assigned_by=LEDGER if reason == "routed" else "meeting", reason=reason, unit=unit)


def _decision(r: LedgerRow, step: dict, dispatch, signoff, completion, cat, common) -> str:
    """The meeting's decision on the issue; returns how its resolution came (`via`)."""
    if r.meeting_decision == "assigned":
        dispatch(_assigned(r, common, signoff, completion, cat, at=r.meeting_at,
                           reason="meeting", unit=r.meeting_unit), r.meeting_at, "meeting")
        return "staff"
    if r.meeting_decision == "referred":
        dispatch(events.IssueReferred(**step, by=LEDGER, department=r.department,
                                      meeting_date=r.meeting_date), r.meeting_at, "meeting")
        if r.resolved:
            dispatch(events.IssueReferralOutcome(
                **step, status="referred", by=LEDGER, department=r.department,
                outcome=r.resolution or "resolved by the department", resolved=True),
                r.resolved, "referral-outcome")
        return "referral"
    return "meeting"


def _meeting(plan: Plan, day, named: list, community: str, importer: str) -> None:
    """Minutes of a meeting: the decisions of the rows it decided (raised rows only date it)."""
    ids = sorted(iid for _, iid in named)
    digest = hashlib.sha256(",".join(ids).encode()).hexdigest()[:16]
    decisions = [events.MeetingDecision(
        issue_id=iid, decision=line.row.meeting_decision, unit=line.row.meeting_unit,
        department=line.row.department, note=line.row.resolution)
        for line, iid in sorted(named, key=lambda d: d[1]) if line.row.meeting_date == day]
    data = events.MeetingHeld(community=community, meeting_date=day, attendees=events.Attendees(),
                              decisions=decisions, recorded_by=importer, imported=True)
    at = datetime.combine(day, MEETING_TIME, TZ)
    stream = f"meeting-{community}/{day}"
    plan.add("dispatch", stream, day.isoformat(), data, at=at,
             key=f"{community}/meeting/{day}/{digest}", line=named[0][0].line)
    plan.dispatch[stream].lines.update(line.line for line, _ in named)


def _campaign(plan: Plan, campaign_id: str, members: list[Line], community: str,
              importer: str) -> None:
    rows = [m.row for m in members]
    ids = sorted(issue_id(community, r.ledger_id) for r in rows)
    digest = hashlib.sha256(",".join(ids).encode()).hexdigest()[:16]
    named = next((r for r in rows if r.campaign_name), rows[0])
    opened_at = min(r.reported_at for r in rows)
    finished = [r.closed_at or r.resolved for r in rows]
    stream, key = f"campaign-{community}/{campaign_id}", f"{community}/campaign/{campaign_id}"
    departments = sorted({d for r in rows for d in r.campaign_departments})
    common = {"campaign_id": campaign_id, "community": community, "imported": True}
    ends = max(t for t in [*finished, *(r.reported_at for r in rows)] if t)
    for data, at, name in (
        (events.CampaignOpened(**common, name=named.campaign_name or campaign_id,
                               categories=sorted({r.category for r in rows}),
                               departments=departments, starts_on=_day(opened_at),
                               ends_on=_day(ends), opened_by=importer), opened_at, "opened"),
        (events.CampaignIssuesAdded(**common, issue_ids=ids, added_by=importer), opened_at,
         f"added/{digest}"),
    ):
        plan.add("dispatch", stream, campaign_id, data, at=at, key=f"{key}/{name}",
                 line=members[0].line)
    if all(finished):
        plan.add("dispatch", stream, campaign_id, events.CampaignClosed(
            **common, results=f"{len(rows)} issues resolved", closed_by=importer),
            at=ends, key=f"{key}/closed/{digest}", line=members[0].line)
    plan.dispatch[stream].lines.update(m.line for m in members)


def _day(at: datetime):
    return at.astimezone(TZ).date()
