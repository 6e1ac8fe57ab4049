"""The races of docs/architecture.md ("Who decides each transition") end to end, on the
workflow stack (stack.py): a resident's action recorded by intake against a staff action or a
clock in dispatch, and two staff against each other. Whatever order they land in, both
services end in the same status and the resident's timeline says what happened.

Each order is forced once: dispatch sequences the resident's action first (the test waits
for it), or the action waits in the broker while dispatch's consumers are held back and a
staff action or a timer goes first. Then both happen at the same moment, where the test
cannot choose the order and checks the rule for the order that happened."""

import asyncio
from datetime import datetime, timedelta

import httpx

from tests.e2e.stack import (act, dispatch_consumers_held, dispatch_events, eventually,
                             report, resident_act, resident_sees, setup_grid, timeline, work)

TRIES = 3  # issues raced per test, so more than one interleaving is met


async def repair_with_a_week(client, stack) -> tuple[dict, str]:
    """A pipe repair, assigned to a steward and a repairer, with a week (15 s scaled) to sign
    off and another to finish, so no deadline interferes (the community's own SLA)."""
    put = await client.put(f"{stack.dispatch}/v1/sla/repair.pipe",
                           json={"signoff_minutes": 7 * 1440, "completion_minutes": 7 * 1440},
                           headers=stack.token("admin", "a-wf"))
    assert put.status_code == 200, put.text
    grid = await setup_grid(client, stack)
    issue_id = await report(client, stack, grid, "repair.pipe")
    view = await work(client, stack, issue_id, grid["steward_token"], "assigned")
    assert view["repairer_id"] == grid["repairer"]
    return grid, issue_id


async def accepted_issue(client, stack) -> tuple[dict, str]:
    """A repair its steward signed off (签收), as intake sees it too."""
    grid, issue_id = await repair_with_a_week(client, stack)
    await work(client, stack, issue_id, grid["steward_token"], "assigned")
    accepted = await act(client, stack, issue_id, "accept", grid["steward_token"])
    assert accepted.status_code == 200, accepted.text
    await resident_sees(client, stack, issue_id, "accepted")
    return grid, issue_id


async def resolved_issue(client, stack) -> tuple[dict, str, datetime]:
    """A resolved issue as intake sees it, with the moment its 7 days end (15 s scaled)."""
    grid = await setup_grid(client, stack)
    issue_id = await report(client, stack, grid, "suggestion")
    await work(client, stack, issue_id, grid["steward_token"], "assigned")
    for action, body in (("accept", {}), ("resolve", {"note": "已修复"})):
        response = await act(client, stack, issue_id, action, grid["steward_token"], body)
        assert response.status_code == 200, response.text
    view = await resident_sees(client, stack, issue_id, "resolved")
    return grid, issue_id, datetime.fromisoformat(view["close_due_at"])


async def agreed(client, stack, grid: dict, issue_id: str, *, not_in=()) -> str:
    """The status both services show once intake has nothing pending and they agree."""
    async def both():
        seen = await client.get(f"{stack.dispatch}/v1/issues/{issue_id}",
                                headers=grid["steward_token"])
        mine = await client.get(f"{stack.intake}/v1/issues/{issue_id}",
                                headers=stack.token("resident", "u-wf"))
        return seen.json(), mine.json()

    dispatch, intake = await eventually(
        both, lambda views: views[1]["pending_action"] is None
        and views[0]["status"] == views[1]["status"] and views[0]["status"] not in not_in,
        f"{issue_id}: both services agreeing")
    return dispatch["status"]


def settlements(events: list[dict]) -> list[dict]:
    return [e["data"] for e in events if e["type"] == "issue.resident-action-settled"]


async def test_a_cancel_dispatch_applied_first_makes_the_repairers_start_409(
        stack, workflow_bootstrap):
    async with httpx.AsyncClient(timeout=10) as client:
        grid, issue_id = await accepted_issue(client, stack)
        cancel = await resident_act(client, stack, issue_id, "cancel", {"reason": "已自行解决"})
        assert cancel.status_code == 202, cancel.text
        await work(client, stack, issue_id, grid["steward_token"], "cancelled")
        start = await act(client, stack, issue_id, "start", grid["repairer_token"])
        assert start.status_code == 409, start.text
        assert start.json()["error"]["fields"]["status"] == "cancelled"
        await resident_sees(client, stack, issue_id, "cancelled")
        entries = await timeline(client, stack, issue_id)
    assert [e["type"] for e in entries][-2:] == ["issue.cancelled",
                                                 "issue.resident-action-settled"]
    assert (entries[-1]["data"]["outcome"], entries[-1]["data"]["status"]) == (
        "applied", "cancelled")
    events = await dispatch_events(stack, workflow_bootstrap, issue_id)
    assert [e["type"] for e in events] == [
        "issue.assigned", "issue.accepted", "issue.resident-action-settled"]
    assert "issue.started" not in [e["type"] for e in entries]


async def test_a_cancel_dispatch_reads_after_the_start_is_refused_and_work_goes_on(
        stack, workflow_bootstrap):
    async with httpx.AsyncClient(timeout=10) as client:
        grid, issue_id = await accepted_issue(client, stack)
        async with dispatch_consumers_held(stack):
            cancel = await resident_act(client, stack, issue_id, "cancel", {"reason": "不修了"})
            assert cancel.status_code == 202, cancel.text  # intake still saw `accepted`
            start = await act(client, stack, issue_id, "start", grid["repairer_token"])
            assert start.status_code == 200, start.text
        assert await agreed(client, stack, grid, issue_id) == "in_progress"
        entries = await timeline(client, stack, issue_id)
    settled = entries[-1]["data"]
    assert [e["type"] for e in entries][-3:] == [
        "issue.cancelled", "issue.started", "issue.resident-action-settled"]
    assert (settled["action"], settled["outcome"], settled["status"]) == (
        "cancel", "refused", "in_progress")
    assert settled["reason"]  # says why: the work had started
    events = await dispatch_events(stack, workflow_bootstrap, issue_id)
    assert [e["type"] for e in events] == [
        "issue.assigned", "issue.accepted", "issue.started", "issue.resident-action-settled"]


async def test_a_cancel_and_a_start_at_the_same_moment_end_alike_in_both_services(
        stack, workflow_bootstrap):
    async with httpx.AsyncClient(timeout=10) as client:
        outcomes = []
        for _ in range(TRIES):
            grid, issue_id = await accepted_issue(client, stack)
            start, cancel = await asyncio.gather(
                act(client, stack, issue_id, "start", grid["repairer_token"]),
                resident_act(client, stack, issue_id, "cancel", {"reason": "不用修了"}))
            status = await agreed(client, stack, grid, issue_id)
            entries = [(e["type"], e["data"]) for e in await timeline(client, stack, issue_id)]
            events = await dispatch_events(stack, workflow_bootstrap, issue_id)
            types = [e["type"] for e in events]
            if start.status_code == 200:  # dispatch sequenced the start first
                assert status == "in_progress" and "issue.started" in types
                if cancel.status_code == 202:  # intake took the cancel: dispatch refused it
                    [settled] = settlements(events)
                    assert (settled["outcome"], settled["status"]) == ("refused", "in_progress")
                    assert any(t == "issue.resident-action-settled" and d["action"] == "cancel"
                               and (d["outcome"], d["status"]) == ("refused", "in_progress")
                               for t, d in entries)
                else:  # intake had already seen the start
                    assert cancel.status_code == 409, cancel.text
                    assert not settlements(events)
            else:  # the cancel was applied before the start was decided
                assert start.status_code == 409, start.text
                assert start.json()["error"]["fields"]["status"] == "cancelled"
                assert status == "cancelled" and "issue.started" not in types
                assert [(s["outcome"], s["status"]) for s in settlements(events)] == [
                    ("applied", "cancelled")]
            assert ("issue.cancelled" in [t for t, _ in entries]) == (cancel.status_code == 202)
            outcomes.append((start.status_code, cancel.status_code))
    print("start/cancel answers:", outcomes)


async def test_a_reopen_before_the_seven_days_end_is_applied_and_the_close_never_comes(
        stack, workflow_bootstrap):
    async with httpx.AsyncClient(timeout=10) as client:
        grid, issue_id, close_due = await resolved_issue(client, stack)
        stack.move_clock_to(close_due - timedelta(seconds=3))  # the last day, 3 s before
        reopen = await resident_act(client, stack, issue_id, "reopen", {"reason": "又漏水了"})
        assert reopen.status_code == 202, reopen.text
        assert await agreed(client, stack, grid, issue_id, not_in=("resolved",)) == "assigned"
        view = await work(client, stack, issue_id, grid["steward_token"], "assigned")
        # Past the old close and the new sign-off deadline: timers fire in due order, so the
        # sign-off overdue comes only after any close still pending would have fired.
        stack.move_clock_to(datetime.fromisoformat(view["signoff_due_at"]) + timedelta(hours=1))
        await work(client, stack, issue_id, grid["steward_token"], "escalated")
        await resident_sees(client, stack, issue_id, "escalated")
        entries = await timeline(client, stack, issue_id)
    types = [e["type"] for e in (await dispatch_events(stack, workflow_bootstrap, issue_id))]
    assert types == ["issue.assigned", "issue.accepted", "issue.resolved",
                     "issue.resident-action-settled", "issue.assigned", "issue.overdue",
                     "issue.escalated"]
    assert [e["type"] for e in entries][4:7] == [
        "issue.reopened", "issue.resident-action-settled", "issue.assigned"]
    assert entries[6]["data"]["reason"] == "reopened"


async def test_a_reopen_in_time_that_dispatch_reads_after_the_auto_close_is_refused(
        stack, workflow_bootstrap):
    async with httpx.AsyncClient(timeout=10) as client:
        grid, issue_id, close_due = await resolved_issue(client, stack)
        async with dispatch_consumers_held(stack):
            stack.move_clock_to(close_due - timedelta(seconds=2))
            reopen = await resident_act(client, stack, issue_id, "reopen", {"reason": "没修好"})
            assert reopen.status_code == 202, reopen.text
            stack.move_clock_to(close_due + timedelta(seconds=1))  # the auto-close is due
            await work(client, stack, issue_id, grid["steward_token"], "closed")
        assert await agreed(client, stack, grid, issue_id) == "closed"
        entries = await timeline(client, stack, issue_id)
    assert [e["type"] for e in entries][-3:] == [
        "issue.reopened", "issue.closed", "issue.resident-action-settled"]
    settled = entries[-1]["data"]
    assert (settled["action"], settled["outcome"], settled["status"]) == (
        "reopen", "refused", "closed")
    events = await dispatch_events(stack, workflow_bootstrap, issue_id)
    assert [e["type"] for e in events][-2:] == ["issue.closed", "issue.resident-action-settled"]
    assert events[-2]["data"]["reason"] == "no_response_7_days"


async def test_a_reopen_as_the_auto_close_fires_ends_alike_in_both_services(
        stack, workflow_bootstrap):
    async with httpx.AsyncClient(timeout=10) as client:
        outcomes = []
        for margin in (0.4, 0.1, 0.0)[:TRIES]:
            grid, issue_id, close_due = await resolved_issue(client, stack)
            stack.move_clock_to(close_due - timedelta(seconds=margin))
            reopen = await resident_act(client, stack, issue_id, "reopen", {"reason": "没修好"})
            status = await agreed(client, stack, grid, issue_id, not_in=("resolved",))
            entries = [(e["type"], e["data"]) for e in await timeline(client, stack, issue_id)]
            events = await dispatch_events(stack, workflow_bootstrap, issue_id)
            closes = [e["data"] for e in events if e["type"] == "issue.closed"]
            if reopen.status_code == 409:  # intake's 7 days had ended (or it saw the close)
                assert reopen.json()["error"]["fields"]["status"] in ("resolved", "closed")
                assert status == "closed" and not settlements(events)
                assert "issue.reopened" not in [t for t, _ in entries]
                outcome = "refused by intake"
            else:
                assert reopen.status_code == 202, reopen.text
                [settled] = settlements(events)
                assert ("issue.reopened" in [t for t, _ in entries])
                if closes:  # dispatch's clock closed it first: the reopen came too late
                    assert (settled["outcome"], settled["status"]) == ("refused", "closed")
                    assert status == "closed"
                else:
                    assert settled["outcome"] == "applied"
                    assert status in ("assigned", "escalated")
                outcome = settled["outcome"]
            assert [c["reason"] for c in closes] == (
                ["no_response_7_days"] if status == "closed" else [])
            outcomes.append(outcome)
    print("reopen outcomes:", outcomes)


async def test_two_staff_signing_off_at_once_one_wins_and_the_other_is_told_why(
        stack, workflow_bootstrap):
    async with httpx.AsyncClient(timeout=10) as client:
        for _ in range(TRIES):
            grid, issue_id = await repair_with_a_week(client, stack)
            # One to each dispatch replica, at once.
            by_steward, by_repairer = await asyncio.gather(*(
                act(client, stack, issue_id, "accept", grid[f"{who}_token"], url=service.url)
                for who, service in zip(("steward", "repairer"), stack.dispatchers)))
            answers = {"steward": by_steward, "repairer": by_repairer}
            assert sorted(r.status_code for r in answers.values()) == [200, 409], [
                r.text for r in answers.values()]
            winner = next(who for who, r in answers.items() if r.status_code == 200)
            loser = answers["repairer" if winner == "steward" else "steward"].json()["error"]
            assert (loser["code"], loser["fields"]["status"]) == ("wrong_status", "accepted")
            assert await agreed(client, stack, grid, issue_id) == "accepted"
            accepted = [e for e in await timeline(client, stack, issue_id)
                        if e["type"] == "issue.accepted"]
            assert [e["data"]["actor"] for e in accepted] == [winner]
            events = await dispatch_events(stack, workflow_bootstrap, issue_id)
            assert [e["type"] for e in events] == ["issue.assigned", "issue.accepted"]
            assert events[1]["data"]["by"] == grid[winner]
