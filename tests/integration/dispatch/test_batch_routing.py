"""A consumed batch of reports is routed together (routing.assign_issues): the same events,
working rows and timers as routing them one by one, on real PostgreSQL.

Twins: each report is made twice with different issue ids; one twin goes through the handler
event by event, the other in one batch. Two communities share building names and people's
ids; in the first the steward of one grid is on leave and repair.public has its own limits,
in the second neither: a lookup made with the wrong community shows as a different route.
"""

import asyncio
import uuid
from datetime import timedelta

import pytest

from redgrid_shared import topics
from redgrid_shared.apply import process_batch
from redgrid_shared.clock import FixedClock
from redgrid_shared.consumer import apply_once
from redgrid_shared.events import IssueCancelled, envelope

from dispatch import consumer
from dispatch.sla.limits import Timing
from dispatch.workflow import intake_sql
from tests.integration.dispatch.conftest import auth
from tests.integration.dispatch.test_assignment import new_id
from tests.integration.dispatch.test_routing_race import behind_an_open_routing
from tests.integration.shared.helpers import records_of
from tests.unit.dispatch.builders import REPORTED_AT, grid_body, issue_reported_envelope

NOW = REPORTED_AT + timedelta(seconds=3)
handle = consumer.handler(clock=FixedClock(NOW), timing=Timing())


@pytest.fixture
def together(monkeypatch) -> list[int]:
    """How many reports each batched take (intake_sql.take_reports asked for more than one;
    the one-by-one path asks for one) answered: a batch that fell back to the one-by-one pass
    would route the same, so the tests check it did not."""
    taken: list[int] = []
    take = intake_sql.take_reports

    async def counted(conn, reports):
        found = await take(conn, reports)
        if len(reports) > 1:
            taken.append(len(found))
        return found

    monkeypatch.setattr(intake_sql, "take_reports", counted)
    return taken


async def two_communities(client) -> dict:
    """Communities a and b, each with grids g1 (building b1) and g2 (building b2) held by
    the same people's ids; in a, g2's steward is on leave and repair.public has its own
    limits."""
    people = {"steward": new_id("s"), "repairer": new_id("r"),
              "backup_steward": new_id("s"), "backup_repairer": new_id("r")}
    away = new_id("s")
    world = {"a": new_id("cm"), "b": new_id("cm"), "b1": new_id("b"), "b2": new_id("b"),
             "away": away}
    for side in ("a", "b"):
        community = world[side]
        for grid, building, steward in (("g1", world["b1"], people["steward"]),
                                        ("g2", world["b2"], away)):
            response = await client.put(
                f"/v1/grids/{grid}", headers=auth(community=community),
                json=grid_body(community=community, buildings=[building],
                               **{**people, "steward": steward}))
            assert response.status_code == 201, response.text
    leave = await client.put(f"/v1/staff/{away}/availability", headers=auth(community=world["a"]),
                             json={"available": False, "note": "年假"})
    assert leave.status_code == 200, leave.text
    sla = await client.put("/v1/sla/repair.public", headers=auth(community=world["a"]),
                           json={"signoff_minutes": 30, "completion_minutes": 600})
    assert sla.status_code == 200, sla.text
    return world


def reports(world) -> list[dict]:
    """One of each route: plain, own limits, a cover for the steward on leave, 一老一小,
    a building without a grid, and the same again in the neighbour community."""
    out = []
    for side in ("a", "b"):
        c = world[side]
        out += [dict(community=c, building=world["b1"], category="repair.pipe"),
                dict(community=c, building=world["b1"], category="repair.public"),
                dict(community=c, building=world["b2"], category="repair.pipe"),
                dict(community=c, building=world["b2"], category="service.care",
                     vulnerable="elderly"),
                dict(community=c, building=world["b1"], category="safety.fire", unit=None),
                dict(community=c, building=new_id("b"), category="repair.pipe")]
    return out


async def routed(pool, issue_id: str) -> dict:
    """What routing left for an issue (its events with every stored field, its working row
    whole, its timers), with the issue's own id left out."""
    events = await pool.fetch(
        "SELECT version, type, source, subject, topic, data, occurred_at FROM events "
        "WHERE stream_id = $1 ORDER BY version", f"issue-{issue_id}")
    row = await pool.fetchrow("SELECT * FROM dispatch_issues WHERE issue_id = $1", issue_id)
    timers = await pool.fetch("SELECT kind, due_at, fired_at FROM timers WHERE issue_id = $1 "
                              "ORDER BY kind, due_at", issue_id)
    return {"events": [{**dict(e), "subject": e["subject"] == issue_id,
                        "data": {k: v for k, v in e["data"].items() if k != "issue_id"}}
                       for e in events],
            "row": {k: v for k, v in row.items() if k != "issue_id"},
            "timers": [tuple(t) for t in timers]}


async def test_a_batch_of_reports_routes_as_one_by_one_would(client, pool, together):
    world = await two_communities(client)
    specs = reports(world)
    singles = [issue_reported_envelope(**spec) for spec in specs]
    for env in singles:
        assert await apply_once(pool, topics.INTAKE_EVENTS, env, handle)
    assert together == []  # one report at a time takes the one-by-one path
    twins = [issue_reported_envelope(**spec) for spec in specs]
    outcomes = await process_batch(
        pool, records_of(twins, topic=topics.INTAKE_EVENTS, partition=7), handle)
    assert outcomes == ["applied"] * len(twins)
    assert together == [len(twins)]  # taken in one statement, and the pass committed

    for single, twin, spec in zip(singles, twins, specs):
        one, together = (await routed(pool, single.data["issue_id"]),
                         await routed(pool, twin.data["issue_id"]))
        assert together == one, spec
    # The twins' routes differ where the communities do (the wrong community's leave or
    # limits would have made them the same).
    by_id = {t.data["issue_id"]: await routed(pool, t.data["issue_id"]) for t in twins}
    first = [by_id[t.data["issue_id"]]["events"][0] for t in twins]
    assert first[0]["topic"] == topics.DISPATCH_EVENTS and first[0]["subject"] is True
    assert [e["type"] for e in first] == ["org.redgrid.issue.assigned"] * 5 + [
        "org.redgrid.issue.unroutable"] + ["org.redgrid.issue.assigned"] * 5 + [
        "org.redgrid.issue.unroutable"]
    a_public, b_public = first[1]["data"], first[7]["data"]
    assert a_public["signoff_due_at"] != b_public["signoff_due_at"]  # a's own limits
    a_cover, b_cover = first[2]["data"], first[8]["data"]
    assert a_cover["steward_id"] != world["away"] and a_cover["covering_for"]
    assert b_cover["steward_id"] == world["away"] and not b_cover["covering_for"]


async def test_copies_and_an_action_in_one_batch_then_a_foreign_reuse_parked_alone(
        client, pool, together):
    world = await two_communities(client)
    report = issue_reported_envelope(community=world["a"], building=world["b1"])
    issue_id = report.data["issue_id"]
    copy = report.model_copy(update={"id": uuid.uuid4()})  # the same report, another event id
    other = issue_reported_envelope(community=world["a"], building=world["b2"])
    cancel = envelope(IssueCancelled(issue_id=other.data["issue_id"], community=world["a"],
                                     by="u-1001"),
                      service="intake", subject=other.data["issue_id"], time=REPORTED_AT)
    late = issue_reported_envelope(community=world["b"], building=world["b2"])
    records = records_of([report, other, copy, cancel, late], topic=topics.INTAKE_EVENTS,
                         partition=8)
    assert await process_batch(pool, records, handle) == ["applied"] * 5
    # The run before the cancel was taken together (the report and the other; the copy
    # after them on its own); `late`, a run of one after the cancel, went one by one.
    assert together == [2]

    mine = await routed(pool, issue_id)
    assert [e["type"] for e in mine["events"]] == ["org.redgrid.issue.assigned"]  # once
    cancelled = await routed(pool, other.data["issue_id"])
    assert cancelled["events"][0]["type"] == "org.redgrid.issue.assigned"
    assert cancelled["row"]["status"] == "cancelled"  # the action found the issue routed
    assert cancelled["timers"] == []
    assert (await routed(pool, late.data["issue_id"]))["row"]["grid_id"] == "g2"

    # The batch again (a redelivery) changes nothing.
    before = [await routed(pool, e.data["issue_id"]) for e in (report, other, late)]
    assert await process_batch(pool, records, handle) == ["duplicate"] * 5
    assert [await routed(pool, e.data["issue_id"]) for e in (report, other, late)] == before

    # The neighbour community reusing the first issue's id: refused and parked alone.
    foreign = issue_reported_envelope(community=world["b"], building=world["b1"],
                                      issue_id=issue_id)
    fresh = issue_reported_envelope(community=world["b"], building=world["b1"])
    records = records_of([fresh, foreign], topic=topics.INTAKE_EVENTS, partition=9)
    assert await process_batch(pool, records, handle) == ["applied", "parked"]
    reason = await pool.fetchval(
        'SELECT reason FROM dead_letters WHERE topic = $1 AND partition = 9 AND "offset" = $2',
        topics.INTAKE_EVENTS, records[1].offset)
    assert "belongs to community" in reason
    assert await routed(pool, issue_id) == mine
    assert (await routed(pool, fresh.data["issue_id"]))["row"]["community"] == world["b"]


async def test_a_report_whose_row_a_concurrent_transaction_inserted_is_routed_once(
        client, pool, together):
    world = await two_communities(client)
    first = issue_reported_envelope(community=world["a"], building=world["b1"])
    copy = first.model_copy(update={"id": uuid.uuid4()})
    other = issue_reported_envelope(community=world["a"], building=world["b2"])
    batch = await behind_an_open_routing(pool, first, process_batch(
        pool, records_of([other, copy], topic=topics.INTAKE_EVENTS, partition=10), handle))
    # The copy's row was not in the statement's snapshot: taken again on its own, it finds
    # the issue routed.
    assert await asyncio.wait_for(batch, 10) == ["applied", "applied"]
    assert together == [1]  # the batched statement answered for the other report only
    assert [e["type"] for e in (await routed(pool, first.data["issue_id"]))["events"]] == [
        "org.redgrid.issue.assigned"]
    assert (await routed(pool, other.data["issue_id"]))["row"]["status"] == "assigned"
