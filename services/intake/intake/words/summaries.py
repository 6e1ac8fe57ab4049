"""One sentence per timeline entry, in words a resident reads (zh by default, en on request).

Each function takes the entry's stored data (see `follow.timeline`) and the language; a type
this module does not know is shown by its name, so a new event never breaks a timeline.
"""

from collections.abc import Callable

from intake.words import labels
from intake.words.labels import pick
from intake.words.language import Lang

# Why an (re)assignment happened: the opening words of its sentence.
ASSIGN_OPENING = {
    "routed": ("已派单", "Assigned"),
    "manual": ("社区工作人员已派单", "Assigned by community staff"),
    "returned": ("退单后已改派", "Reassigned after a return"),
    "reopened": ("发回重办，已重新派单", "Reopened and assigned again"),
    "backup_cover": ("原负责人休假，已转由备岗人员办理", "Handed to backup staff while the usual staff are on leave"),
    "meeting": ("议事会决定重新派单", "The community meeting assigned it"),
    "referral_outcome": ("部门答复后交回网格，已重新派单", "Handed back to the grid after the department's answer"),
}
ESCALATE_OPENING = {"overdue": ("超时未办，", "Overdue: "), "carried": ("上次议事会未决，", "Carried over: ")}
CLOSED = {
    "no_response_7_days": ("办结后 7 天内未确认或发回，已自动结案",
                           "Closed automatically: no answer within 7 days of the fix"),
    "meeting": ("议事会决定结案", "Closed by decision of the community meeting"),
    "confirmed": ("居民确认解决，已结案", "Closed: the resident confirmed the fix"),
}
APPLIED = {"cancel": ("撤销已生效", "The cancellation took effect"),
           "confirm": ("确认已生效，已结案", "The confirmation took effect; the issue is closed"),
           "reopen": ("发回重办已受理", "The reopening was accepted")}


def _zh_en(lang: Lang, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _people(d: dict, lang: Lang) -> str:
    names = [f"{pick(labels.ROLE, 'steward', lang)} {d['steward_id']}"] if d.get("steward_id") else []
    if d.get("repairer_id"):
        names.append(f"{pick(labels.ROLE, 'repairer', lang)} {d['repairer_id']}")
    return ("、" if lang == "zh" else ", ").join(names)


def reported(d: dict, lang: Lang) -> str:
    where = pick(labels.SOURCE, d.get("source", "app"), lang)
    cat = labels.category(d.get("category"), lang)
    if lang == "zh":
        return f"{where}登记报事：{cat}" if where else f"已提交报事：{cat}"
    return f"Reported {where}: {cat}" if where else f"Reported: {cat}"


def assigned(d: dict, lang: Lang) -> str:
    opening = pick(ASSIGN_OPENING, d.get("reason", "routed"), lang, pick(ASSIGN_OPENING, "routed", lang))
    due, grid, people = labels.when(d.get("signoff_due_at"), lang), d.get("grid_id"), _people(d, lang)
    unit = d.get("unit")
    if lang == "zh":
        text = f"{opening}：网格 {grid}，{people}，将于 {due} 前签收"
        return text + (f"；承办单位：{unit}" if unit else "")
    text = f"{opening} to grid {grid} ({people}); sign-off due by {due}"
    return text + (f"; unit: {unit}" if unit else "")


def unroutable(d: dict, lang: Lang) -> str:
    b = d.get("building")
    return _zh_en(lang, f"楼栋 {b} 暂无网格负责，社区工作人员将人工派单",
                  f"No grid covers building {b} yet; community staff will assign it by hand")


def accepted(d: dict, lang: Lang) -> str:
    who, due = pick(labels.ROLE, d.get("actor", "staff"), lang), labels.when(d.get("completion_due_at"), lang)
    return _zh_en(lang, f"{who}已签收，将于 {due} 前办结",
                  f"Signed off by {who}; to be finished by {due}")


def started(d: dict, lang: Lang) -> str:
    who = pick(labels.ROLE, d.get("actor", "staff"), lang)
    return _zh_en(lang, f"{who}已开始处理", f"Work started ({who})")


def resolved(d: dict, lang: Lang) -> str:
    note, until = d.get("note", ""), labels.when(d.get("close_due_at"), lang)
    amount = d.get("amount_charged")
    if lang == "zh":
        via = {"meeting": "（议事会决定）", "referral": "（部门办理）"}.get(d.get("via"), "")
        fee = f"；收费 {amount} 元" if amount is not None else ""
        return f"已办结{via}：{note}{fee}。如未解决，可在 {until} 前发回重办，逾期自动结案"
    via = {"meeting": " by the community meeting", "referral": " by a department"}.get(d.get("via"), "")
    fee = f"; charged ¥{amount}" if amount is not None else ""
    return f"Resolved{via}: {note}{fee}. Not fixed? Reopen by {until}; after that it closes automatically"


def returned(d: dict, lang: Lang) -> str:
    who, reason = pick(labels.ROLE, d.get("role", "staff"), lang), d.get("reason", "")
    return _zh_en(lang, f"{who}退单：{reason}；社区将重新安排",
                  f"Returned by {who}: {reason}; the community will reassign it")


def escalated(d: dict, lang: Lang) -> str:
    opening = pick(ESCALATE_OPENING, d.get("cause"), lang, " ")
    on = labels.day(d.get("meeting_date"), lang)
    return _zh_en(lang, f"{opening.strip()}已提交 {on} 逢四说事议事会协调",
                  f"{opening.strip() + ' ' if opening.strip() else ''}On the agenda of the community meeting on {on}")


def referred(d: dict, lang: Lang) -> str:
    dept, note = pick(labels.DEPARTMENT, d.get("department"), lang), d.get("note")
    return _zh_en(lang, f"已转交{dept}处理" + (f"：{note}" if note else ""),
                  f"Referred to {dept}" + (f": {note}" if note else ""))


def referral_outcome(d: dict, lang: Lang) -> str:
    dept, outcome = pick(labels.DEPARTMENT, d.get("department"), lang), d.get("outcome", "")
    if lang == "zh":
        return f"{dept}答复：{outcome}" + ("，已解决" if d.get("resolved") else "，交回网格继续办理")
    return f"Answer from {dept}: {outcome}" + ("; resolved" if d.get("resolved") else "; back to the grid")


def overdue(d: dict, lang: Lang) -> str:
    due = labels.when(d.get("due_at"), lang)
    if d.get("deadline") == "signoff":
        return _zh_en(lang, f"签收已超时（时限 {due}）", f"Sign-off overdue (was due {due})")
    return _zh_en(lang, f"办理已超时（时限 {due}）", f"Completion overdue (was due {due})")


def closed(d: dict, lang: Lang) -> str:
    return pick(CLOSED, d.get("reason"), lang, _zh_en(lang, "已结案", "Closed"))


def settled(d: dict, lang: Lang) -> str:
    action = d.get("action")
    if d.get("outcome") == "applied":
        return pick(APPLIED, action, lang, _zh_en(lang, "已生效", "It took effect"))
    what, now = pick(labels.ACTION, action, lang), labels.status(d.get("status", ""), lang)
    reason = d.get("reason") or ""
    if lang == "zh":
        return f"{what}未能生效" + (f"：{reason}" if reason else "") + f"；当前状态：{now}"
    return f"The {what} could not take effect" + (f": {reason}" if reason else "") + f"; status: {now}"


def commented(d: dict, lang: Lang) -> str:
    who = pick(labels.ROLE, d.get("author_role"), lang)
    if lang == "en":
        who = who[:1].upper() + who[1:]
    return _zh_en(lang, f"{who}留言：{d.get('text', '')}", f"{who} wrote: {d.get('text', '')}")


def cancelled(d: dict, lang: Lang) -> str:
    reason = d.get("reason")
    return _zh_en(lang, "居民申请撤销" + (f"：{reason}" if reason else ""),
                  "The resident asked to cancel" + (f": {reason}" if reason else ""))


def confirmed(_: dict, lang: Lang) -> str:
    return _zh_en(lang, "居民确认问题已解决", "The resident confirmed the fix")


def reopened(d: dict, lang: Lang) -> str:
    reason = d.get("reason", "")
    return _zh_en(lang, f"居民发回重办：{reason}", f"The resident reopened it: {reason}")


def rated(d: dict, lang: Lang) -> str:
    score, comment = d.get("score"), d.get("comment")
    return _zh_en(lang, f"居民评价 {score} 星（满分 5 星）" + (f"：{comment}" if comment else ""),
                  f"The resident rated it {score}/5" + (f": {comment}" if comment else ""))


SUMMARIES: dict[str, Callable[[dict, Lang], str]] = {
    "issue.reported": reported, "issue.assigned": assigned, "issue.unroutable": unroutable,
    "issue.accepted": accepted, "issue.started": started, "issue.resolved": resolved,
    "issue.returned": returned, "issue.escalated": escalated, "issue.referred": referred,
    "issue.referral-outcome": referral_outcome, "issue.overdue": overdue,
    "issue.closed": closed, "issue.resident-action-settled": settled,
    "issue.commented": commented, "issue.cancelled": cancelled, "issue.confirmed": confirmed,
    "issue.reopened": reopened, "issue.rated": rated,
}


def summarize(event_type: str, data: dict, lang: Lang) -> str:
    """The sentence for one timeline entry."""
    summary = SUMMARIES.get(event_type)
    return summary(data, lang) if summary else event_type
