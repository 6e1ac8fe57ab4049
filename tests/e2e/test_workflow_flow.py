"""The staff workflow end to end, through the public APIs, on the workflow stack: intake, two
dispatch replicas and stats as processes, SLAs scaled down (SLA_TIME_SCALE) so deadlines pass
during the test, and one moving clock (REDGRID_CLOCK_OFFSET_FILE) so a meeting day arrives
(stack.py). Event sequences and the exactly-once checks read dispatch's event store, and every
event checked must also be on the dispatch topic."""

import asyncio
import os
import signal
import uuid
from datetime import date, datetime, timedelta

import asyncpg
import httpx

from redgrid_dev.services import wait_all_ready

from tests.e2e.stack import (SHANGHAI, act, dispatch_events, eventually, report, resident_act,
                             resident_sees, setup_grid, shanghai, summary, timeline, work)

ATTENDEES = {"community": ["社区书记 黄建华"], "property_company": ["物业经理 李明"],
             "owner_representatives": ["3栋 王阿姨"], "volunteers": ["志愿者 小周"]}


async def test_reported_assigned_accepted_started_resolved_then_confirmed_by_the_resident(
        stack, workflow_bootstrap):
    async with httpx.AsyncClient(timeout=10) as client:
        grid = await setup_grid(client, stack)
        steward = grid["steward_token"]
        issue_id = await report(client, stack, grid, "suggestion")
        view = await work(client, stack, issue_id, steward, "assigned")
        assert view["unit"] == "1-101"  # the grid's staff see the resident's unit

        for action, body in (("accept", {}), ("start", {}), ("resolve", {"note": "已增设座椅"})):
            response = await act(client, stack, issue_id, action, steward, body)
            assert response.status_code == 200, response.text
        assert response.json()["close_due_at"]
        resolved = await resident_sees(client, stack, issue_id, "resolved")
        assert resolved["resolution_note"] == "已增设座椅" and resolved["close_due_at"]

        confirmed = await resident_act(client, stack, issue_id, "confirm")
        assert confirmed.status_code == 202, confirmed.text
        assert (confirmed.json()["status"], confirmed.json()["pending_action"]) == (
            "closed", "confirm")  # what the resident asked for, until dispatch settles it
        await resident_sees(client, stack, issue_id, "closed")
        assert (await work(client, stack, issue_id, steward, "closed"))["status"] == "closed"
        entries = [e["type"] for e in await timeline(client, stack, issue_id)]
        figures = await summary(client, stack, lambda s: s["by_status"].get("closed") == 1,
                                "stats counting the closed issue")
        assert (figures["collected"], figures["handled"]) == (1, 1)

    events = await dispatch_events(stack, workflow_bootstrap, issue_id)
    assert [e["type"] for e in events] == [
        "issue.assigned", "issue.accepted", "issue.started", "issue.resolved", "issue.closed",
        "issue.resident-action-settled"]
    closed, settled = events[-2]["data"], events[-1]["data"]
    assert closed["reason"] == "confirmed"
    assert (settled["action"], settled["outcome"], settled["status"]) == (
        "confirm", "applied", "closed")
    assert entries == ["issue.reported", "issue.assigned", "issue.accepted", "issue.started",
                       "issue.resolved", "issue.confirmed", "issue.closed",
                       "issue.resident-action-settled"]


async def test_a_resolved_issue_nobody_answers_is_closed_after_seven_days(
        stack, workflow_bootstrap):
    async with httpx.AsyncClient(timeout=10) as client:
        grid = await setup_grid(client, stack)
        steward = grid["steward_token"]
        issue_id = await report(client, stack, grid, "suggestion")
        await work(client, stack, issue_id, steward, "assigned")
        for action, body in (("accept", {}), ("resolve", {"note": "已增设座椅"})):
            response = await act(client, stack, issue_id, action, steward, body)
            assert response.status_code == 200, response.text
        await work(client, stack, issue_id, steward, "closed")
        assert (await resident_sees(client, stack, issue_id, "closed"))["status"] == "closed"
    events = await dispatch_events(stack, workflow_bootstrap, issue_id)
    assert [e["type"] for e in events] == [
        "issue.assigned", "issue.accepted", "issue.resolved", "issue.closed"]
    assert events[-1]["data"]["reason"] == "no_response_7_days"


async def test_returned_reassigned_overdue_escalated_then_decided_at_the_meeting(
        stack, workflow_bootstrap):
    async with httpx.AsyncClient(timeout=10) as client:
        grid = await setup_grid(client, stack)
        steward = grid["steward_token"]
        issue_id = await report(client, stack, grid, "dispute.neighbor")
        first = await work(client, stack, issue_id, steward, "assigned")
        # From now on a dispute must be signed off within a (scaled) minute; the running
        # deadline keeps its week.
        put = await client.put(f"{stack.dispatch}/v1/sla/dispute.neighbor",
                               json={"signoff_minutes": 1, "completion_minutes": 60},
                               headers=stack.token("admin", "a-wf"))
        assert put.status_code == 200, put.text
        assert (await client.get(f"{stack.dispatch}/v1/issues/{issue_id}", headers=steward)
                ).json()["signoff_due_at"] == first["signoff_due_at"]

        returned = await act(client, stack, issue_id, "return", steward,
                             {"reason": "当事人是本人亲属，需回避"})
        assert returned.status_code == 200, returned.text
        escalated = await work(client, stack, issue_id, steward, "escalated")
        assert escalated["steward_id"] == grid["backup"]
        day = date.fromisoformat(escalated["meeting_date"])
        seen = await resident_sees(client, stack, issue_id, "escalated")
        assert seen["meeting_date"] == day.isoformat()

        operator = stack.token("operator", "op-wf")
        minutes_url = f"{stack.dispatch}/v1/meetings/{day.isoformat()}/minutes"
        minutes = {"attendees": ATTENDEES, "decisions": [
            {"issue_id": issue_id, "decision": "resolved", "note": "双方当场和解"}]}
        early = await client.post(minutes_url, json=minutes, headers=operator)
        assert early.status_code == 422, early.text  # the day has not come
        assert "path.meeting_date" in early.json()["error"]["fields"]

        stack.move_clock_to(shanghai(day, 10))  # every process: the meeting morning
        agenda = (await client.get(f"{stack.dispatch}/v1/meetings/{day.isoformat()}",
                                   headers=operator)).json()
        assert agenda["status"] == "upcoming"
        [item] = agenda["agenda"]
        assert (item["issue_id"], item["escalation"]["cause"]) == (issue_id, "overdue")
        assert [h["type"] for h in item["history"]][-2:] == ["issue.overdue", "issue.escalated"]

        held = await client.post(minutes_url, json=minutes,
                                 headers={**operator, "Idempotency-Key": uuid.uuid4().hex})
        assert held.status_code == 201, held.text
        assert held.json()["status"] == "held"
        again = await client.post(minutes_url, json=minutes,
                                  headers={**operator, "Idempotency-Key": uuid.uuid4().hex})
        assert again.status_code == 409 and again.json()["error"]["code"] == "minutes_recorded"

        decided = await resident_sees(client, stack, issue_id, "resolved")
        assert (decided["resolution_note"], decided["meeting_date"]) == (
            "双方当场和解", day.isoformat())
        entries = await timeline(client, stack, issue_id)
        figures = await summary(client, stack, lambda s: s["handled"] == 1,
                                "stats counting the decision")

    assert [e["type"] for e in entries][:7] == [
        "issue.reported", "issue.assigned", "issue.returned", "issue.assigned", "issue.overdue",
        "issue.escalated", "issue.resolved"]
    assert datetime.fromisoformat(entries[6]["time"]).astimezone(SHANGHAI).date() == day
    assert datetime.fromisoformat(figures["as_of"]).astimezone(SHANGHAI).date() == day
    events = await dispatch_events(stack, workflow_bootstrap, issue_id)
    assert [e["type"] for e in events][:6] == [
        "issue.assigned", "issue.returned", "issue.assigned", "issue.overdue",
        "issue.escalated", "issue.resolved"]
    reassigned, overdue, escalation, resolution = (e["data"] for e in events[2:6])
    assert (reassigned["reason"], reassigned["steward_id"]) == ("returned", grid["backup"])
    assert overdue["deadline"] == "signoff" and escalation["cause"] == "overdue"
    assert (resolution["via"], resolution["meeting_date"]) == ("meeting", day.isoformat())
    # The meeting day is the first 4th, 14th or 24th strictly after the escalation's date.
    local = events[4]["time"].astimezone(SHANGHAI).date()
    assert day.day in (4, 14, 24) and timedelta(days=1) <= day - local <= timedelta(days=11)


async def counts(database_url: str, issue_ids: list[str]) -> dict[str, tuple[int, int]]:
    conn = await asyncpg.connect(database_url, server_settings={"search_path": "dispatch"})
    try:
        rows = await conn.fetch(
            """SELECT subject,
                      count(*) FILTER (WHERE type = 'org.redgrid.issue.assigned') AS assigned,
                      count(*) FILTER (WHERE type = 'org.redgrid.issue.overdue') AS overdue
               FROM events WHERE subject = ANY($1) GROUP BY subject""", issue_ids)
        return {r["subject"]: (r["assigned"], r["overdue"]) for r in rows}
    finally:
        await conn.close()


async def test_two_replicas_share_hundreds_of_reports_and_timers_each_once(stack):
    async with httpx.AsyncClient(timeout=10) as client:
        grid = await setup_grid(client, stack)
        issue_ids = [await report(client, stack, grid, "repair.pipe") for _ in range(200)]
        result = await eventually(
            lambda: counts(stack.database_url, issue_ids),
            lambda c: len(c) == 200 and all(o >= 1 for _, o in c.values()),
            "every report assigned and overdue")
        assert set(result.values()) == {(1, 1)}
        consumed = []
        for service in stack.dispatchers:
            metrics = (await client.get(f"{service.url}/metrics")).text
            consumed.append(sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                                if line.startswith("redgrid_events_consumed_total{")))
        assert all(n > 0 for n in consumed), consumed  # both replicas took a share


async def test_a_deadline_passed_while_dispatch_was_down_still_fires_once(stack):
    async with httpx.AsyncClient(timeout=10) as client:
        grid = await setup_grid(client, stack)
        steward = grid["steward_token"]
        issue_id = await report(client, stack, grid, "suggestion")
        view = await work(client, stack, issue_id, steward, "assigned")
        for service in stack.dispatchers:
            os.killpg(service.proc.pid, signal.SIGKILL)
            await service.proc.wait()
        due = datetime.fromisoformat(view["signoff_due_at"])
        await eventually(lambda: asyncio.sleep(0, stack.now()),
                         lambda now: now > due, "the deadline passing while down", 60)
        for service in stack.dispatchers:
            await service.start(stack.env)
        await wait_all_ready(stack.dispatchers, timeout=120)
        escalated = await work(client, stack, issue_id, steward, "escalated")
        assert escalated["meeting_date"]
        assert (await counts(stack.database_url, [issue_id]))[issue_id] == (1, 1)
