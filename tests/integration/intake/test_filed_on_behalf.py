"""Staff see what they filed for a resident outside their grids, as the person who filed it:
(community, role, sub) is a person, so the same sub in another role or community is someone
else. Real PostgreSQL, reports through the API."""

import uuid

from redgrid_shared.consumer import apply_once
from redgrid_shared.topics import DISPATCH_EVENTS
from tests.integration.intake.test_media import uploaded
from tests.unit.intake.builders import auth, issue_assigned, report


def someone(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def filed_in_g02(client, pool, filer: dict, **extra) -> str:
    """A report `filer` makes for a new resident, then routed to grid g-02."""
    from intake import consumer
    response = await client.post("/v1/issues", headers=auth(**filer), json=report(
        on_behalf_of=someone("u"), source="grid_visit", **extra))
    assert response.status_code == 201, response.text
    issue_id = response.json()["id"]
    assert await apply_once(pool, DISPATCH_EVENTS, issue_assigned(issue_id, grid_id="g-02"),
                            consumer.handle)
    return issue_id


async def sees(client, who: dict, issue_id: str, photo: str | None = None) -> bool:
    """Whether `who` reads the issue, its timeline, its photo and finds it in their list;
    all of them agree, or the test fails."""
    answers = {(await client.get(path, headers=auth(**who))).status_code
               for path in (f"/v1/issues/{issue_id}", f"/v1/issues/{issue_id}/timeline",
                            *([f"/v1/media/{photo}"] if photo else []))}
    page = await client.get("/v1/issues", params={"limit": 100}, headers=auth(**who))
    assert page.status_code == 200
    listed = issue_id in {i["id"] for i in page.json()["items"]}
    assert answers in ({200}, {404}) and listed == (answers == {200}), (who, answers, listed)
    return listed


async def test_a_steward_who_shares_an_admins_id_does_not_see_what_the_admin_filed(client, pool):
    p = someone("p")
    issue_id = await filed_in_g02(client, pool, {"sub": p, "role": "admin"})
    assert await sees(client, {"sub": p, "role": "admin"}, issue_id)
    assert not await sees(client, {"sub": p, "role": "steward", "grids": ("g-01",)}, issue_id)
    row = await pool.fetchrow("SELECT reported_by, reported_by_role FROM issues WHERE id = $1",
                              issue_id)
    assert tuple(row) == (p, "admin")


async def test_the_steward_who_filed_sees_it_and_a_repairer_with_their_id_does_not(client, pool):
    p = someone("p")
    steward = {"sub": p, "role": "steward", "grids": ("g-01",)}
    photo = await uploaded(client, **steward)
    issue_id = await filed_in_g02(client, pool, steward, photos=[photo])
    assert await sees(client, steward, issue_id, photo)
    for other in ({"sub": p, "role": "repairer", "grids": ("g-01",)},
                  {**steward, "community": "other"},
                  {"sub": p, "role": "admin", "community": "other"},
                  {**steward, "sub": someone("p")}):
        assert not await sees(client, other, issue_id, photo), other
