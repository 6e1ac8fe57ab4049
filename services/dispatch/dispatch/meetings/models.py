"""API shapes of 逢四说事 meetings: minutes in, agendas and the next meeting out."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from redgrid_shared.events import Department

from dispatch.grids.models import Id

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Names = Annotated[list[Name], Field(max_length=100)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class Attendees(BaseModel):
    """Who sat at the table, by side: 社区, 物业, 业主代表, 志愿者 (names or ids)."""

    model_config = ConfigDict(extra="forbid")
    community: Names = []
    property_company: Names = []
    owner_representatives: Names = []
    volunteers: Names = []


class Decision(BaseModel):
    """The meeting's decision on one agenda item."""

    model_config = ConfigDict(extra="forbid")
    issue_id: Id
    decision: Literal["resolved", "assigned", "referred", "carried"]
    note: Note | None = None
    unit: Name | None = Field(None, description="For `assigned`: the unit that takes the work")
    department: Department | None = Field(None, description="For `referred`")

    @model_validator(mode="after")
    def _fits_the_decision(self) -> "Decision":
        if self.decision == "assigned" and self.unit is None:
            raise ValueError("unit is required when the decision is assigned")
        if self.decision != "assigned" and self.unit is not None:
            raise ValueError("unit is only for the decision assigned")
        if self.decision == "referred" and self.department is None:
            raise ValueError("department is required when the decision is referred")
        if self.decision != "referred" and self.department is not None:
            raise ValueError("department is only for the decision referred")
        return self


MINUTES_EXAMPLE = {
    "attendees": {"community": ["社区书记 黄建华"], "property_company": ["物业经理 李明"],
                  "owner_representatives": ["3栋 王阿姨", "7栋 陈先生"],
                  "volunteers": ["志愿者 小周"]},
    "decisions": [
        {"issue_id": "iss-7f3a9c", "decision": "resolved", "note": "物业当场答应本周内清理"},
        {"issue_id": "iss-81bd02", "decision": "assigned", "unit": "后盾单位 区住建局",
         "note": "由后盾单位协调施工队"},
        {"issue_id": "iss-92c1e4", "decision": "referred", "department": "fire",
         "note": "消防通道长期占用，移交消防"},
        {"issue_id": "iss-a03f55", "decision": "carried", "note": "业主双方未到场"}]}


class RecordMinutes(BaseModel):
    """Attendees and one decision per agenda item; items left out are carried."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [MINUTES_EXAMPLE]})
    attendees: Attendees
    decisions: Annotated[list[Decision], Field(max_length=500)] = []

    @model_validator(mode="after")
    def _one_decision_per_issue(self) -> "RecordMinutes":
        ids = [d.issue_id for d in self.decisions]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"one decision per issue: {', '.join(repeated)} repeated")
        if not any(self.attendees.model_dump().values()):
            raise ValueError("a meeting has attendees: name at least one")
        return self


class EscalationView(BaseModel):
    at: datetime
    cause: str
    reason: str
    by: str


class HistoryEntry(BaseModel):
    """One dispatch event of the issue: type, time, resulting status and its details."""

    type: str
    time: datetime
    status: str | None = None
    by: str | None = None
    details: dict = {}


class AgendaItem(BaseModel):
    """An issue on the agenda: its summary, why it is there, its history, and the decision
    (once minutes are recorded)."""

    issue_id: str
    category: str
    category_label: str
    description: str | None
    building: str
    grid_id: str | None
    status: str
    urgent: bool
    vulnerable: str | None
    reported_at: datetime
    escalation: EscalationView | None
    decision: Decision | None = None
    history: list[HistoryEntry]


class MinutesView(BaseModel):
    attendees: Attendees
    decisions: list[Decision]
    recorded_by: str
    recorded_at: datetime


class MeetingView(BaseModel):
    """One meeting of the caller's community: `upcoming` (today or later, no minutes yet),
    `awaiting_minutes` (past, no minutes) or `held` (minutes recorded)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "community": "erqiaoxi", "meeting_date": "2024-06-14", "status": "upcoming",
        "agenda": [{"issue_id": "iss-7f3a9c", "category": "safety.fire",
                    "category_label": "消防隐患 (消防通道、飞线充电)",
                    "description": "5栋楼道有人飞线给电动车充电", "building": "b-05",
                    "grid_id": "g-02", "status": "escalated", "urgent": True,
                    "vulnerable": None, "reported_at": "2024-06-10T09:12:00+08:00",
                    "escalation": {"at": "2024-06-11T09:42:00+08:00", "cause": "overdue",
                                   "reason": "completion deadline missed", "by": "clock"},
                    "decision": None,
                    "history": [{"type": "issue.assigned", "time": "2024-06-10T09:12:01+08:00",
                                 "status": "assigned", "by": "dispatch",
                                 "details": {"steward_id": "s-02", "repairer_id": "r-02",
                                             "reason": "routed"}},
                                {"type": "issue.escalated", "time": "2024-06-11T09:42:00+08:00",
                                 "status": "escalated", "by": "clock",
                                 "details": {"meeting_date": "2024-06-14", "cause": "overdue"}}]}],
        "minutes": None}]})
    community: str
    meeting_date: date
    status: Literal["upcoming", "awaiting_minutes", "held"]
    agenda: list[AgendaItem]
    minutes: MinutesView | None = None


class PendingMeeting(BaseModel):
    meeting_date: date
    agenda_size: int


class NextMeeting(BaseModel):
    """The community's next meeting and how many issues await it; earlier meeting days
    whose minutes were never recorded still hold their items (`awaiting_minutes`)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "community": "erqiaoxi", "meeting_date": "2024-06-14", "agenda_size": 3,
        "awaiting_minutes": [{"meeting_date": "2024-06-04", "agenda_size": 1}]}]})
    community: str
    meeting_date: date
    agenda_size: int
    awaiting_minutes: list[PendingMeeting] = []
