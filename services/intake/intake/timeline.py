"""What each event may show on an issue's timeline, and who acted, in roles not ids.

A timeline is read by the resident and by the staff of the grid, so it keeps only what
PRODUCT.md shows them: no reporter ids, no ids of people beyond the grid's steward and
repairer (`grid_id`, `steward_id`, `repairer_id`), no internal routing details.
"""

from collections.abc import Mapping

# Every dispatch step also keeps the `status` it left the issue in (see `timeline_data`).
TIMELINE_FIELDS: dict[str, tuple[str, ...]] = {
    "issue.reported": ("category", "description", "building", "unit", "vulnerable", "photos",
                       "source"),
    "issue.assigned": ("grid_id", "steward_id", "repairer_id", "signoff_due_at",
                       "completion_limit_minutes", "reason", "unit", "note"),
    "issue.unroutable": ("building",),
    "issue.accepted": ("signoff_due_at", "completion_due_at", "on_time"),
    "issue.started": (),
    "issue.resolved": ("note", "amount_charged", "via", "meeting_date", "close_due_at",
                       "on_time"),
    "issue.returned": ("reason", "role"),
    "issue.escalated": ("meeting_date", "reason", "cause"),
    "issue.referred": ("department", "note", "meeting_date"),
    "issue.referral-outcome": ("department", "outcome", "resolved"),
    "issue.overdue": ("deadline", "due_at"),
    "issue.closed": ("reason",),
    "issue.resident-action-settled": ("action", "outcome", "reason"),
    "issue.commented": ("author_role", "text"),
    "issue.cancelled": ("reason",),
    "issue.confirmed": (),
    "issue.reopened": ("reason",),
    "issue.rated": ("score", "comment"),
}
# Roles whose ids a timeline may show: the resident's own and the grid's two people.
NAMED_ROLES = frozenset({"resident", "steward", "repairer"})
AUTOMATIC = {"clock": "clock", "dispatch": "system"}
RESIDENT_TYPES = frozenset({"issue.reported", "issue.commented", "issue.cancelled",
                            "issue.confirmed", "issue.reopened", "issue.rated"})


def actor_of(by: str, issue: Mapping) -> str:
    """Who acted, as a role word: steward, repairer, clock, system or (other) staff."""
    if by in AUTOMATIC:
        return AUTOMATIC[by]
    if by == issue.get("steward_id"):
        return "steward"
    if by == issue.get("repairer_id"):
        return "repairer"
    return "staff"


def timeline_data(short_type: str, data: Mapping, *, issue: Mapping | None = None) -> dict:
    """The fields of an event its timeline readers may see (plus `actor` for staff steps)."""
    shown = {k: data[k] for k in TIMELINE_FIELDS.get(short_type, ()) if k in data}
    if "status" in data and short_type != "issue.reported":
        shown["status"] = data["status"]
    if issue is not None and "by" in data and short_type.startswith("issue.") and \
            short_type not in RESIDENT_TYPES:
        shown["actor"] = actor_of(data["by"], issue)
    if short_type == "issue.commented" and data.get("author_role") in NAMED_ROLES:
        shown["author_id"] = data.get("author_id")
    return shown

