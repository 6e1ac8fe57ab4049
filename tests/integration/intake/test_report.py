"""Reporting on real PostgreSQL: event, read model and timeline commit together or not at all."""

import uuid

import asyncpg
import pytest

from intake import handlers
from intake.models import ReportIssue
from redgrid_shared import eventstore, idempotency, topics
from tests.unit.intake.builders import auth, principal, report


def resident() -> str:
    return f"u-{uuid.uuid4().hex[:8]}"


async def event_count(pool) -> int:
    return await pool.fetchval("SELECT count(*) FROM events")


async def test_report_commits_the_event_the_issue_row_and_its_timeline(client, pool):
    me = resident()
    response = await client.post("/v1/issues", json=report(vulnerable="elderly"),
                                 headers=auth(sub=me))
    assert response.status_code == 201
    issue = response.json()
    assert issue["id"].startswith("iss-") and issue["status"] == "reported"
    assert (issue["reporter_id"], issue["community"], issue["vulnerable"]) == (
        me, "erqiaoxi", "elderly")
    assert issue["created_at"].endswith(("Z", "+00:00"))
    assert response.headers["location"] == f"/v1/issues/{issue['id']}"

    event = await pool.fetchrow("SELECT * FROM events WHERE stream_id = $1",
                                f"issue-{issue['id']}")
    assert event["topic"] == topics.INTAKE_EVENTS
    assert event["type"] == "org.redgrid.issue.reported"
    assert (event["version"], event["subject"]) == (1, issue["id"])
    assert event["data"]["reporter_id"] == me and event["data"]["reported_by"] == me
    row = await pool.fetchrow("SELECT * FROM issues WHERE id = $1", issue["id"])
    assert (row["status"], row["stream_version"], row["created_at"]) == (
        "reported", 1, event["occurred_at"])
    timeline = await pool.fetch("SELECT * FROM issue_timeline WHERE issue_id = $1", issue["id"])
    assert [t["event_id"] for t in timeline] == [event["event_id"]]


async def test_a_report_with_and_without_a_key_writes_the_same(client, pool):
    # Without a key (and photos) the report is one statement; with one, a transaction
    # that also remembers the key. What they write must not differ.
    me = resident()
    written = []
    for headers in ({}, {"Idempotency-Key": f"k-{uuid.uuid4().hex}"}):
        response = await client.post("/v1/issues", json=report(vulnerable="child"),
                                     headers={**auth(sub=me), **headers})
        assert response.status_code == 201, response.text
        issue_id = response.json()["id"]
        event = await pool.fetchrow(
            "SELECT version, type, source, subject, topic, data, occurred_at, event_id "
            "FROM events WHERE stream_id = $1", f"issue-{issue_id}")
        row = dict(await pool.fetchrow("SELECT * FROM issues WHERE id = $1", issue_id))
        entries = [dict(t) for t in await pool.fetch(
            "SELECT event_id, type, occurred_at, data FROM issue_timeline WHERE issue_id = $1",
            issue_id)]
        assert entries[0]["event_id"] == event["event_id"]
        assert row["created_at"] == event["occurred_at"] == entries[0]["occurred_at"]
        answer = {k: v for k, v in response.json().items()
                  if k not in ("id", "created_at", "updated_at")}
        written.append((
            answer, {k: v for k, v in row.items() if k not in ("id", "created_at", "updated_at")},
            {**dict(event), "subject": None, "occurred_at": None, "event_id": None,
             "data": {**event["data"], "issue_id": None}},
            [{**e, "event_id": None, "occurred_at": None,
              "data": {**e["data"], "issue_id": None}} for e in entries]))
    assert written[0] == written[1]


@pytest.mark.parametrize("key, one_statement", [(None, True), ("k-1", False)])
async def test_a_report_leaves_the_relay_its_wake_up_for_the_release(pool, monkeypatch, key,
                                                                      one_statement):
    # Without a key the report is one statement (idempotency.run_statement); either way the
    # connection must reach its release with the outbox wake-up pending (db.py sends it).
    statements, pending = [], []
    run_statement, release = idempotency.run_statement, idempotency._release_soon

    async def counted(*args, **kwargs):
        statements.append(1)
        return await run_statement(*args, **kwargs)

    def released(pool_, conn):
        pending.append(eventstore._notify_on_release.get(conn.get_server_pid()))
        release(pool_, conn)

    monkeypatch.setattr(idempotency, "run_statement", counted)
    monkeypatch.setattr(idempotency, "_release_soon", released)
    result = await handlers.report_issue(pool, principal=principal(), idempotency_key=key,
                                         command=ReportIssue.model_validate(report()))
    assert result.status == 201
    assert bool(statements) is one_statement
    assert pending == [await pool.fetchval(eventstore.OUTBOX_SQL)]


@pytest.mark.parametrize("key", ["k-fail", None], ids=["in a transaction", "one statement"])
async def test_a_failing_read_model_write_leaves_no_event(pool, key):
    # A row already holding the id makes the insert fail after the append succeeded (with
    # no key and no photos the report is one statement, which must fail as a whole too).
    taken = f"iss-{uuid.uuid4().hex[:16]}"
    await pool.execute(
        """INSERT INTO issues (id, community, reporter_id, reported_by, category, description,
           building, source, status, stream_version, created_at, updated_at)
           VALUES ($1, 'erqiaoxi', 'u-x', 'u-x', 'other', 'd', 'b-1', 'app', 'reported', 0,
                   now(), now())""", taken)
    with pytest.raises(asyncpg.UniqueViolationError):
        await handlers.report_issue(pool, principal=principal(), idempotency_key=key,
                                    command=ReportIssue.model_validate(report()),
                                    new_id=lambda: taken)
    assert await pool.fetchval("SELECT count(*) FROM events WHERE stream_id = $1",
                               f"issue-{taken}") == 0
    assert await pool.fetchval("SELECT count(*) FROM issue_timeline WHERE issue_id = $1",
                               taken) == 0
    assert await pool.fetchval(
        "SELECT count(*) FROM idempotency_keys WHERE key = 'k-fail'") == 0


async def test_staff_report_on_behalf_belongs_to_the_resident(client, pool):
    me = resident()
    response = await client.post(
        "/v1/issues", json=report(on_behalf_of=me, source="grid_visit"),
        headers=auth(sub="s-01", role="steward", grids=["g-03"]))
    assert response.status_code == 201
    assert (response.json()["reporter_id"], response.json()["source"]) == (me, "grid_visit")
    own = await client.get(f"/v1/issues/{response.json()['id']}", headers=auth(sub=me))
    assert own.status_code == 200


@pytest.mark.parametrize("body, field", [
    (report(category="repair.everything"), "body.category"),
    (report(building=...), "body.building"),
    (report(description="x" * 100_000), "body.description"),
    (report(priority="high"), "body.priority"),
])
async def test_bad_reports_name_the_field_and_write_no_event(client, pool, body, field):
    before = await event_count(pool)
    response = await client.post("/v1/issues", json=body, headers=auth(sub=resident()))
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert await event_count(pool) == before


async def test_malformed_json_writes_no_event(client, pool):
    before = await event_count(pool)
    response = await client.post("/v1/issues", content=b"{not json",
                                 headers={**auth(), "content-type": "application/json"})
    assert response.status_code == 422
    assert await event_count(pool) == before


async def test_resident_reporting_for_someone_else_is_refused_without_an_event(client, pool):
    before = await event_count(pool)
    response = await client.post("/v1/issues", json=report(on_behalf_of="u-other"),
                                 headers=auth(sub=resident()))
    assert response.status_code == 403
    assert "body.on_behalf_of" in response.json()["error"]["fields"]
    assert await event_count(pool) == before


async def test_idempotency_key_replays_the_first_response_without_a_second_event(client, pool):
    headers = {**auth(sub=resident()), "Idempotency-Key": f"k-{uuid.uuid4()}"}
    first = await client.post("/v1/issues", json=report(), headers=headers)
    before = await event_count(pool)
    again = await client.post("/v1/issues", json=report(), headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await event_count(pool) == before


async def test_idempotency_key_reused_for_another_report_is_422(client, pool):
    headers = {**auth(sub=resident()), "Idempotency-Key": f"k-{uuid.uuid4()}"}
    assert (await client.post("/v1/issues", json=report(), headers=headers)).status_code == 201
    before = await event_count(pool)
    other = await client.post("/v1/issues", json=report(category="other"), headers=headers)
    assert other.status_code == 422
    assert "header.idempotency-key" in other.json()["error"]["fields"]
    assert await event_count(pool) == before


async def test_concurrent_retries_of_one_key_record_one_issue(client, pool):
    import asyncio
    headers = {**auth(sub=resident()), "Idempotency-Key": f"k-{uuid.uuid4()}"}
    before = await event_count(pool)
    responses = await asyncio.gather(
        *(client.post("/v1/issues", json=report(), headers=headers) for _ in range(4)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert await event_count(pool) == before + 1


async def test_the_relay_publishes_the_report(client, pool):
    import asyncio
    issue = (await client.post("/v1/issues", json=report(), headers=auth())).json()
    deadline = asyncio.get_running_loop().time() + 20
    while await pool.fetchval("SELECT published_at FROM events WHERE subject = $1",
                              issue["id"]) is None:
        assert asyncio.get_running_loop().time() < deadline, "relay never published"
        await asyncio.sleep(0.05)
