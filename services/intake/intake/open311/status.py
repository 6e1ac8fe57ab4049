"""An issue as the public sees it through GeoReport v2: open or closed, a note a resident
understands, who is responsible and when it should be done. No personal data: no reporter,
staff ids, unit, free-text description, photos or 一老一小 flag.

Pure functions over an `issues` row: the view dispatch's events keep (status, grid,
meeting_date, department, completion_due_at, close_due_at; see intake.follow).
"""

from datetime import datetime, timedelta

from intake.open311.services import notice
from intake.words import labels
from redgrid_shared import catalog

LOCAL = labels.LOCAL
CLOSED = frozenset({"resolved", "closed", "cancelled"})
DESK = "社区服务站"  # who holds a report no grid has, or one given back to the operators
MEETING = "逢四说事议事会"
# Statuses whose deadline dispatch is running; escalated, referred and returned issues have
# none (the meeting, the department or the operators own them: docs/decisions.md).
CLOCKED = frozenset({"assigned", "accepted", "in_progress"})


def open_or_closed(status: str) -> str:
    return "closed" if status in CLOSED else "open"


def statuses_for(public: str) -> list[str]:
    """The internal statuses behind `open` or `closed`."""
    every = ("reported", "unroutable", "assigned", "accepted", "in_progress", "returned",
             "escalated", "referred", "resolved", "closed", "cancelled")
    return [s for s in every if open_or_closed(s) == public]


def department_of(row) -> str | None:
    """The department's name (the resident app's word for it), if it was referred to one."""
    code = row["department"]
    return labels.pick(labels.DEPARTMENT, code, "zh") if code else None


def status_notes(row) -> str:
    """What has happened, in the words a resident uses: the resident app's status label,
    with the grid, meeting day, department or auto-close day where the view has one."""
    status, grid, meeting = row["status"], row["grid_id"], row["meeting_date"]
    close_due, department = local(row["close_due_at"]), department_of(row)
    notes = {
        "reported": "已受理，正在派单",
        "unroutable": "已受理，等待社区人工派单",
        "assigned": f"已派单至网格 {grid}，等待签收" if grid else None,
        "escalated": f"将提交 {meeting:%Y-%m-%d} {MEETING}" if meeting else None,
        "referred": f"已转交{department}" if department else None,
        "resolved": (f"已办结，待居民确认（{close_due:%Y-%m-%d} 前未确认将自动结案）"
                     if close_due else None),
    }
    return notes.get(status) or labels.status(status, "zh")


def agency_responsible(row) -> str:
    """The department it was referred to, the meeting it awaits, the operators' desk when
    no grid holds it, else its grid."""
    status, grid = row["status"], row["grid_id"]
    if status == "referred" and row["department"]:
        return department_of(row)
    if status == "escalated":
        return MEETING
    if status in ("reported", "unroutable", "returned") or not grid:
        return DESK
    return f"网格 {grid}"


def expected(row) -> datetime | None:
    """The completion deadline while dispatch runs one; before sign-off, the latest it can
    be (sign-off deadline + completion limit)."""
    if row["status"] not in CLOCKED:
        return None
    if row["completion_due_at"]:
        return row["completion_due_at"]
    signoff, limit = row["signoff_due_at"], row["completion_limit_minutes"]
    if signoff and limit:
        return signoff + timedelta(minutes=limit)
    return None


def local(at: datetime | None) -> datetime | None:
    """Asia/Shanghai time with its +08:00 offset."""
    return at.astimezone(LOCAL) if at is not None else None


def public_request(row) -> dict:
    """One service request of the spec, in its field order."""
    category = catalog.CATEGORIES.get(row["category"])
    return {
        "service_request_id": row["id"],
        "status": open_or_closed(row["status"]),
        "status_notes": status_notes(row),
        "service_name": category.label_zh if category else row["category"],
        "service_code": row["category"],
        "description": None,  # free text can hold names, phones and units: never public
        "agency_responsible": agency_responsible(row),
        "service_notice": notice(row["category"]) if category else None,
        "requested_datetime": local(row["created_at"]),
        "updated_datetime": local(row["updated_at"]),
        "expected_datetime": local(expected(row)),
        "address": f"楼栋 {row['building']}",
        "address_id": row["building"],
    }
