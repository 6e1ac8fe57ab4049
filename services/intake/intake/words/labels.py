"""Words a resident reads for statuses, roles, departments and times, in zh and en."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from intake.words.language import Lang
from redgrid_shared import catalog

# Communities are in China: times are shown as Beijing time whatever the reader's device.
LOCAL = ZoneInfo("Asia/Shanghai")

STATUS = {
    "reported": ("已提交", "Reported"),
    "unroutable": ("待人工派单", "Waiting for staff to assign it"),
    "assigned": ("已派单", "Assigned"),
    "accepted": ("已签收", "Signed off"),
    "in_progress": ("处理中", "In progress"),
    "returned": ("已退单，待重新派单", "Returned, to be reassigned"),
    "escalated": ("已提交议事会", "On the community meeting's agenda"),
    "referred": ("已转交部门", "Referred to a department"),
    "resolved": ("已办结", "Resolved"),
    "closed": ("已结案", "Closed"),
    "cancelled": ("已撤销", "Cancelled"),
}
ROLE = {
    "resident": ("居民", "the resident"),
    "steward": ("物业管家", "the property steward"),
    "repairer": ("维修人员", "the repairer"),
    "operator": ("社区工作人员", "community staff"),
    "admin": ("社区工作人员", "community staff"),
    "staff": ("工作人员", "staff"),
    "clock": ("系统", "the system"),
    "system": ("系统", "the system"),
}
DEPARTMENT = {
    "street_office": ("街道办事处", "the street office"),
    "housing": ("住建部门", "the housing authority"),
    "police": ("公安派出所", "the police"),
    "fire": ("消防部门", "the fire service"),
}
SOURCE = {"app": ("", ""), "meeting": ("议事会上", "at the community meeting"),
          "grid_visit": ("网格走访时", "on a grid visit"), "hotline": ("热线", "by the hotline")}
ACTION = {"cancel": ("撤销", "cancel"), "confirm": ("确认解决", "confirmation"),
          "reopen": ("发回重办", "reopening")}


def pick(table: dict, key, lang: Lang, fallback: str = "") -> str:
    """The word for `key` in `lang`, or the fallback (the key itself) when unknown."""
    words = table.get(key)
    if words is None:
        return fallback or str(key or "")
    return words[0] if lang == "zh" else words[1]


def status(value: str, lang: Lang) -> str:
    return pick(STATUS, value, lang)


def category(code: str | None, lang: Lang) -> str:
    found = catalog.CATEGORIES.get(code or "")
    if found is None:
        return code or ""
    return found.label_zh if lang == "zh" else found.label_en


def when(value: str | datetime | None, lang: Lang) -> str:
    """A moment as Beijing time: `2025年3月14日 11:30` or `14 Mar 2025, 11:30 (UTC+8)`."""
    if value is None:
        return "—"
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    at = at.astimezone(LOCAL)
    if lang == "zh":
        return f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}"
    return f"{at.day} {at:%b %Y, %H:%M} (UTC+8)"


def day(value: str | date | None, lang: Lang) -> str:
    """A calendar day: `2025年3月24日` or `24 Mar 2025`."""
    if value is None:
        return "—"
    on = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{on.year}年{on.month}月{on.day}日" if lang == "zh" else f"{on.day} {on:%b %Y}"
