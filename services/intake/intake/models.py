"""API request and response models of intake's REST interface."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from intake.media.models import MediaId
from redgrid_shared import catalog
from redgrid_shared.errors import ErrorDetail, ErrorResponse  # noqa: F401 (one error shape)
from redgrid_shared.events import Department, ResidentAction, Source, Vulnerable

# Category codes are a stable contract, so they appear as an enum in the OpenAPI document.
CategoryCode = Literal[tuple(catalog.CATEGORIES)]  # type: ignore[valid-type]
Status = Literal["reported", "unroutable", "assigned", "accepted", "in_progress", "returned",
                 "escalated", "referred", "resolved", "closed", "cancelled"]
ShortId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")]
MAX_PHOTOS = 9

REPORT_EXAMPLE = {
    "category": "repair.pipe",
    "description": "厨房下水道堵塞，水排不下去 (kitchen drain blocked)",
    "building": "b-03",
    "unit": "2-301",
    "vulnerable": None,
    "photos": ["med-4f1c9a0e2b7d4c6a8e3f5b1d0c2a9e7f"],
    "source": "app",
}


class ReportIssue(BaseModel):
    """A resident's report; staff reporting for a resident also name them in `on_behalf_of`."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [REPORT_EXAMPLE]})

    category: CategoryCode = Field(description="A code from GET /v1/categories")
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                  max_length=2000)]
    building: ShortId = Field(description="Building id, e.g. `b-03`; routes the issue to its grid")
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                           max_length=32)] | None = Field(
        None, description="Unit within the building, e.g. `2-301`; omit for public areas")
    vulnerable: Vulnerable | None = Field(
        None, description="An elderly person or a child living alone (一老一小): handled as urgent")
    photos: list[MediaId] = Field([], max_length=MAX_PHOTOS,
                                  description=f"Up to {MAX_PHOTOS} ids from POST /v1/media, "
                                              "uploaded by the submitter")
    source: Source = Field("app", description="Where the report came from")
    on_behalf_of: ShortId | None = Field(
        None, description="Resident id; required when a steward, operator or admin reports "
                          "for a resident, refused for residents")


class IssueView(BaseModel):
    """An issue as its resident and the staff of its grid see it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        **REPORT_EXAMPLE,
        "id": "iss-3f9c2a7d41b0e865", "status": "assigned", "community": "erqiaoxi",
        "reporter_id": "u-1001", "grid_id": "g-03", "steward_id": "s-01",
        "repairer_id": "r-01", "created_at": "2025-03-14T09:30:00+08:00",
        "updated_at": "2025-03-14T09:30:02+08:00",
        "signoff_due_at": "2025-03-14T11:30:02+08:00", "completion_due_at": None,
        "meeting_date": None, "status_label": "已派单", "close_due_at": None,
        "department": None, "resolution_note": None, "amount_charged": None,
        "pending_action": None, "rating": None, "rating_comment": None}]})

    id: str
    status: Status
    category: str
    building: str
    unit: str | None
    description: str
    vulnerable: Vulnerable | None
    source: Source
    photos: list[str]
    community: str
    reporter_id: str
    grid_id: str | None
    steward_id: str | None
    repairer_id: str | None
    created_at: datetime
    updated_at: datetime
    signoff_due_at: datetime | None = Field(description="Sign-off (签收) deadline, once assigned")
    completion_due_at: datetime | None = Field(description="Completion deadline, once signed off")
    meeting_date: date | None = Field(description="The 逢四说事 meeting it is on the agenda of")
    status_label: str = Field(description="The status in words, in the Accept-Language asked")
    close_due_at: datetime | None = Field(
        None, description="Once resolved: the resident may reopen until then; without an "
                          "answer the issue closes then")
    department: Department | None = Field(None, description="The department it was referred to")
    resolution_note: str | None = Field(None, description="What was done (办结)")
    amount_charged: Decimal | None = Field(None, description="Yuan charged for paid in-home work")
    pending_action: ResidentAction | None = Field(
        None, description="A cancel, confirm or reopen being settled by dispatch; `status` "
                          "shows what it asked for until then")
    rating: int | None = Field(None, ge=1, le=5, description="The resident's rating (回访)")
    rating_comment: str | None = None


class IssuePage(BaseModel):
    """One page of issues, newest first; pass `next_cursor` back for the next page."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "items": IssueView.model_config["json_schema_extra"]["examples"],
        "next_cursor": "WyIyMDI1LTAzLTE0VDAxOjMwOjAwKzAwOjAwIiwgImlzcy0xIl0"}]})

    items: list[IssueView]
    next_cursor: str | None = Field(description="Opaque; null on the last page")


class TimelineEntry(BaseModel):
    """One event in an issue's life, with the fields its readers may see."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "type": "issue.assigned", "time": "2025-03-14T09:30:02+08:00",
        "event_id": "5b0f6c1e-8a43-4bb5-9d0c-1f7e2a3b4c5d",
        "data": {"grid_id": "g-03", "steward_id": "s-01", "repairer_id": "r-01",
                 "signoff_due_at": "2025-03-14T11:30:02+08:00", "reason": "routed",
                 "status": "assigned"},
        "summary": "已派单：网格 g-03，物业管家 s-01、维修人员 r-01，将于 2025年3月14日 11:30 前签收"}]})

    type: str = Field(description="Event type without the `org.redgrid.` prefix")
    time: datetime
    event_id: UUID
    data: dict = Field(description="The event's fields its readers may see; staff steps add "
                                   "`status` (the status it left) and `actor` (a role word)")
    summary: str = Field(description="One sentence in the Accept-Language asked (zh default)")
