"""A meeting's "assigned" decision while the grid's steward is on leave, on real PostgreSQL:
the backup carries the work (covering_for), only in the community where the person is away;
with steward and backup both away the minutes are refused, naming the decision."""

from tests.integration.dispatch.conftest import auth
from tests.integration.dispatch.meetings.test_minutes_and_agenda import (  # noqa: F401
    MEETING, MINUTES_ATTENDEES, app, escalated, morning_of_the_meeting, operator)
from tests.integration.dispatch.seed import new_id, stream

STAFF = {"grid_id": "g-01", "steward": "s-03", "backup_steward": "s-04"}


async def on_leave(client, community: str, person: str) -> None:
    response = await client.put(f"/v1/staff/{person}/availability", json={"available": False},
                                headers=auth(role="admin", sub="a-01", community=community))
    assert response.status_code == 200, response.text


async def minutes(client, community: str, issue_id: str):
    body = {"attendees": MINUTES_ATTENDEES, "decisions": [
        {"issue_id": issue_id, "decision": "assigned", "unit": "后盾单位 区住建局"}]}
    return await client.post(f"/v1/meetings/{MEETING}/minutes", json=body,
                             headers=operator(community))


async def test_a_meeting_assignment_goes_to_the_backup_only_where_the_steward_is_away(
        client, pool):
    mine, theirs = new_id("c"), new_id("c")
    [here] = await escalated(pool, client, mine, 1, grid_fields=STAFF)
    [there] = await escalated(pool, client, theirs, 1, grid_fields=STAFF)
    await on_leave(client, mine, "s-03")

    for community, issue_id in ((mine, here), (theirs, there)):
        response = await minutes(client, community, issue_id)
        assert response.status_code == 201, response.text
    covered = (await stream(pool, f"issue-{here}"))[-1]
    assert (covered["reason"], covered["steward_id"], covered["covering_for"]) == (
        "meeting", "s-04", ["s-03"])
    regular = (await stream(pool, f"issue-{there}"))[-1]
    assert (regular["reason"], regular["steward_id"], regular["covering_for"]) == (
        "meeting", "s-03", [])


async def test_minutes_assigning_to_a_grid_with_no_one_available_are_refused_whole(client, pool):
    community = new_id("c")
    [issue_id] = await escalated(pool, client, community, 1, grid_fields=STAFF)
    for person in ("s-03", "s-04"):
        await on_leave(client, community, person)
    before = await stream(pool, f"issue-{issue_id}")

    refused = await minutes(client, community, issue_id)
    assert refused.status_code == 422, refused.text
    assert "body.decisions.0.decision" in refused.json()["error"]["fields"]
    assert await stream(pool, f"issue-{issue_id}") == before
    assert await stream(pool, f"meeting-{community}/{MEETING}") == []
