"""An issue id belongs to one community: events naming it under another community are
refused by dispatch's consumer and parked in dead_letters, changing nothing."""

import uuid

from redgrid_shared import codec, topics
from redgrid_shared.consumer import process_record
from redgrid_shared.events import IssueCancelled, IssueConfirmed, IssueReopened, envelope

from tests.unit.dispatch.builders import issue_reported_envelope


def record(env):
    m = codec.to_kafka(env)
    return type("Record", (), {"topic": topics.INTAKE_EVENTS, "partition": 97,
                               "offset": int(uuid.uuid4().int % 10**9),
                               "key": m.key.encode(), "value": m.value,
                               "headers": list(m.headers.items())})


async def parked_reason(pool, env) -> str | None:
    return await pool.fetchval(
        "SELECT reason FROM dead_letters WHERE reason LIKE '%' || $1 || '%'", str(env.id))


async def test_a_resident_action_from_another_community_is_parked_and_changes_nothing(world):
    issue_id = await world.report()
    before = (await world.events(issue_id), dict(await world.row(issue_id)))
    for model, extra in ((IssueCancelled, {}), (IssueConfirmed, {}),
                         (IssueReopened, {"reason": "还在漏"})):
        data = model(issue_id=issue_id, community="nanhu", by="u-1001", **extra)
        env = envelope(data, service="intake", subject=issue_id, time=world.clock())
        assert await process_record(world.pool, record(env), world.handle) == "parked"
        assert "data.community" in await parked_reason(world.pool, env)
    assert (await world.events(issue_id), dict(await world.row(issue_id))) == before
    # the same action from the issue's own community is settled
    await world.resident(issue_id, "cancel")
    assert (await world.row(issue_id))["status"] == "cancelled"


async def test_a_report_reusing_an_issue_id_of_another_community_is_not_routed(world):
    issue_id = await world.report()
    before = (await world.events(issue_id), dict(await world.row(issue_id)))
    again = issue_reported_envelope(time=world.clock(), issue_id=issue_id, community="nanhu",
                                    building=world.building)
    assert await process_record(world.pool, record(again), world.handle) == "parked"
    assert "data.community" in await parked_reason(world.pool, again)
    assert (await world.events(issue_id), dict(await world.row(issue_id))) == before
    # the same report redelivered under its own community is a harmless no-op
    same = issue_reported_envelope(time=world.clock(), issue_id=issue_id,
                                   community=world.community, building=world.building)
    assert await process_record(world.pool, record(same), world.handle) == "applied"
    assert (await world.events(issue_id), dict(await world.row(issue_id))) == before
