"""Timeline summaries and labels in words a resident reads, by Accept-Language."""

import uuid
from datetime import datetime, timezone

import pytest

from intake.timeline import timeline_data
from intake.words import labels
from intake.words.language import negotiate
from intake.words.summaries import SUMMARIES, summarize
from redgrid_shared import events
from tests.unit.intake.builders import issue_assigned, issue_unroutable, settled, step

ISSUE = {"steward_id": "s-01", "repairer_id": "r-01"}


@pytest.mark.parametrize("header, lang", [
    (None, "zh"), ("", "zh"), ("zh-CN", "zh"), ("en", "en"), ("en-US,en;q=0.9", "en"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh"), ("en;q=0.5,zh;q=0.9", "zh"), ("fr-FR,en;q=0.7", "en"),
    ("fr", "zh"), ("en;q=0", "zh"), ("en;q=abc, zh", "zh"), ("*", "zh"),
])
def test_language_negotiation_prefers_zh_and_honours_q_values(header, lang):
    assert negotiate(header) == lang


def _entry(env: events.Envelope) -> tuple[str, dict]:
    return env.short_type, timeline_data(env.short_type, env.data, issue=ISSUE)


EVERY = [
    issue_assigned("iss-1"), issue_unroutable("iss-1"), step(events.IssueAccepted, "iss-1"),
    step(events.IssueStarted, "iss-1", by="r-01"),
    step(events.IssueResolved, "iss-1", amount_charged="80.00"),
    step(events.IssueReturned, "iss-1"), step(events.IssueEscalated, "iss-1"),
    step(events.IssueReferred, "iss-1", note="需街道协调"), step(events.IssueReferralOutcome, "iss-1"),
    step(events.IssueOverdue, "iss-1"), step(events.IssueClosed, "iss-1"),
    settled("iss-1", str(uuid.uuid4())),
    settled("iss-1", str(uuid.uuid4()), outcome="refused", status="in_progress",
            reason="work had started"),
]
RESIDENT = [
    ("issue.reported", {"category": "repair.pipe", "source": "hotline"}),
    ("issue.commented", {"author_role": "steward", "text": "明早上门"}),
    ("issue.cancelled", {"reason": "已解决"}), ("issue.confirmed", {}),
    ("issue.reopened", {"reason": "又堵了"}), ("issue.rated", {"score": 4, "comment": "好"}),
]


def test_every_event_type_has_a_sentence_in_each_language():
    entries = [_entry(env) for env in EVERY] + RESIDENT
    assert {t for t, _ in entries} == set(SUMMARIES)
    for event_type, data in entries:
        zh, en = summarize(event_type, data, "zh"), summarize(event_type, data, "en")
        for text in (zh, en):
            assert text and "None" not in text and event_type not in text, (event_type, text)
        assert zh != en
        assert en[:1].isascii() and not zh[:1].isascii(), (zh, en)


def test_an_assignment_names_the_grid_people_and_deadline_in_beijing_time():
    env = issue_assigned("iss-1", signoff_due_at=datetime(2025, 3, 14, 3, 30, tzinfo=timezone.utc))
    _, data = _entry(env)
    assert summarize("issue.assigned", data, "zh") == (
        "已派单：网格 g-03，物业管家 s-01、维修人员 r-01，将于 2025年3月14日 11:30 前签收")
    assert summarize("issue.assigned", data, "en") == (
        "Assigned to grid g-03 (the property steward s-01, the repairer r-01); "
        "sign-off due by 14 Mar 2025, 11:30 (UTC+8)")


def test_staff_steps_show_a_role_never_the_actor_id():
    _, data = _entry(step(events.IssueStarted, "iss-1", by="r-01"))
    assert data == {"status": "in_progress", "actor": "repairer"}
    _, data = _entry(step(events.IssueReferred, "iss-1", by="o-77"))
    assert data["actor"] == "staff" and "o-77" not in str(data)
    assert summarize("issue.started", {"actor": "repairer"}, "zh") == "维修人员已开始处理"


def test_unroutable_hides_the_internal_reason():
    _, data = _entry(issue_unroutable("iss-1", reason="no grid of community erqiaoxi covers b-99"))
    assert data == {"building": "b-99", "status": "unroutable"}


def test_a_reassignment_keeps_no_ids_of_people_on_leave():
    _, data = _entry(issue_assigned("iss-1", reason="backup_cover", covering_for=["s-07"]))
    assert "s-07" not in str(data) and data["reason"] == "backup_cover"


def test_comments_show_ids_only_of_the_resident_and_grid_staff():
    resident = timeline_data("issue.commented", {"author_id": "u-1", "author_role": "resident",
                                                 "text": "t"})
    desk = timeline_data("issue.commented", {"author_id": "o-1", "author_role": "operator",
                                             "text": "t"})
    assert resident["author_id"] == "u-1" and "author_id" not in desk


def test_a_refused_action_says_why_and_where_the_issue_stands():
    data = {"action": "cancel", "outcome": "refused", "reason": "维修已开始",
            "status": "in_progress"}
    assert summarize("issue.resident-action-settled", data, "zh") == (
        "撤销未能生效：维修已开始；当前状态：处理中")


def test_status_labels_cover_every_status():
    for status in ("reported", "unroutable", "assigned", "accepted", "in_progress", "returned",
                   "escalated", "referred", "resolved", "closed", "cancelled"):
        assert labels.status(status, "zh") != status and labels.status(status, "en") != status


def test_an_unknown_type_is_shown_by_name():
    assert summarize("issue.teleported", {}, "zh") == "issue.teleported"
