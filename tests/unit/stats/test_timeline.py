"""What one issue's events count for: flows credited by event time, state intervals."""

from datetime import timedelta

from stats.timeline import derive
from tests.unit.stats.builders import T0, assigned, ev, reported, step


def metrics(derived, person: str = "") -> dict[str, int]:
    out: dict[str, int] = {}
    for f in derived.flows:
        if f.person == person:
            out[f.metric] = out.get(f.metric, 0) + f.n
    return out


def test_a_full_lifecycle_counts_each_step_once_whatever_the_arrival_order():
    events = [reported(), assigned(),
              step("issue.accepted", 10, "accepted", on_time=True),
              step("issue.started", 20, "in_progress", by="r-1"),
              step("issue.resolved", 60, "resolved", by="r-1", on_time=False,
                   amount_charged="35.5"),
              step("issue.closed", 3000, "closed", by="clock", reason="no_response_7_days")]
    forward, backward = derive(events), derive(list(reversed(events)))
    assert forward == backward
    assert metrics(forward) == {"collected": 1, "assignments": 1, "signoffs": 1,
                                "on_time_signoffs": 1, "resolutions": 1, "completions": 1,
                                "paid_repairs": 1, "handled": 1}
    assert [s.status for s in forward.states] == ["reported", "assigned", "accepted",
                                                  "in_progress", "resolved", "closed"]
    assert forward.current.to_at is None and forward.states[0].to_at == forward.states[1].from_at
    paid = [f for f in forward.flows if f.metric == "paid_repairs" and f.person == ""]
    assert paid[0].amount == 35.5


def test_a_step_taken_by_an_assignee_is_credited_to_him_alone():
    d = derive([reported(), assigned(), step("issue.accepted", 5, "accepted", by="s-1",
                                             on_time=True),
                step("issue.resolved", 50, "resolved", by="r-1", on_time=True)])
    assert metrics(d, "s-1").get("signoffs") == 1 and "signoffs" not in metrics(d, "r-1")
    assert metrics(d, "r-1").get("resolutions") == 1 and "resolutions" not in metrics(d, "s-1")
    assert metrics(d, "s-1")["assignments"] == metrics(d, "r-1")["assignments"] == 1


def test_work_after_a_reassignment_is_credited_to_the_new_assignee_not_the_old():
    d = derive([reported(), assigned(steward="s-1", repairer="r-1"),
                step("issue.returned", 5, "returned", by="r-1", reason="not mine", role="repairer"),
                assigned(10, steward="s-1", repairer="r-2", reason="manual"),
                step("issue.resolved", 40, "resolved", by="clock", on_time=True)])
    assert metrics(d, "r-1") == {"assignments": 1, "returns": 1}
    assert metrics(d, "r-2")["resolutions"] == 1 and "returns" not in metrics(d, "r-2")


def test_an_overdue_issue_stays_overdue_until_signed_off():
    d = derive([reported(), assigned(),
                step("issue.overdue", 200, "assigned", by="clock", deadline="signoff",
                     due_at=(T0 + timedelta(hours=2)).isoformat()),
                step("issue.escalated", 200, "escalated", by="clock", meeting_date="2026-11-14",
                     reason="late", cause="overdue")])
    assert d.current.status == "escalated" and d.current.overdue
    assert d.current.meeting_date == "2026-11-14"
    signed = derive([*[reported(), assigned()],
                     step("issue.overdue", 200, "assigned", by="clock", deadline="signoff",
                          due_at=T0.isoformat()),
                     step("issue.accepted", 300, "accepted", on_time=False)])
    assert not signed.current.overdue and signed.current.status == "accepted"
    assert "on_time_signoffs" not in metrics(signed)


def test_a_refused_cancel_does_not_cancel_and_an_applied_one_does():
    cancel = ev("issue.cancelled", 30, by="u-1")
    refused = step("issue.resident-action-settled", 31, "in_progress", by="u-1",
                   action="cancel", action_event_id=cancel.event_id, outcome="refused")
    base = [reported(), assigned(), step("issue.started", 20, "in_progress")]
    assert derive(base + [cancel, refused]).current.status == "in_progress"
    assert "cancelled" not in metrics(derive(base + [cancel, refused]))
    waiting = derive(base + [cancel])  # dispatch has not answered yet
    assert waiting.current.status == "cancelled" and metrics(waiting)["cancelled"] == 1


def test_an_applied_reopen_counts_once_and_handled_counts_the_first_time_only():
    reopen = ev("issue.reopened", 100, by="u-1", reason="still leaking")
    d = derive([reported(), assigned(), step("issue.resolved", 60, "resolved", on_time=True),
                reopen,
                step("issue.resident-action-settled", 101, "assigned", by="u-1",
                     action="reopen", action_event_id=reopen.event_id, outcome="applied"),
                assigned(101, reason="reopened"),
                step("issue.resolved", 200, "resolved", on_time=True)])
    m = metrics(d)
    assert m["reopens"] == 1 and m["resolutions"] == 2 and m["handled"] == 1
    assert m["assignments"] == 2


def test_nothing_is_collected_before_the_report_arrives():
    early = derive([assigned(), step("issue.accepted", 5, "accepted", on_time=True)])
    assert early.states == () and "collected" not in metrics(early)
    assert metrics(early)["signoffs"] == 1


def test_ratings_sum_scores_and_meeting_decisions_count_per_kind():
    d = derive([reported(), assigned(), ev("issue.rated", 90, by="u-1", score=4),
                ev("meeting.decision", 100, decision="referred", meeting_date="2026-11-14")])
    rated = [f for f in d.flows if f.metric == "ratings" and f.person == ""]
    assert rated[0].amount == 4
    assert metrics(d)["issues_decided"] == 1 and metrics(d)["decision.referred"] == 1
