"""Event contracts: the envelope every event travels in and the typed data of each type.

A published type never changes meaning; a breaking change gets a new type. Data models
ignore unknown fields so an older consumer keeps reading a newer producer's events.
"""

from datetime import datetime, timezone
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


class IssueUnroutable(EventData):
    TYPE: ClassVar[str] = "issue.unroutable"
    issue_id: str
    community: str
    building: str
    reason: str


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


EVENT_TYPES: dict[str, type[EventData]] = {
    cls.TYPE: cls for cls in (IssueReported, IssueAssigned, IssueUnroutable, GridConfigured)
}


def parse(env: Envelope) -> EventData | None:
    """The typed data of an envelope, or None for a type this code does not know."""
    model = EVENT_TYPES.get(env.short_type)
    return model.model_validate(env.data) if model else None
