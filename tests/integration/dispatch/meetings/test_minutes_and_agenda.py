"""逢四说事 on real PostgreSQL: agendas from escalations, minutes as events on each issue,
recorded once, per community."""

import asyncio
from datetime import date, datetime, timezone

import pytest
import pytest_asyncio

from redgrid_shared.auth import Principal
from redgrid_shared.clock import FixedClock
from redgrid_shared.runtime import Runtime

from dispatch.main import MIGRATIONS, create_app
from dispatch.meetings.calendar import next_meeting_day
from dispatch.settings import Settings
from dispatch.workflow import decide, stream as issues
from tests.integration.dispatch.conftest import SECRET, auth
from tests.integration.dispatch.seed import grid, new_id, report, stream

ESCALATED_AT = datetime(2026, 6, 10, 2, 0, tzinfo=timezone.utc)  # -> the meeting of 14 June
MEETING = date(2026, 6, 14)
MEETING_MORNING = datetime(2026, 6, 14, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai
CLOCK = FixedClock(MEETING_MORNING)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def app(fresh_database_url):
    """Dispatch with a clock the tests move: meetings depend on the day."""
    settings = Settings(database_url=fresh_database_url, jwt_secret=SECRET)
    runtime = Runtime(settings, migrations=MIGRATIONS)
    app = create_app(settings, runtime, clock=CLOCK)
    await runtime.start(relay=False)
    yield app
    await runtime.stop()


@pytest.fixture(autouse=True)
def morning_of_the_meeting():
    CLOCK.at = MEETING_MORNING


def operator(community: str, sub: str = "op-01") -> dict:
    return auth(role="operator", sub=sub, community=community)


async def escalated(pool, client, community: str, count: int, *, at=ESCALATED_AT,
                    grid_fields: dict | None = None, **report_fields) -> list[str]:
    """Issues reported in a new grid of the community (`grid_fields` override its fresh
    people) and escalated by an operator at `at`."""
    g = await grid(client, community=community, **(grid_fields or {}))
    ids = []
    desk = Principal(sub="op-01", role="operator", community=community)
    for _ in range(count):
        issue_id = await report(pool, building=g["buildings"][0], community=community,
                                description="楼道飞线充电", **report_fields)
        async with pool.acquire() as conn, conn.transaction():
            issue = await issues.load(conn, issue_id)
            events = decide.escalate(issue, by=desk, reason="物业协调不下来",
                                     meeting_date=next_meeting_day(at))
            await issues.append(conn, issue, events, now=at)
        ids.append(issue_id)
    return ids


MINUTES_ATTENDEES = {"community": ["社区书记"], "property_company": ["物业经理"],
                     "owner_representatives": ["3栋 王阿姨"], "volunteers": []}


async def test_the_agenda_lists_the_communitys_escalated_issues_with_summary_and_history(
        client, pool):
    community, neighbour = new_id("c"), new_id("c")
    mine = await escalated(pool, client, community, 2)
    await escalated(pool, client, neighbour, 1)
    later = await escalated(pool, client, community, 1, at=datetime(2026, 6, 14, 1, 0,
                                                                    tzinfo=timezone.utc))
    response = await client.get(f"/v1/meetings/{MEETING}", headers=operator(community))
    assert response.status_code == 200, response.text
    meeting = response.json()
    assert meeting["status"] == "upcoming" and meeting["minutes"] is None
    assert sorted(i["issue_id"] for i in meeting["agenda"]) == sorted(mine)
    item = meeting["agenda"][0]
    assert (item["status"], item["description"], item["category_label"]) == (
        "escalated", "楼道飞线充电", "管道疏通")
    assert [h["type"] for h in item["history"]] == ["issue.assigned", "issue.escalated"]
    assert (item["escalation"]["cause"], item["escalation"]["by"]) == ("operator", "op-01")

    CLOCK.at = datetime(2026, 6, 12, 2, 0, tzinfo=timezone.utc)
    upcoming = (await client.get("/v1/meetings/next", headers=operator(community))).json()
    assert (upcoming["meeting_date"], upcoming["agenda_size"]) == ("2026-06-14", 2)
    # Escalated on the morning of the 14th: waits for the 24th.
    after = (await client.get("/v1/meetings/2026-06-24", headers=operator(community))).json()
    assert [i["issue_id"] for i in after["agenda"]] == later


async def test_minutes_turn_each_decision_into_events_on_its_issue(client, pool):
    community = new_id("c")
    resolved, assigned, referred, carried, silent = await escalated(pool, client, community, 5)
    body = {"attendees": MINUTES_ATTENDEES, "decisions": [
        {"issue_id": resolved, "decision": "resolved", "note": "当场协调好了"},
        {"issue_id": assigned, "decision": "assigned", "unit": "后盾单位 区住建局"},
        {"issue_id": referred, "decision": "referred", "department": "fire"},
        {"issue_id": carried, "decision": "carried", "note": "业主未到场"}]}
    headers = {**operator(community), "Idempotency-Key": "minutes-0614"}
    response = await client.post(f"/v1/meetings/{MEETING}/minutes", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "held"

    def last(events):
        return events[-1]
    done = last(await stream(pool, f"issue-{resolved}"))
    assert (done["type"], done["via"], done["meeting_date"], done["by"]) == (
        "issue.resolved", "meeting", "2026-06-14", "op-01")
    unit = last(await stream(pool, f"issue-{assigned}"))
    assert (unit["type"], unit["reason"], unit["unit"], unit["status"]) == (
        "issue.assigned", "meeting", "后盾单位 区住建局", "assigned")
    dept = last(await stream(pool, f"issue-{referred}"))
    assert (dept["type"], dept["department"], dept["meeting_date"]) == (
        "issue.referred", "fire", "2026-06-14")
    for issue_id in (carried, silent):
        again = last(await stream(pool, f"issue-{issue_id}"))
        assert (again["type"], again["cause"], again["meeting_date"]) == (
            "issue.escalated", "carried", "2026-06-24")

    [held] = await stream(pool, f"meeting-{community}/2026-06-14")
    assert (held["type"], held["subject"], held["recorded_by"]) == (
        "meeting.held", "2026-06-14", "op-01")
    assert held["attendees"]["owner_representatives"] == ["3栋 王阿姨"]
    assert {d["issue_id"]: d["decision"] for d in held["decisions"]} == {
        resolved: "resolved", assigned: "assigned", referred: "referred", carried: "carried",
        silent: "carried"}

    retried = await client.post(f"/v1/meetings/{MEETING}/minutes", json=body, headers=headers)
    assert retried.status_code == 201 and retried.headers["idempotent-replayed"] == "true"
    second = await client.post(f"/v1/meetings/{MEETING}/minutes", json=body,
                               headers=operator(community, sub="op-02"))
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "minutes_recorded"
    assert len(await stream(pool, f"meeting-{community}/2026-06-14")) == 1

    read = (await client.get(f"/v1/meetings/{MEETING}", headers=operator(community))).json()
    assert read["minutes"]["recorded_by"] == "op-01"
    assert {i["issue_id"]: i["decision"]["decision"] for i in read["agenda"]}[silent] == "carried"
    upcoming = (await client.get("/v1/meetings/next", headers=operator(community))).json()
    assert (upcoming["meeting_date"], upcoming["agenda_size"]) == ("2026-06-24", 2)


async def test_a_decision_on_an_issue_not_on_the_agenda_is_422_and_writes_nothing(client, pool):
    community, neighbour = new_id("c"), new_id("c")
    [on_agenda] = await escalated(pool, client, community, 1)
    [foreign] = await escalated(pool, client, neighbour, 1)
    body = {"attendees": MINUTES_ATTENDEES, "decisions": [
        {"issue_id": on_agenda, "decision": "resolved"},
        {"issue_id": foreign, "decision": "resolved"}]}
    response = await client.post(f"/v1/meetings/{MEETING}/minutes", json=body,
                                 headers=operator(community))
    assert response.status_code == 422
    assert "body.decisions.1.issue_id" in response.json()["error"]["fields"]
    assert [e["type"] for e in await stream(pool, f"issue-{on_agenda}")] == [
        "issue.assigned", "issue.escalated"]
    assert await stream(pool, f"meeting-{community}/2026-06-14") == []


@pytest.mark.parametrize(("day", "field"), [("2026-06-15", "path.meeting_date"),
                                            ("2026-06-24", "path.meeting_date"),
                                            ("2026-13-04", "path.meeting_date")])
async def test_minutes_need_a_meeting_day_already_reached(client, day, field):
    response = await client.post(f"/v1/meetings/{day}/minutes",
                                 json={"attendees": MINUTES_ATTENDEES},
                                 headers=operator(new_id("c")))
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["fields"]


async def test_a_day_that_is_not_a_meeting_day_has_no_agenda(client):
    response = await client.get("/v1/meetings/2026-06-15", headers=operator(new_id("c")))
    assert response.status_code == 422
    assert "path.meeting_date" in response.json()["error"]["fields"]


async def test_only_the_desk_records_minutes_and_a_neighbour_records_only_their_own(
        client, pool):
    community, neighbour = new_id("c"), new_id("c")
    [mine] = await escalated(pool, client, community, 1)
    body = {"attendees": MINUTES_ATTENDEES, "decisions": []}
    for role in ("steward", "repairer", "resident"):
        refused = await client.post(f"/v1/meetings/{MEETING}/minutes", json=body,
                                    headers=auth(role=role, sub="op-01", community=community))
        assert refused.status_code == 403
    theirs = await client.post(f"/v1/meetings/{MEETING}/minutes", json=body,
                               headers=operator(neighbour))
    assert theirs.status_code == 201 and theirs.json()["agenda"] == []
    assert [e["type"] for e in await stream(pool, f"issue-{mine}")][-1] == "issue.escalated"
    still = (await client.get(f"/v1/meetings/{MEETING}", headers=operator(community))).json()
    assert still["status"] == "upcoming" and [i["issue_id"] for i in still["agenda"]] == [mine]


async def test_an_issue_raised_at_the_meeting_is_routed_like_any_report(client, pool):
    community = new_id("c")
    g = await grid(client, community=community)
    issue_id = await report(pool, building=g["buildings"][0], community=community,
                            source="meeting")
    [assigned] = await stream(pool, f"issue-{issue_id}")
    assert (assigned["type"], assigned["steward_id"]) == ("issue.assigned", g["steward"])


async def test_two_desks_recording_the_same_minutes_at_once_record_them_once(client, pool):

    community = new_id("c")
    [issue_id] = await escalated(pool, client, community, 1)
    body = {"attendees": MINUTES_ATTENDEES,
            "decisions": [{"issue_id": issue_id, "decision": "resolved"}]}
    answers = await asyncio.gather(*[
        client.post(f"/v1/meetings/{MEETING}/minutes", json=body,
                    headers=operator(community, sub=sub)) for sub in ("op-01", "op-02")])
    assert sorted(a.status_code for a in answers) == [201, 409]
    assert len(await stream(pool, f"meeting-{community}/2026-06-14")) == 1
    assert [e["type"] for e in await stream(pool, f"issue-{issue_id}")].count(
        "issue.resolved") == 1
