"""Grid ids repeat across communities: per-grid figures never mix two communities' g-01."""

from datetime import datetime, timedelta, timezone

from tests.integration.stats import builders as b
from tests.integration.stats.conftest import bearer, project

T0 = datetime(2024, 3, 1, 2, 0, tzinfo=timezone.utc)


async def two_communities_with_g01(pool) -> tuple[str, str]:
    """A: g-01 held by s-a, 2 issues (1 resolved). B: g-01 held by s-b, 1 issue."""
    a, c = b.tag(), b.tag()
    envelopes = [b.grid_configured(community=a, grid_id="g-01", steward="s-a", at=T0),
                 b.grid_configured(community=c, grid_id="g-01", steward="s-b", at=T0)]
    for community, n in [(a, 2), (c, 1)]:
        for _ in range(n):
            reported = b.issue_reported(community=community, at=T0 + timedelta(minutes=1))
            envelopes += [reported, b.issue_assigned(community=community, grid_id="g-01",
                                                     issue_id=reported.subject,
                                                     at=T0 + timedelta(minutes=2))]
    envelopes.append(b.issue_step("issue.resolved", community=a, issue_id=envelopes[2].subject,
                                  at=T0 + timedelta(hours=1)))
    await project(pool, *envelopes)
    return a, c


async def test_per_grid_figures_of_two_communities_g01_do_not_mix(pool, client):
    a, c = await two_communities_with_g01(pool)
    expected = {a: (2, 1, 0.5, "s-a"), c: (1, 0, 0.0, "s-b")}
    for community, (collected, handled, rate, steward) in expected.items():
        res = await client.get("/v1/stats/grids", headers=bearer(community))
        assert res.status_code == 200, res.text
        [g01] = res.json()["grids"]
        f = g01["figures"]
        assert (g01["grid_id"], f["collected"], f["handled"], f["handling_rate"],
                g01["holders"]["steward"]) == ("g-01", collected, handled, rate, steward)


async def test_the_grid_filter_counts_only_the_callers_g01(pool, client):
    a, c = await two_communities_with_g01(pool)
    for community, collected in [(a, 2), (c, 1)]:
        res = await client.get("/v1/stats/summary", params={"grid": "g-01"},
                               headers=bearer(community))
        assert res.status_code == 200, res.text
        assert (res.json()["community"], res.json()["collected"]) == (community, collected)
        grids = await client.get("/v1/stats/grids", params={"grid": "g-01"},
                                 headers=bearer(community))
        assert [g["figures"]["collected"] for g in grids.json()["grids"]] == [collected]
