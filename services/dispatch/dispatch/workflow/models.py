"""API shapes of the staff workflow: command bodies and the dispatch view of an issue."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from redgrid_shared.events import Department, Status

from dispatch.grids.models import Id

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


def _body(example: dict):
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [example]})


class ResolveIssue(BaseModel):
    """办结: what was done; for `repair.paid` the amount charged in yuan (0 if free)."""

    model_config = _body({"note": "更换了厨房下水管弯头 (replaced the drain elbow)",
                          "amount_charged": "80.00"})
    note: Text
    amount_charged: Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)] | None = (
        Field(None, description="Required for `repair.paid`; refused for other categories"))


class ReturnIssue(BaseModel):
    """退单: why the work is given back (required)."""

    model_config = _body({"reason": "户内管道属业主自行改造部分，需业主先确认 (owner-modified pipe)"})
    reason: Text


class EscalateIssue(BaseModel):
    """Take the issue to the next 逢四说事 meeting, with the reason."""

    model_config = _body({"reason": "楼上住户拒绝入户检查 (upstairs neighbour refuses access)"})
    reason: Text


class ReferIssue(BaseModel):
    """Hand the issue to a department: street_office (街道), housing (住建), police (公安), fire (消防)."""

    model_config = _body({"department": "fire", "note": "消防通道长期被占 (fire lane blocked)"})
    department: Department
    note: Text | None = None


class ReferralOutcome(BaseModel):
    """The department's answer; `resolved` false hands the issue back to its grid."""

    model_config = _body({"outcome": "消防大队已清理通道并张贴告示", "resolved": True})
    outcome: Text
    resolved: bool


class AssignIssue(BaseModel):
    """Assign by hand: to a grid of the community (its steward, and its repairer when the
    category needs one) and/or to named people. `grid_id` defaults to the issue's grid."""

    model_config = _body({"grid_id": "g-03", "steward_id": "s-03", "repairer_id": "r-05",
                          "note": "楼栋归属待调整，暂由第三网格处理"})
    grid_id: Id | None = None
    steward_id: Id | None = None
    repairer_id: Id | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _names_someone(self):
        if not (self.grid_id or self.steward_id or self.repairer_id):
            raise ValueError("name a grid_id, a steward_id or a repairer_id")
        return self


WORK_EXAMPLE = {
    "issue_id": "iss-3f9c2a7d41b0e865", "community": "erqiaoxi", "status": "accepted",
    "category": "repair.pipe", "building": "b-07", "unit": "2-301", "reporter_id": "u-1001",
    "vulnerable": None, "urgent": False, "grid_id": "g-03", "steward_id": "s-03",
    "repairer_id": "r-03", "deadline": "completion",
    "due_at": "2026-11-29T09:30:00Z", "signoff_due_at": "2026-11-26T11:30:00Z",
    "completion_due_at": "2026-11-29T09:30:00Z", "close_due_at": None, "meeting_date": None,
    "department": None, "queue_reason": None, "reported_at": "2026-11-26T09:29:58Z",
    "updated_at": "2026-11-26T09:41:12Z", "version": 2}


class IssueWork(BaseModel):
    """An issue as dispatch holds it. `unit` and `reporter_id` (the resident's contact) are
    shown only to the staff of the issue's grid; null for everyone else."""

    model_config = ConfigDict(json_schema_extra={"examples": [WORK_EXAMPLE]})
    issue_id: str
    community: str
    status: Status
    category: str
    building: str
    unit: str | None = None
    reporter_id: str | None = None
    vulnerable: str | None = None
    urgent: bool
    grid_id: str | None = None
    steward_id: str | None = None
    repairer_id: str | None = None
    deadline: Literal["signoff", "completion"] | None = Field(
        None, description="The SLA deadline running now; `due_at` is when it falls")
    due_at: datetime | None = None
    signoff_due_at: datetime | None = None
    completion_due_at: datetime | None = None
    close_due_at: datetime | None = Field(
        None, description="Resolved: closed then unless the resident confirms or reopens")
    meeting_date: date | None = Field(None, description="Escalated: the meeting (Asia/Shanghai)")
    department: str | None = None
    queue_reason: str | None = Field(None, description="Why it waits for an operator")
    reported_at: datetime
    updated_at: datetime
    version: int


class WorkPage(BaseModel):
    """One page; pass `next_cursor` back as `cursor` for the next (null on the last)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "items": [WORK_EXAMPLE], "next_cursor": "WyIyMDI2LTExLTI5VDA5OjMwOjAwKzAwOjAwIiwgMSwgImlzcy0xIl0"}]})

    items: list[IssueWork]
    next_cursor: str | None = None
