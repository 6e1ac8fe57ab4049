"""Event contracts: the envelope every event travels in and the typed data of each type.

A published type never changes meaning; a breaking change gets a new type. Data models
ignore unknown fields so an older consumer keeps reading a newer producer's events.
"""

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import ClassVar, Literal
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

TYPE_PREFIX = "org.redgrid."


class EventData(BaseModel):
    """Base of every event's data; `TYPE` is the short type, e.g. `issue.reported`."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    TYPE: ClassVar[str]


class Envelope(BaseModel):
    """One event as stored and as carried on Kafka (CloudEvents attributes + JSON data)."""

    model_config = ConfigDict(frozen=True)

    id: UUID = Field(default_factory=uuid4)
    type: str  # full CloudEvents type, e.g. org.redgrid.issue.reported
    source: str  # /redgrid/<service>
    subject: str  # the stream id, also the Kafka key
    time: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    data: dict

    @property
    def short_type(self) -> str:
        """The type without the `org.redgrid.` prefix."""
        return self.type.removeprefix(TYPE_PREFIX)


def envelope(data: EventData, *, service: str, subject: str, time: datetime | None = None,
             event_id: UUID | None = None) -> Envelope:
    """Wrap typed event data for appending to a stream."""
    return Envelope(
        id=event_id or uuid4(),
        type=TYPE_PREFIX + data.TYPE,
        source=f"/redgrid/{service}",
        subject=subject,
        time=time or datetime.now(timezone.utc),
        data=data.model_dump(mode="json"),
    )


Vulnerable = Literal["elderly", "child"]
Source = Literal["app", "meeting", "grid_visit", "hotline"]
MemberRole = Literal["building_leader", "volunteer", "backing_unit"]
# PRODUCT.md's statuses; every dispatch issue event carries the status it leaves the issue in.
Status = Literal["reported", "unroutable", "assigned", "accepted", "in_progress", "returned",
                 "escalated", "referred", "resolved", "closed", "cancelled"]
# 街道, 住建, 公安, 消防
Department = Literal["street_office", "housing", "police", "fire"]
ResidentAction = Literal["cancel", "confirm", "reopen"]


class IssueReported(EventData):
    TYPE: ClassVar[str] = "issue.reported"
    issue_id: str
    community: str
    reporter_id: str
    reported_by: str  # who submitted it: the resident, or staff on the resident's behalf
    category: str
    description: str
    building: str
    unit: str | None = None
    vulnerable: Vulnerable | None = None
    photos: list[str] = []
    source: Source = "app"
    imported: bool = False  # recorded from a paper ledger (台账); its time is the original one
    # The role `reported_by` acted in: (community, role, sub) is the person. None when unknown
    # (a ledger import, or a report recorded before the field existed).
    reported_by_role: str | None = None


class IssueAssigned(EventData):
    TYPE: ClassVar[str] = "issue.assigned"
    issue_id: str
    community: str
    grid_id: str
    steward_id: str
    repairer_id: str | None = None
    category: str
    urgent: bool = False
    signoff_due_at: datetime  # the sign-off (签收) limit runs from assignment
    completion_limit_minutes: int  # the completion clock starts at sign-off
    assigned_by: str = "dispatch"  # "dispatch" for automatic routing, else the person id
    status: Status = "assigned"
    # Why this (re)assignment: routed | manual | returned | reopened | backup_cover |
    # meeting (a meeting assigned it to a unit) | referral_outcome
    reason: str = "routed"
    # Set when the work went to a backup: the person being covered (on leave).
    covering_for: list[str] = []
    unit: str | None = None  # a unit named by a meeting decision (e.g. 后盾单位), if any
    note: str | None = None
    imported: bool = False  # recorded from a paper ledger (台账); its time is the original one


class IssueUnroutable(EventData):
    TYPE: ClassVar[str] = "issue.unroutable"
    issue_id: str
    community: str
    building: str
    reason: str
    status: Status = "unroutable"


# --- staff workflow (dispatch, stream issue-<id>) --------------------------------------------

class IssueStep(EventData):
    """Fields every staff-workflow event on an issue carries: who, where, and the new status.

    `by` is the person who acted, or `clock` for a deadline, `dispatch` for automatic work.
    `grid_id` is the issue's grid at the time (null while unroutable), so stats can attribute
    the step without replaying the issue.
    """

    issue_id: str
    community: str
    grid_id: str | None = None
    status: Status
    by: str
    imported: bool = False  # recorded from a paper ledger (台账); its time is the original one


class IssueAccepted(IssueStep):
    """签收: the sign-off; the completion clock starts here."""
    TYPE: ClassVar[str] = "issue.accepted"
    status: Status = "accepted"
    signoff_due_at: datetime
    on_time: bool  # signed off at or before signoff_due_at
    completion_due_at: datetime


class IssueStarted(IssueStep):
    TYPE: ClassVar[str] = "issue.started"
    status: Status = "in_progress"


class IssueResolved(IssueStep):
    """办结. `via` says who finished it: the staff, a meeting decision or a referral outcome."""
    TYPE: ClassVar[str] = "issue.resolved"
    status: Status = "resolved"
    note: str
    amount_charged: Decimal | None = None  # yuan, for repair.paid
    completion_due_at: datetime | None = None
    on_time: bool | None = None  # None when there was no completion clock (e.g. a meeting)
    via: Literal["staff", "meeting", "referral"] = "staff"
    meeting_date: date | None = None
    close_due_at: datetime  # closed automatically then unless confirmed or reopened


class IssueReturned(IssueStep):
    """退单: the assignee gives the work back, with a reason."""
    TYPE: ClassVar[str] = "issue.returned"
    status: Status = "returned"
    reason: str
    role: Literal["steward", "repairer", "operator"]


class IssueEscalated(IssueStep):
    """Put on the agenda of a 逢四说事 meeting."""
    TYPE: ClassVar[str] = "issue.escalated"
    status: Status = "escalated"
    meeting_date: date
    reason: str
    cause: Literal["overdue", "steward", "carried", "operator"]


class IssueReferred(IssueStep):
    TYPE: ClassVar[str] = "issue.referred"
    status: Status = "referred"
    department: Department
    note: str | None = None
    meeting_date: date | None = None  # set when a meeting decided the referral


class IssueReferralOutcome(IssueStep):
    """A department's answer, recorded by an operator; resolved or handed back to the grid."""
    TYPE: ClassVar[str] = "issue.referral-outcome"
    department: Department
    outcome: str
    resolved: bool


class IssueOverdue(IssueStep):
    """A deadline passed; emitted once per deadline. The status is unchanged by it."""
    TYPE: ClassVar[str] = "issue.overdue"
    deadline: Literal["signoff", "completion"]
    due_at: datetime


class IssueClosed(IssueStep):
    """Closed by 7 days of silence after resolution (`by` = clock) or by a meeting."""
    TYPE: ClassVar[str] = "issue.closed"
    status: Status = "closed"
    reason: Literal["no_response_7_days", "meeting", "confirmed"]
    resolved_at: datetime | None = None


class ResidentActionSettled(IssueStep):
    """Dispatch's answer to a resident action recorded by intake (cancel, confirm, reopen).

    Dispatch's issue stream is the one order of the workflow: it applies the action if the
    issue still allows it, else refuses it (e.g. work had started) and `status` says where the
    issue stands. Intake's view follows this status; see docs/architecture.md.
    """
    TYPE: ClassVar[str] = "issue.resident-action-settled"
    action: ResidentAction
    action_event_id: str
    outcome: Literal["applied", "refused"]
    reason: str | None = None


# --- resident actions (intake, stream issue-<id>) --------------------------------------------

class IssueCommented(EventData):
    TYPE: ClassVar[str] = "issue.commented"
    issue_id: str
    community: str
    author_id: str
    author_role: str
    text: str


class IssueCancelled(EventData):
    TYPE: ClassVar[str] = "issue.cancelled"
    issue_id: str
    community: str
    by: str
    reason: str | None = None


class IssueConfirmed(EventData):
    """The resident accepts the fix; the issue closes."""
    TYPE: ClassVar[str] = "issue.confirmed"
    issue_id: str
    community: str
    by: str
    imported: bool = False  # recorded from a paper ledger (台账); its time is the original one


class IssueReopened(EventData):
    """发回重办: the resident sends a resolved issue back within 7 days."""
    TYPE: ClassVar[str] = "issue.reopened"
    issue_id: str
    community: str
    by: str
    reason: str


class IssueRated(EventData):
    """回访: one rating per issue, 1-5."""
    TYPE: ClassVar[str] = "issue.rated"
    issue_id: str
    community: str
    by: str
    score: int = Field(ge=1, le=5)
    comment: str | None = None
    imported: bool = False  # recorded from a paper ledger (台账); its time is the original one


class GridMember(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1, max_length=64)
    role: MemberRole


class GridConfigured(EventData):
    TYPE: ClassVar[str] = "grid.configured"
    grid_id: str
    community: str
    name: str
    buildings: list[str]
    steward: str
    repairer: str
    backup_steward: str | None = None
    backup_repairer: str | None = None
    members: list[GridMember] = []
    configured_by: str


class StaffAvailabilityChanged(EventData):
    """A steward or repairer goes on leave or comes back (stream staff-<community>/<id>)."""
    TYPE: ClassVar[str] = "staff.availability-changed"
    staff_id: str
    community: str
    available: bool
    changed_by: str
    note: str | None = None


class SlaChanged(EventData):
    """An admin's new limits for one category of a community (stream sla-<community>)."""
    TYPE: ClassVar[str] = "sla.changed"
    community: str
    category: str
    signoff_minutes: int
    completion_minutes: int
    changed_by: str


# --- meetings and campaigns (dispatch) -------------------------------------------------------

class Attendees(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    community: list[str] = []
    property_company: list[str] = []
    owner_representatives: list[str] = []
    volunteers: list[str] = []


class MeetingDecision(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    issue_id: str
    decision: Literal["resolved", "assigned", "referred", "carried"]
    note: str | None = None
    unit: str | None = None  # for "assigned"
    department: Department | None = None  # for "referred"


class MeetingHeld(EventData):
    """Minutes of a 逢四说事 meeting (stream meeting-<community>/<date>, key the date)."""
    TYPE: ClassVar[str] = "meeting.held"
    community: str
    meeting_date: date
    attendees: Attendees
    decisions: list[MeetingDecision]
    recorded_by: str
    imported: bool = False  # recorded from a paper ledger (台账); its time is the original one


class CampaignOpened(EventData):
    """专项整治 (stream campaign-<community>/<id>, key the campaign id)."""
    TYPE: ClassVar[str] = "campaign.opened"
    campaign_id: str
    community: str
    name: str
    categories: list[str]
    departments: list[Department]
    starts_on: date
    ends_on: date
    opened_by: str
    imported: bool = False  # recorded from a paper ledger (台账); its time is the original one


class CampaignIssuesAdded(EventData):
    TYPE: ClassVar[str] = "campaign.issues-added"
    campaign_id: str
    community: str
    issue_ids: list[str]
    added_by: str
    imported: bool = False  # recorded from a paper ledger (台账); its time is the original one


class CampaignClosed(EventData):
    TYPE: ClassVar[str] = "campaign.closed"
    campaign_id: str
    community: str
    results: str
    closed_by: str
    imported: bool = False  # recorded from a paper ledger (台账); its time is the original one


EVENT_TYPES: dict[str, type[EventData]] = {
    cls.TYPE: cls for cls in (
        IssueReported, IssueAssigned, IssueUnroutable, GridConfigured,
        IssueAccepted, IssueStarted, IssueResolved, IssueReturned, IssueEscalated,
        IssueReferred, IssueReferralOutcome, IssueOverdue, IssueClosed, ResidentActionSettled,
        IssueCommented, IssueCancelled, IssueConfirmed, IssueReopened, IssueRated,
        StaffAvailabilityChanged, SlaChanged, MeetingHeld, CampaignOpened, CampaignIssuesAdded,
        CampaignClosed,
    )
}


def parse(env: Envelope) -> EventData | None:
    """The typed data of an envelope, or None for a type this code does not know."""
    model = EVENT_TYPES.get(env.short_type)
    return model.model_validate(env.data) if model else None
