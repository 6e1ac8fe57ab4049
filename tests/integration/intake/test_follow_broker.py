"""Dispatch's events through the real broker into intake's consumer: the resident's view
follows the whole workflow, a pending action is settled, categories learn the limits."""

import asyncio
from datetime import date, datetime, timedelta, timezone

import pytest
from aiokafka import AIOKafkaProducer

from intake import consumer
from redgrid_shared import codec, events
from redgrid_shared.consumer import apply_once
from redgrid_shared.topics import DISPATCH_EVENTS
from tests.integration.intake.flow import reported, stream, view
from tests.unit.intake.builders import auth, issue_assigned, settled, sla_changed, step


async def publish(bootstrap: str, *envs: events.Envelope) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for env in envs:
            message = codec.to_kafka(env)
            await producer.send_and_wait(DISPATCH_EVENTS, message.value, key=message.key.encode(),
                                         headers=list(message.headers.items()))
    finally:
        await producer.stop()


async def until(check, what: str, seconds: float = 30):
    """Await `check()` until it returns something truthy; fail after the deadline."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not (result := await check()):
        assert asyncio.get_running_loop().time() < deadline, f"never: {what}"
        await asyncio.sleep(0.05)
    return result


async def test_the_view_follows_the_workflow_to_a_confirmed_close(client, pool, kafka_bootstrap):
    issue, me = await reported(client)
    close_due = datetime.now(timezone.utc) + timedelta(days=7)
    await publish(kafka_bootstrap,
                  issue_assigned(issue["id"], grid_id="g-03"),
                  step(events.IssueAccepted, issue["id"]),
                  step(events.IssueOverdue, issue["id"], status="accepted", deadline="completion"),
                  step(events.IssueEscalated, issue["id"], meeting_date=date(2030, 1, 4)),
                  step(events.IssueReferred, issue["id"], department="housing"),
                  step(events.IssueReferralOutcome, issue["id"], department="housing",
                       resolved=True, status="resolved", outcome="已维修"),
                  step(events.IssueResolved, issue["id"], via="referral", close_due_at=close_due,
                       note="住建部门已维修", amount_charged="35.00"))

    async def resolved():
        shown = await view(client, issue["id"], me)
        return shown if shown["status"] == "resolved" and shown["close_due_at"] else None
    shown = await until(resolved, "resolved on intake")
    assert (shown["meeting_date"], shown["department"], shown["amount_charged"]) == (
        "2030-01-04", "housing", "35.00")
    assert (shown["resolution_note"], shown["status_label"]) == ("住建部门已维修", "已办结")
    types = [e["type"] for e in (await client.get(f"/v1/issues/{issue['id']}/timeline",
                                                   headers=me)).json()]
    assert types == ["issue.reported", "issue.assigned", "issue.accepted", "issue.overdue",
                     "issue.escalated", "issue.referred", "issue.referral-outcome",
                     "issue.resolved"]

    assert (await client.post(f"/v1/issues/{issue['id']}/confirm", headers=me)).status_code == 202
    *_, confirm = await stream(pool, issue["id"])
    await publish(kafka_bootstrap,
                  settled(issue["id"], str(confirm["event_id"]), action="confirm", status="closed"),
                  step(events.IssueClosed, issue["id"], reason="confirmed", by="dispatch"))

    async def closed():
        shown = await view(client, issue["id"], me)
        return shown if shown["pending_action"] is None else None
    assert (await until(closed, "the confirmation settled"))["status"] == "closed"


async def test_categories_follow_the_limits_an_admin_set_in_the_callers_community(
        client, pool, kafka_bootstrap):
    community = f"c-{datetime.now().timestamp():.0f}"
    await publish(kafka_bootstrap,
                  sla_changed("repair.pipe", 90, 2880, community=community),
                  sla_changed("repair.pipe", 45, 1440, community=community))

    async def changed():
        answer = await client.get("/v1/categories",
                                  headers=auth(sub="u-1", community=community))
        pipe = next(c for c in answer.json() if c["code"] == "repair.pipe")
        return pipe if pipe["limits_source"] == "community" and pipe["signoff_minutes"] == 45 else None
    pipe = await until(changed, "limits learnt")
    assert pipe["completion_minutes"] == 1440
    # A neighbour community and the anonymous answer keep the defaults.
    for headers in (auth(sub="u-1", community=f"{community}-x"), {}):
        other = await client.get("/v1/categories", headers=headers)
        pipe = next(c for c in other.json() if c["code"] == "repair.pipe")
        assert (pipe["signoff_minutes"], pipe["limits_source"]) == (120, "default")


async def test_an_older_limit_arriving_late_does_not_win(client, pool):
    community = "late-community"
    now = datetime.now(timezone.utc)
    newer = sla_changed("safety.fire", 20, 600, community=community, at=now)
    older = sla_changed("safety.fire", 60, 1440, community=community, at=now - timedelta(hours=1))
    for env in (newer, older):
        assert await apply_once(pool, DISPATCH_EVENTS, env, consumer.handle)
    answer = await client.get("/v1/categories",
                              headers={**auth(community=community), "Accept-Language": "en"})
    fire = next(c for c in answer.json() if c["code"] == "safety.fire")
    assert (fire["signoff_minutes"], fire["completion_minutes"]) == (20, 600)
    assert fire["label"] == fire["label_en"]


async def test_an_event_of_another_community_for_an_issue_is_refused(client, pool):
    issue, _ = await reported(client)
    env = step(events.IssueStarted, issue["id"], community="other")
    with pytest.raises(LookupError):
        await apply_once(pool, DISPATCH_EVENTS, env, consumer.handle)
    assert await pool.fetchval("SELECT status FROM issues WHERE id = $1", issue["id"]) == "reported"
