"""An issue as the public sees it through GeoReport v2: open or closed, a note a resident
understands, who is responsible and when it should be done. No personal data: no reporter,
staff ids, unit, free-text description, photos or 一老一小 flag.

Pure functions over an `issues` row. Columns added by later migrations (e.g. `department`)
are read when present, so this works before and after they exist.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from intake.open311.services import notice
from redgrid_shared import catalog

LOCAL = ZoneInfo("Asia/Shanghai")
CLOSED = frozenset({"resolved", "closed", "cancelled"})
DEPARTMENTS = {"street_office": "街道办事处", "housing": "住建部门", "police": "公安派出所",
               "fire": "消防部门"}
DESK = "社区服务站"  # who holds a report no grid has taken yet


def _get(row, column: str):
    """A column that may not exist yet (asyncpg records and dicts both answer `get`)."""
    return row.get(column)


def open_or_closed(status: str) -> str:
    return "closed" if status in CLOSED else "open"


def statuses_for(public: str) -> list[str]:
    """The internal statuses behind `open` or `closed`."""
    every = ("reported", "unroutable", "assigned", "accepted", "in_progress", "returned",
             "escalated", "referred", "resolved", "closed", "cancelled")
    return [s for s in every if open_or_closed(s) == public]


def department_of(row) -> str | None:
    code = _get(row, "department")
    return DEPARTMENTS.get(code, code) if code else None


def status_notes(row) -> str:
    """What has happened, in the words a resident uses."""
    status, grid = row["status"], _get(row, "grid_id")
    meeting = _get(row, "meeting_date")
    department = department_of(row)
    notes = {
        "reported": "已受理，正在派单",
        "unroutable": "已受理，等待社区人工派单",
        "assigned": f"已派单至网格 {grid}，等待签收" if grid else "已派单，等待签收",
        "accepted": "已签收",
        "in_progress": "处理中",
        "returned": "已退单，等待重新派单",
        "escalated": (f"将提交 {meeting:%Y-%m-%d} 逢四说事议事会" if meeting
                      else "将提交下一次逢四说事议事会"),
        "referred": f"已转交{department}" if department else "已转交相关部门",
        "resolved": "已办结",
        "closed": "已关闭",
        "cancelled": "已取消",
    }
    return notes.get(status, status)


def agency_responsible(row) -> str:
    """The department it was referred to, else its grid, else the community desk."""
    department = department_of(row)
    if row["status"] == "referred" and department:
        return department
    grid = _get(row, "grid_id")
    return f"网格 {grid}" if grid else DESK


def expected(row) -> datetime | None:
    """The completion deadline; before sign-off, the latest it can be (sign-off + limit)."""
    if row["status"] in CLOSED:
        return None
    if _get(row, "completion_due_at"):
        return row["completion_due_at"]
    signoff, limit = _get(row, "signoff_due_at"), _get(row, "completion_limit_minutes")
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
