"""Open311 GeoReport v2 on real PostgreSQL: keys, posting through a key, public reads by
jurisdiction, filters, the status mapping, and no personal data. Two communities are served
here (`erqiaoxi` and `other`), each with a resident `u-same`."""

import uuid
from datetime import date, datetime, timedelta, timezone
from xml.etree import ElementTree

import httpx
import pytest
import pytest_asyncio

from intake import consumer
from redgrid_shared import events
from redgrid_shared.consumer import apply_once
from redgrid_shared.topics import DISPATCH_EVENTS
from tests.integration.intake.flow import deliver, reported, stream
from tests.unit.intake.builders import auth, issue_assigned, report, settled, step

V2 = "/open311/v2"
ADMIN = {"sub": "a-1", "role": "admin"}
OTHER_ADMIN = {"sub": "a-1", "role": "admin", "community": "other"}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def keys(app) -> dict[str, str]:
    """One key per served community, issued through the admin route."""
    issued = {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://intake") as client:
        for community, admin in (("erqiaoxi", ADMIN), ("other", OTHER_ADMIN)):
            response = await client.post("/v1/open311/keys", headers=auth(**admin),
                                         json={"name": f"{community} app"})
            assert response.status_code == 201, response.text
            issued[community] = response.json()["api_key"]
    return issued


def form(key: str, **overrides) -> dict:
    body = {"api_key": key, "service_code": "repair.pipe", "address_id": "b-03",
            "description": "厨房下水道堵塞，张三 13800000000 2-301", "email": "zhang@example.org",
            "first_name": "三", "last_name": "张", "phone": "13800000000"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


async def posted(client, api_key: str, fmt: str = "json", **overrides) -> str:
    response = await client.post(f"{V2}/requests.{fmt}", data=form(api_key, **overrides))
    assert response.status_code == 201, response.text
    if fmt == "xml":
        return ElementTree.fromstring(response.content).findtext("request/service_request_id")
    return response.json()[0]["service_request_id"]


async def test_an_admin_issues_a_key_shown_once_and_stored_hashed(client, pool, keys):
    response = await client.post("/v1/open311/keys", headers=auth(**ADMIN),
                                 json={"name": "12345 热线对接", "source": "hotline"})
    assert response.status_code == 201
    issued = response.json()
    assert issued["api_key"].startswith("o311_") and issued["community"] == "erqiaoxi"
    stored = await pool.fetchrow("SELECT * FROM open311_keys WHERE id = $1", issued["id"])
    assert issued["api_key"] not in str(dict(stored)) and len(stored["key_hash"]) == 64
    listed = (await client.get("/v1/open311/keys", headers=auth(**ADMIN))).json()
    assert issued["id"] in [k["id"] for k in listed] and "api_key" not in listed[0]
    assert all(k["community"] == "erqiaoxi" for k in listed)


@pytest.mark.parametrize("who", [{"sub": "u-1"}, {"sub": "op-1", "role": "operator"},
                                 {"sub": "s-1", "role": "steward", "grids": ("g-1",)}])
async def test_only_admins_manage_keys(client, who):
    assert (await client.post("/v1/open311/keys", headers=auth(**who),
                              json={"name": "x"})).status_code == 403
    assert (await client.get("/v1/open311/keys", headers=auth(**who))).status_code == 403


async def test_a_revoked_key_stops_working_and_only_its_own_admin_revokes_it(client):
    issued = (await client.post("/v1/open311/keys", headers=auth(**ADMIN),
                                json={"name": "temporary"})).json()
    await posted(client, issued["api_key"])
    revoke = f"/v1/open311/keys/{issued['id']}/revoke"
    assert (await client.post(revoke, headers=auth(**OTHER_ADMIN))).status_code == 404
    first = await client.post(revoke, headers=auth(**ADMIN))
    assert first.status_code == 200 and first.json()["revoked_at"] is not None
    again = await client.post(revoke, headers=auth(**ADMIN))
    assert again.json()["revoked_at"] == first.json()["revoked_at"]
    refused = await client.post(f"{V2}/requests.json", data=form(issued["api_key"]))
    assert refused.status_code == 403
    assert refused.json() == [{"code": 403,
                               "description": "invalid api_key: unknown or revoked"}]


async def test_a_post_files_a_report_with_a_pseudonymous_reporter(client, pool, keys):
    request_id = await posted(client, keys["erqiaoxi"], **{
        "service_code": "repair.paid", "attribute[agree_to_pay]": "yes",
        "attribute[vulnerable]": "elderly", "attribute[unit]": "2-301"})
    row = await pool.fetchrow("SELECT * FROM issues WHERE id = $1", request_id)
    assert (row["community"], row["category"], row["building"], row["unit"],
            row["vulnerable"], row["source"]) == ("erqiaoxi", "repair.paid", "b-03", "2-301",
                                                  "elderly", "app")
    assert row["reporter_id"].startswith("o311-k-")
    event = await pool.fetchrow("SELECT data FROM events WHERE stream_id = $1",
                                f"issue-{request_id}")
    # The email only seeds the pseudonym: neither the event nor the row keeps it.
    assert "zhang@example.org" not in str(event["data"]) + str(dict(row))
    assert event["data"]["reporter_id"] == row["reporter_id"]
    again = await posted(client, keys["erqiaoxi"], email="ZHANG@example.org")
    assert await pool.fetchval("SELECT reporter_id FROM issues WHERE id = $1",
                               again) == row["reporter_id"]


async def test_a_post_in_xml_answers_in_xml(client, keys):
    request_id = await posted(client, keys["erqiaoxi"], fmt="xml")
    assert request_id.startswith("iss-")


@pytest.mark.parametrize("overrides, status, words", [
    ({"service_code": None}, 400, "service_code is required"),
    ({"service_code": "pothole"}, 404, "pothole"),
    ({"address_id": None}, 400, "address_id is required"),
    ({"address_id": "b 03; drop"}, 400, "address_id"),
    ({"description": ""}, 400, "description is required"),
    ({"description": "x" * 2001}, 400, "description"),
    ({"service_code": "repair.paid"}, 400, "agree_to_pay"),
    ({"attribute[colour]": "red"}, 400, "colour"),
    ({"jurisdiction_id": "other"}, 403, "jurisdiction_id other"),
    ({"api_key": "o311_guess"}, 403, "invalid api_key"),
])
async def test_bad_posts_are_refused_in_the_spec_shape_and_write_nothing(client, pool, keys,
                                                                          overrides, status,
                                                                          words):
    events = await pool.fetchval("SELECT count(*) FROM events")
    response = await client.post(f"{V2}/requests.json", data=form(keys["erqiaoxi"], **overrides))
    assert response.status_code == status
    [error] = response.json()
    assert error["code"] == status and words in error["description"]
    assert await pool.fetchval("SELECT count(*) FROM events") == events


async def test_with_two_jurisdictions_reads_must_name_one(client, keys):
    missing = await client.get(f"{V2}/requests.json")
    assert missing.status_code == 400 and "jurisdiction_id" in missing.json()[0]["description"]
    unknown = await client.get(f"{V2}/requests.xml", params={"jurisdiction_id": "atlantis"})
    assert unknown.status_code == 404
    assert ElementTree.fromstring(unknown.content).findtext("error/code") == "404"
    discovery = (await client.get(f"{V2}/discovery.json")).json()
    assert discovery["jurisdictions"] == ["erqiaoxi", "other"]
    assert set(discovery["endpoints"][0]["formats"]) == {"text/xml", "application/json"}


async def test_a_jurisdiction_shows_only_its_own_requests(client, keys):
    mine = await posted(client, keys["erqiaoxi"])
    theirs = await posted(client, keys["other"])
    here = (await client.get(f"{V2}/requests.json",
                             params={"jurisdiction_id": "erqiaoxi"})).json()
    ids = [r["service_request_id"] for r in here]
    assert mine in ids and theirs not in ids
    cross = await client.get(f"{V2}/requests/{theirs}.json",
                             params={"jurisdiction_id": "erqiaoxi"})
    assert cross.status_code == 404
    by_id = await client.get(f"{V2}/requests.json", params={
        "jurisdiction_id": "erqiaoxi", "service_request_id": f"{mine},{theirs}"})
    assert [r["service_request_id"] for r in by_id.json()] == [mine]


async def test_public_answers_carry_no_personal_data(client, keys):
    me = "u-same"
    created = await client.post("/v1/issues", headers=auth(sub=me), json=report(
        unit="9-909", description="王五 电话 13912345678", vulnerable="child"))
    issue_id = created.json()["id"]
    for fmt in ("json", "xml"):
        for path in (f"{V2}/requests.{fmt}", f"{V2}/requests/{issue_id}.{fmt}"):
            response = await client.get(path, params={"jurisdiction_id": "erqiaoxi"})
            assert response.status_code == 200
            body = response.content.decode()
            assert issue_id in body
            for secret in ("u-same", "9-909", "王五", "13912345678", "child", "zhang"):
                assert secret not in body, (path, secret)


async def test_filters_by_service_status_and_dates(client, pool, keys):
    fire = await posted(client, keys["erqiaoxi"], service_code="safety.fire")
    pipe = await posted(client, keys["erqiaoxi"])
    await pool.execute("UPDATE issues SET status = 'resolved' WHERE id = $1", pipe)
    params = {"jurisdiction_id": "erqiaoxi"}

    async def ids(**extra) -> list[str]:
        response = await client.get(f"{V2}/requests.json", params={**params, **extra})
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in response.json()]

    assert fire in await ids(service_code="safety.fire")
    assert pipe not in await ids(service_code="safety.fire")
    assert pipe in await ids(status="closed") and pipe not in await ids(status="open")
    assert {fire, pipe} <= set(await ids(status="open,closed"))
    long_ago = (datetime.now(timezone.utc) - timedelta(days=200)).isoformat()
    assert fire not in await ids(end_date=long_ago)
    now = datetime.now(timezone.utc)
    window = {"start_date": (now - timedelta(hours=1)).isoformat(),
              "end_date": (now + timedelta(hours=1)).isoformat()}
    assert fire in await ids(**window)
    too_long = await client.get(f"{V2}/requests.json", params={
        **params, "start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"})
    assert too_long.status_code == 400 and "90 days" in too_long.json()[0]["description"]
    newest_first = await ids()
    assert newest_first.index(pipe) < newest_first.index(fire)


async def test_an_assignment_shows_the_grid_the_note_and_the_expected_time(client, pool, keys):
    request_id = await posted(client, keys["erqiaoxi"])
    due = datetime(2030, 1, 1, 4, 0, tzinfo=timezone.utc)
    assert await apply_once(pool, DISPATCH_EVENTS, issue_assigned(
        request_id, grid_id="g-05", signoff_due_at=due, completion_limit_minutes=4320),
        consumer.handle)
    [request] = (await client.get(f"{V2}/requests/{request_id}.json",
                                  params={"jurisdiction_id": "erqiaoxi"})).json()
    assert (request["status"], request["status_notes"], request["agency_responsible"]) == (
        "open", "已派单至网格 g-05，等待签收", "网格 g-05")
    assert request["expected_datetime"] == "2030-01-04T12:00:00+08:00"
    assert request["requested_datetime"].endswith("+08:00")
    xml = await client.get(f"{V2}/requests/{request_id}.xml",
                           params={"jurisdiction_id": "erqiaoxi"})
    root = ElementTree.fromstring(xml.content)
    assert root.findtext("request/status_notes") == "已派单至网格 g-05，等待签收"
    assert xml.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")


async def test_an_unknown_request_is_404_in_the_spec_shape(client, keys):
    response = await client.get(f"{V2}/requests/iss-{uuid.uuid4().hex[:16]}.json",
                                params={"jurisdiction_id": "other"})
    assert response.status_code == 404 and response.json()[0]["code"] == 404


async def test_a_list_holds_at_most_1000_requests_newest_first(client, pool, keys):
    await pool.execute(
        """INSERT INTO issues (id, community, reporter_id, reported_by, category, description,
                               building, source, status, stream_version, created_at, updated_at)
           SELECT 'iss-ffff' || lpad(to_hex(n), 12, '0'), 'other', 'u-bulk', 'u-bulk',
                  'suggestion', 'bulk', 'b-01', 'app', 'reported', 1,
                  now() - n * interval '1 minute', now() - n * interval '1 minute'
           FROM generate_series(1, 1005) AS n""")
    response = await client.get(f"{V2}/requests.json", params={"jurisdiction_id": "other",
                                                               "service_code": "suggestion"})
    listed = response.json()
    assert len(listed) == 1000
    assert listed[0]["service_request_id"] == "iss-ffff000000000001"
    assert listed[-1]["service_request_id"] == f"iss-ffff{1000:012x}"


CLOSE_DUE = datetime(2030, 1, 8, 4, 0, tzinfo=timezone.utc)
# What dispatch did after the assignment and sign-off -> what the public sees.
WORKFLOW = {
    "escalated": ([(events.IssueEscalated, {"meeting_date": date(2026, 12, 4)})],
                  "将提交 2026-12-04 逢四说事议事会", "逢四说事议事会"),
    "referred": ([(events.IssueReferred, {"department": "housing"})], "已转交住建部门",
                 "住建部门"),
    "returned": ([(events.IssueReturned, {})], "已退单，待重新派单", "社区服务站"),
    "resolved": ([(events.IssueStarted, {}), (events.IssueResolved, {"close_due_at": CLOSE_DUE})],
                 "已办结，待居民确认（2030-01-08 前未确认将自动结案）", "网格 g-03"),
    "closed": ([(events.IssueStarted, {}), (events.IssueResolved, {"close_due_at": CLOSE_DUE}),
                (events.IssueClosed, {})], "已结案", "网格 g-03"),
}


async def public_view(client, request_id: str) -> dict:
    response = await client.get(f"{V2}/requests/{request_id}.json",
                                params={"jurisdiction_id": "erqiaoxi"})
    assert response.status_code == 200, response.text
    # Public, yet never cached: the status changes with every dispatch event.
    assert (response.headers["cache-control"], response.headers["x-content-type-options"]) == (
        "no-store", "nosniff")
    [request] = response.json()
    return request


@pytest.mark.parametrize("status", list(WORKFLOW))
async def test_the_public_view_follows_the_staff_workflow(client, pool, keys, status):
    steps, notes, agency = WORKFLOW[status]
    request_id = await posted(client, keys["erqiaoxi"])
    await deliver(pool, issue_assigned(request_id), step(events.IssueAccepted, request_id),
                  *(step(kind, request_id, **data) for kind, data in steps))
    request = await public_view(client, request_id)
    public = "closed" if status in ("resolved", "closed") else "open"
    assert (request["status"], request["status_notes"], request["agency_responsible"]) == (
        public, notes, agency)
    # Escalated, referred and returned issues have no running deadline; done ones none left.
    assert request["expected_datetime"] is None


async def test_a_running_completion_deadline_is_the_expected_time(client, pool, keys):
    request_id = await posted(client, keys["erqiaoxi"])
    done_by = datetime(2030, 1, 2, 4, 0, tzinfo=timezone.utc)
    await deliver(pool, issue_assigned(request_id),
                  step(events.IssueAccepted, request_id, completion_due_at=done_by))
    request = await public_view(client, request_id)
    assert (request["status_notes"], request["expected_datetime"]) == (
        "已签收", "2030-01-02T12:00:00+08:00")


async def test_a_cancelled_report_is_closed_with_the_residents_word(client, pool, keys):
    issue, headers = await reported(client)
    cancel = await client.post(f"/v1/issues/{issue['id']}/cancel", json={"reason": "修好了"},
                               headers=headers)
    assert cancel.status_code == 202, cancel.text
    *_, action = await stream(pool, issue["id"])
    assert action["type"] == "org.redgrid.issue.cancelled"
    # Pending, the view already shows what the resident asked; settled, it stays so.
    assert (await public_view(client, issue["id"]))["status_notes"] == "已撤销"
    await deliver(pool, settled(issue["id"], str(action["event_id"]), grid_id=None))
    request = await public_view(client, issue["id"])
    assert (request["status"], request["status_notes"], request["agency_responsible"],
            request["expected_datetime"]) == ("closed", "已撤销", "社区服务站", None)
