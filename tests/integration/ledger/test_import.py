"""Importing a paper ledger through intake's and dispatch's admin routes, as the command does."""

import uuid

import httpx
import pytest

from dispatch.consumer import handler as dispatch_handler
from redgrid_dev.import_ledger import ImportFailed, import_ledger
from redgrid_shared import events, ledger
from redgrid_shared.eventstore import PgEventStore
from tests.integration.ledger.conftest import target, token

HEADER = ("ledger_id,category,description,building,unit,source,reporter,reported_at,grid,"
          "steward,repairer,signed_off_at,resolved_at,amount,closed_at,rating,meeting_date,"
          "meeting_decision,department,campaign,campaign_name")
ROWS = [
    "L1,repair.paid,热水器坏了,b-01,1-101,app,u-1001,2026-03-01 09:00,g-01,s-01,r-01,"
    "2026-03-01 09:20,2026-03-02 10:00,120.50,2026-03-03,5,,,,,",
    "L2,environment.sanitation,垃圾清运,b-02,,meeting,u-1002,2026-03-01,,,,,,,,,2026-03-04,"
    "resolved,,c-1,环境整治",
    "L3,repair.pipe,下水道堵塞,b-03,2-301,hotline,u-1003,2026-06-10 20:00,g-02,s-02,r-02,,,,,,,,,,",
]


def ledger_text(rows=ROWS) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


async def event_counts(two_services) -> tuple[int, int]:
    counts = []
    for app in two_services:
        counts.append(await app.state.runtime.pool.fetchval("SELECT count(*) FROM events"))
    return tuple(counts)


async def run(text: str, transport, community="erqiaoxi", role="admin") -> dict:
    return await import_ledger(text, "csv", target(community, role), transport=transport)


async def test_import_records_each_fact_with_its_original_time_and_the_imported_flag(
        two_services, transport):
    results = await run(ledger_text(), transport)
    assert results["intake"]["issues_written"] == 3
    assert results["dispatch"]["streams_written"] == 5  # 3 issues, 1 meeting, 1 campaign
    intake, dispatch = (app.state.runtime.pool for app in two_services)
    issue = ledger.issue_id("erqiaoxi", "L1")
    rows = await dispatch.fetch("SELECT type, occurred_at, data FROM events WHERE stream_id=$1 "
                                "ORDER BY version", f"issue-{issue}")
    assert [r["type"].removeprefix("org.redgrid.") for r in rows] == [
        "issue.assigned", "issue.accepted", "issue.resolved", "issue.resident-action-settled"]
    assert all(r["data"]["imported"] for r in rows)
    assert rows[1]["occurred_at"].isoformat() == "2026-03-01T01:20:00+00:00"
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        headers = {"Authorization": f"Bearer {token('resident', 'u-1001')}"}
        view = (await client.get(f"/v1/issues/{issue}", headers=headers)).json()
        timeline = (await client.get(f"/v1/issues/{issue}/timeline", headers=headers)).json()
    assert view["status"] == "closed" and view["created_at"] == "2026-03-01T01:00:00Z"
    assert view["grid_id"] == "g-01" and view["steward_id"] == "s-01"
    assert [e["type"] for e in timeline] == [
        "issue.reported", "issue.assigned", "issue.accepted", "issue.resolved",
        "issue.confirmed", "issue.resident-action-settled", "issue.rated"]
    row = await intake.fetchrow("SELECT rating, amount_charged, resolved_at, pending_action "
                                "FROM issues WHERE id=$1", issue)
    assert (row["rating"], str(row["amount_charged"]), row["pending_action"]) == (5, "120.50", None)
    assert row["resolved_at"].isoformat() == "2026-03-02T02:00:00+00:00"
    open_one = await intake.fetchrow("SELECT status FROM issues WHERE id=$1",
                                     ledger.issue_id("erqiaoxi", "L3"))
    assert open_one["status"] == "assigned"


async def test_importing_the_same_file_again_changes_nothing(two_services, transport):
    text = ledger_text([r.replace("L", "R") for r in ROWS]).replace("c-1", "c-2") \
        .replace("2026-03-04", "2026-03-14")
    await run(text, transport)
    before = await event_counts(two_services)
    again = await run(text, transport)
    assert await event_counts(two_services) == before
    assert again["intake"]["streams_written"] == again["dispatch"]["streams_written"] == 0
    assert again["dispatch"]["streams_already"] == 5


async def test_a_bad_row_names_its_line_and_nothing_of_the_file_is_imported(two_services,
                                                                            transport):
    good = ROWS[0].replace("L1", "B1")
    bad = ROWS[2].replace("L3", "B3").replace("2026-06-10 20:00", "yesterday")
    before = await event_counts(two_services)
    with pytest.raises(ImportFailed) as err:
        await run(ledger_text([good, bad]), transport)
    assert err.value.status == 422 and err.value.service == "intake"
    assert "line 3: reported_at" in err.value.fields
    assert await event_counts(two_services) == before


async def test_a_conflict_in_dispatch_stops_the_import_before_intake_writes(two_services,
                                                                            transport):
    """Live minutes for a meeting day the ledger also decides: 409 naming the ledger's lines."""
    dispatch = two_services[1].state.runtime.pool
    live = events.envelope(events.MeetingHeld(
        community="erqiaoxi", meeting_date="2026-05-14", attendees=events.Attendees(),
        decisions=[], recorded_by="op-1"), service="dispatch", subject="2026-05-14")
    async with dispatch.acquire() as conn:
        await PgEventStore(conn).append("meeting-erqiaoxi/2026-05-14", 0, [live], topic="t")
    row = ROWS[1].replace("L2", "C2").replace("2026-03-04", "2026-05-14") \
        .replace("c-1,环境整治", ",")
    before = await event_counts(two_services)
    with pytest.raises(ImportFailed) as err:
        await run(ledger_text([ROWS[0].replace("L1", "C1"), row]), transport)
    assert err.value.status == 409 and err.value.service == "dispatch"
    assert list(err.value.fields) == ["line 3: ledger_id"]
    assert await event_counts(two_services) == before


async def test_a_row_changed_after_its_import_is_a_conflict_not_a_silent_rewrite(
        two_services, transport):
    original = ROWS[2].replace("L3", "D3")
    await run(ledger_text([original]), transport)
    changed = original.replace(",,,,,,,,,,", ",2026-06-10 21:00,,,,,,,,,", 1)
    with pytest.raises(ImportFailed) as err:
        await run(ledger_text([changed]), transport)
    assert err.value.status == 409 and list(err.value.fields) == ["line 2: ledger_id"]


async def test_only_an_admin_imports(two_services, transport):
    with pytest.raises(ImportFailed) as err:
        await run(ledger_text(), transport, role="operator")
    assert err.value.status == 403


async def test_another_community_gets_its_own_issues_and_sees_none_of_ours(two_services,
                                                                          transport):
    text = ledger_text([ROWS[0].replace("L1", "N1")])
    await run(text, transport)
    await run(text, transport, community="neighbour")
    ours, theirs = ledger.issue_id("erqiaoxi", "N1"), ledger.issue_id("neighbour", "N1")
    assert ours != theirs
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        # The same resident id lives in both communities; each sees only its own issue.
        neighbour = {"Authorization": f"Bearer {token('resident', 'u-1001', 'neighbour')}"}
        assert (await client.get(f"/v1/issues/{theirs}", headers=neighbour)).status_code == 200
        assert (await client.get(f"/v1/issues/{ours}", headers=neighbour)).status_code == 404


async def test_an_issue_the_ledger_left_open_is_carried_on_live_without_past_clocks(
        two_services, transport):
    """Dispatch holds a working row but no timer for it; its steward signs it off today."""
    row = ROWS[2].replace("L3", "O3")
    await run(ledger_text([row]), transport)
    issue = ledger.issue_id("erqiaoxi", "O3")
    dispatch = two_services[1].state.runtime.pool
    assert await dispatch.fetchval("SELECT count(*) FROM timers WHERE issue_id=$1", issue) == 0
    working = await dispatch.fetchrow("SELECT status, steward_id, version FROM dispatch_issues "
                                      "WHERE issue_id=$1", issue)
    assert dict(working) == {"status": "assigned", "steward_id": "s-02", "version": 1}
    steward = {"Authorization": f"Bearer {token('steward', 's-02', grids=('g-02',))}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://dispatch") as client:
        accepted = await client.post(f"/v1/issues/{issue}/accept", headers=steward)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    live = await dispatch.fetchrow(
        "SELECT data FROM events WHERE stream_id=$1 ORDER BY version DESC LIMIT 1",
        f"issue-{issue}")
    assert live["data"]["imported"] is False and live["data"]["on_time"] is False


async def test_dispatch_does_not_route_an_imported_report_again(two_services):
    dispatch = two_services[1].state.runtime.pool
    report = events.envelope(events.IssueReported(
        issue_id=f"iss-{uuid.uuid4().hex[:16]}", community="erqiaoxi", reporter_id="u-1",
        reported_by="ledger", category="repair.pipe", description="x", building="b-01",
        imported=True), service="intake", subject="x")
    async with dispatch.acquire() as conn:
        handle = dispatch_handler(clock=lambda: report.time,
                                  timing=two_services[1].state.settings.timing)
        await handle(conn, report)
    held = await dispatch.fetchval("SELECT count(*) FROM events WHERE stream_id=$1",
                                   f"issue-{report.data['issue_id']}")
    assert held == 0

