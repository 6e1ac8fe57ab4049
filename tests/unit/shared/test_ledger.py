"""The ledger parser and planner: every bad row by line, ids stable, facts split by owner."""

import json
from datetime import datetime, timezone

import pytest

from redgrid_shared import ledger
from redgrid_shared.events import EVENT_TYPES

NOW = datetime(2026, 11, 30, 8, tzinfo=timezone.utc)
HEADER = ("ledger_id,category,description,building,unit,source,reported_at,grid,steward,"
          "repairer,signed_off_at,resolved_at,amount,closed_at,close_reason,rating,"
          "meeting_date,meeting_decision,department,campaign,campaign_name,campaign_departments")
PAID = ("L1,repair.paid,热水器坏了,b-01,1-101,app,2026-03-01 09:00,g-01,s-01,r-01,"
        "2026-03-01 09:20,2026-03-02 10:00,120.50,2026-03-03,,5,,,,,,")
MEETING = ("L2,environment.sanitation,垃圾清运,b-02,,meeting,2026-03-01,,,,,,,,,,"
           "2026-03-04,resolved,,c-1,环境整治,street_office;police")


def parse(text: str, fmt="csv", community="erqiaoxi"):
    return ledger.parse(text, fmt, community=community, now=NOW)


def problems(text: str, fmt="csv") -> dict[str, str]:
    with pytest.raises(ledger.LedgerInvalid) as err:
        parse(text, fmt)
    return err.value.problems


def plan(text: str, community="erqiaoxi") -> ledger.Plan:
    return ledger.build(parse(text, community=community), community=community, importer="a-1")


def types(streams: dict) -> dict[str, list[str]]:
    return {k: [e.short_type for e in s.events] for k, s in streams.items()}


def test_csv_rows_keep_their_line_numbers_and_shanghai_times():
    lines = parse("\n".join([HEADER, PAID, MEETING]))
    assert [line.line for line in lines] == [2, 3]
    assert lines[0].row.reported_at.isoformat() == "2026-03-01T09:00:00+08:00"
    assert lines[1].row.campaign_departments == ["street_office", "police"]


def test_jsonl_and_csv_of_the_same_rows_plan_the_same_events():
    rows = [{"ledger_id": "L9", "category": "repair.pipe", "description": "下水道堵塞",
             "building": "b-03", "reported_at": "2026-02-01T08:00:00+08:00", "grid": "g-01",
             "steward": "s-01", "resolved_at": "2026-02-01T12:00:00+08:00"}]
    from_jsonl = ledger.build(parse("\n" + json.dumps(rows[0], ensure_ascii=False), "jsonl"),
                              community="erqiaoxi", importer="a-1")
    csv_text = ",".join(rows[0]) + "\n" + ",".join(rows[0].values())
    from_csv = ledger.build(parse(csv_text), community="erqiaoxi", importer="a-1")
    ids = lambda p: [e.id for s in (*p.intake.values(), *p.dispatch.values()) for e in s.events]
    assert ids(from_jsonl) == ids(from_csv)
    assert parse("\n" + json.dumps(rows[0]), "jsonl")[0].line == 2


def test_every_bad_row_is_reported_with_its_line_and_field():
    text = "\n".join([
        HEADER, PAID,
        "L3,repair.nope,x,b-01,,app,2026-03-01,,,,,,,,,,,,,,,",
        "L4,repair.pipe,x,b-01,,app,not a time,,,,,,,,,,,,,,,",
        PAID,  # the same ledger id again
        "L5,repair.pipe,x,b-01,,app,2026-03-05,g-01,s-01,,2026-03-04,,,,,,,,,,,",
        "L6,repair.pipe,x,b-01,,app,2027-01-01,,,,,,,,,,,,,,,",
        "L7,repair.public,x,b-01,,app,2026-03-01,g-01,s-01,,,2026-03-02,10,,,,,,,,,",
    ])
    found = problems(text)
    assert "line 3: category" in found
    assert "line 4: reported_at" in found
    assert found["line 5: ledger_id"] == "L1 already on line 2"
    assert found["line 6: signed_off_at"].startswith("must not be before assigned_at")
    assert "in the future" in found["line 7: row"]
    assert found["line 8: amount"] == "only for a resolved repair.paid issue"
    assert len(found) == 6


def test_unknown_columns_other_communities_and_empty_files_are_refused():
    assert problems("ledger_id,category,description,building,reported_at,colour\n"
                    "L1,other,x,b-1,2026-01-01,red")["line 2: colour"] == "unknown column"
    text = "ledger_id,community,category,description,building,reported_at\n" \
           "L1,elsewhere,other,x,b-1,2026-01-01"
    assert "erqiaoxi" in problems(text)["line 2: community"]
    assert problems(HEADER + "\n") == {"content": "the ledger has no rows"}
    assert "not a JSON object" in problems('{"ledger_id": "L1"}\n[1]', "jsonl")["line 2: row"]


def test_an_escalation_on_the_meeting_day_is_refused():
    row = ("L2,dispute.neighbor,噪音,b-02,,meeting,2026-03-04 08:00,,,,,,,,,,"
           "2026-03-04,resolved,,,,")
    assert "meeting day 2026-03-04" in problems(HEADER + "\n" + row)["line 2: escalated_at"]


def test_ids_are_stable_and_differ_between_communities():
    first, again = plan(HEADER + "\n" + PAID), plan(HEADER + "\n" + PAID)
    other = plan(HEADER + "\n" + PAID, community="other-community")
    assert list(first.issues) == list(again.issues)
    assert [e.id for s in first.dispatch.values() for e in s.events] == \
           [e.id for s in again.dispatch.values() for e in s.events]
    assert set(first.issues).isdisjoint(other.issues)


def test_residents_facts_go_to_intake_and_staff_facts_to_dispatch():
    p = plan("\n".join([HEADER, PAID, MEETING]))
    paid, met = (f"issue-{ledger.issue_id('erqiaoxi', i)}" for i in ("L1", "L2"))
    assert types(p.intake) == {paid: ["issue.reported", "issue.confirmed", "issue.rated"],
                               met: ["issue.reported"]}
    assert types(p.dispatch) == {
        paid: ["issue.assigned", "issue.accepted", "issue.resolved",
               "issue.resident-action-settled"],
        met: ["issue.escalated", "issue.resolved"],
        "meeting-erqiaoxi/2026-03-04": ["meeting.held"],
        "campaign-erqiaoxi/c-1": ["campaign.opened", "campaign.issues-added", "campaign.closed"],
    }
    every = [e for s in (*p.intake.values(), *p.dispatch.values()) for e in s.events]
    assert all(e.data["imported"] is True for e in every)
    for env in every:  # every planned event reads back as its contract says
        EVENT_TYPES[env.short_type].model_validate(env.data)


def test_planned_events_keep_the_ledgers_times_and_clock_facts():
    p = plan("\n".join([HEADER, PAID]))
    stream = p.dispatch[f"issue-{ledger.issue_id('erqiaoxi', 'L1')}"]
    assigned, accepted, resolved, settled = stream.events
    assert assigned.time.isoformat() == "2026-03-01T09:00:00+08:00"
    assert accepted.data["on_time"] is True  # 20 min against a 2 h sign-off limit
    assert resolved.data["on_time"] is True and resolved.data["amount_charged"] == "120.50"
    assert resolved.data["via"] == "staff"
    confirmed = p.intake[f"issue-{ledger.issue_id('erqiaoxi', 'L1')}"].events[1]
    assert settled.data["action_event_id"] == str(confirmed.id)
    assert settled.data["status"] == "closed"


def test_a_meeting_gathers_the_decisions_of_every_row_naming_it():
    second = MEETING.replace("L2,", "L3,").replace(",resolved,,", ",referred,housing,")
    p = plan("\n".join([HEADER, MEETING, second]))
    held = p.dispatch["meeting-erqiaoxi/2026-03-04"]
    assert held.lines == {2, 3}
    decisions = held.events[0].data["decisions"]
    assert sorted(d["decision"] for d in decisions) == ["referred", "resolved"]
    referred = p.dispatch[f"issue-{ledger.issue_id('erqiaoxi', 'L3')}"]
    assert [e.short_type for e in referred.events] == ["issue.escalated", "issue.referred"]
