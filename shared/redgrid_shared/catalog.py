"""The category catalogue PRODUCT.md fixes: codes, labels, repairer need, default SLAs.

These are contract data shared by intake (validation, /v1/categories) and dispatch
(routing, clocks); run-time SLA changes by an admin live in dispatch.
"""

from dataclasses import dataclass
from datetime import timedelta

URGENT_SIGNOFF = timedelta(minutes=30)
URGENT_COMPLETION = timedelta(hours=24)
NORMAL_SIGNOFF = timedelta(hours=2)
NORMAL_COMPLETION = timedelta(hours=72)
SLOW_SIGNOFF = timedelta(days=7)
SLOW_COMPLETION = timedelta(days=7)


@dataclass(frozen=True)
class Category:
    code: str
    label_zh: str
    label_en: str
    needs_repairer: bool
    priority: str  # urgent | normal | low
    signoff: timedelta
    completion: timedelta


def _cat(code, zh, en, repairer, priority="normal"):
    limits = {"urgent": (URGENT_SIGNOFF, URGENT_COMPLETION),
              "normal": (NORMAL_SIGNOFF, NORMAL_COMPLETION),
              "low": (SLOW_SIGNOFF, SLOW_COMPLETION)}[priority]
    return Category(code, zh, en, repairer, priority, *limits)


CATEGORIES: dict[str, Category] = {c.code: c for c in (
    _cat("repair.paid", "有偿维修 (业主户内)", "Paid in-home repair", True),
    _cat("repair.public", "公共维修", "Public-area repair", True),
    _cat("repair.pipe", "管道疏通", "Pipe unclogging", True),
    _cat("repair.ac_drip", "空调滴水", "Air-conditioner drip", True),
    _cat("repair.seepage", "渗水处理", "Water seepage", True, "urgent"),
    _cat("safety.fire", "消防隐患 (消防通道、飞线充电)",
         "Fire hazard (blocked fire lane, flying-wire charging)", True, "urgent"),
    _cat("safety.security", "治安安全", "Public security", False),
    _cat("environment.sanitation", "环境卫生 (脏乱差)", "Sanitation and environment", False),
    _cat("dispute.neighbor", "邻里纠纷", "Neighbour dispute", False, "low"),
    _cat("service.needs", "解民需", "Residents' needs", False),
    _cat("service.hardship", "帮民困", "Hardship help", False),
    _cat("service.comfort", "慰民心", "Comfort and visits", False),
    _cat("service.health", "疗民疾", "Health support", False),
    _cat("service.care", "暖民情", "Care for residents", False),
    _cat("service.urgent", "便民急", "Urgent help", False, "urgent"),
    _cat("suggestion", "意见建议", "Suggestion", False, "low"),
    _cat("other", "其他 (无人管)", "Other (no one in charge)", False),
)}


def deadlines(category: Category, *, vulnerable: bool) -> tuple[timedelta, timedelta]:
    """Default (sign-off, completion) limits; an elderly person or child alone is urgent."""
    if vulnerable and category.priority != "urgent":
        return URGENT_SIGNOFF, URGENT_COMPLETION
    return category.signoff, category.completion
