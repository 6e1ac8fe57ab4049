"""Projections and figures on real PostgreSQL, read through the HTTP API."""

from datetime import datetime, timedelta, timezone

from stats import projections
from tests.integration.stats import builders as b
from tests.integration.stats.conftest import bearer, project

T0 = datetime(2024, 3, 1, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def summary(client, community: str, **params) -> dict:
    res = await client.get("/v1/stats/summary", params={"community": community, **params},
                           headers=bearer(community))
    assert res.status_code == 200, res.text
    return res.json()


async def test_an_event_applied_twice_counts_once(pool, client):
    c = b.tag()
    reported = b.issue_reported(community=c, at=T0)
    assert await project(pool, reported, reported) == [True, False]
    # Even past the dedupe row, the projection itself must not double count.
    async with pool.acquire() as conn, conn.transaction():
        await projections.apply(conn, reported)
    s = await summary(client, c)
    assert s["collected"] == 1 and s["by_status"]["reported"] == 1


async def test_as_of_before_the_assignment_shows_reported_and_after_shows_assigned(pool, client):
    c = b.tag()
    reported = b.issue_reported(community=c, at=T0)
    await project(pool, reported,
                  b.issue_assigned(community=c, issue_id=reported.subject, at=T0 + timedelta(minutes=5)))
    before = await summary(client, c, as_of=iso(T0 + timedelta(minutes=1)))
    after = await summary(client, c, as_of=iso(T0 + timedelta(minutes=6)))
    assert before["by_status"]["reported"] == 1 and before["by_status"]["assigned"] == 0
    assert after["by_status"]["assigned"] == 1 and after["by_status"]["reported"] == 0
    assert (await summary(client, c, as_of=iso(T0 - timedelta(seconds=1))))["collected"] == 0


async def test_assigned_arriving_before_reported_gives_the_same_summary(pool, client):
    in_order, out_of_order = b.tag(), b.tag()
    for c, reverse in ((in_order, False), (out_of_order, True)):
        reported = b.issue_reported(community=c, at=T0, category="safety.fire", source="hotline")
        assigned = b.issue_assigned(community=c, issue_id=reported.subject, grid_id="g-7",
                                    category="safety.fire", at=T0 + timedelta(minutes=3))
        resolved = b.issue_step("issue.resolved", community=c, issue_id=reported.subject,
                                at=T0 + timedelta(hours=5))
        sequence = [reported, assigned, resolved]
        await project(pool, *(reversed(sequence) if reverse else sequence))
    later = iso(T0 + timedelta(days=30))
    for params in ({"as_of": later}, {"as_of": iso(T0 + timedelta(minutes=1))},
                   {"as_of": iso(T0 + timedelta(hours=1)), "grid": "g-7"},
                   {"as_of": later, "source": "hotline"}):
        first, second = await summary(client, in_order, **params), \
            await summary(client, out_of_order, **params)
        first.pop("community"), second.pop("community")
        assert first == second, params
    full = await summary(client, out_of_order)
    assert (full["collected"], full["handled"], full["handling_rate"]) == (1, 1, 1.0)
    assert full["by_category"]["safety.fire"] == 1


async def test_handled_counts_resolved_and_closed_within_the_window(pool, client):
    c = b.tag()
    ids = []
    for hours in (0, 1, 2, 30):  # the last one is reported the next Shanghai day
        env = b.issue_reported(community=c, at=T0 + timedelta(hours=hours))
        ids.append(env.subject)
        await project(pool, env)
    await project(pool, b.issue_step("issue.resolved", community=c, issue_id=ids[0], at=T0 + timedelta(hours=3)),
                  b.issue_step("issue.closed", community=c, issue_id=ids[1], at=T0 + timedelta(hours=4)))
    day = await summary(client, c, **{"from": "2024-03-01", "to": "2024-03-02"})
    assert (day["collected"], day["handled"], day["handling_rate"]) == (3, 2, 0.667)
    assert day["from"].startswith("2024-03-01T00:00:00") and day["from"].endswith("+08:00")
    assert (await summary(client, c, **{"from": "2024-01-01", "to": "2024-01-02"}))[
        "handling_rate"] is None


async def test_unroutable_issues_are_counted_and_keep_counting_after_an_operator_assigns(pool, client):
    c = b.tag()
    reported = b.issue_reported(community=c, at=T0)
    await project(pool, reported,
                  b.issue_unroutable(community=c, issue_id=reported.subject, at=T0 + timedelta(seconds=1)),
                  b.issue_assigned(community=c, issue_id=reported.subject, at=T0 + timedelta(hours=1)))
    waiting = await summary(client, c, as_of=iso(T0 + timedelta(minutes=30)))
    assert waiting["by_status"]["unroutable"] == 1 and waiting["unroutable"] == 1
    later = await summary(client, c)
    assert later["by_status"]["assigned"] == 1 and later["unroutable"] == 1


async def test_the_grid_filter_follows_the_grid_held_at_as_of(pool, client):
    c = b.tag()
    reported = b.issue_reported(community=c, at=T0)
    await project(pool, reported,
                  b.issue_assigned(community=c, issue_id=reported.subject, grid_id="g-a",
                                   at=T0 + timedelta(minutes=1)),
                  b.issue_assigned(community=c, issue_id=reported.subject, grid_id="g-b",
                                   at=T0 + timedelta(days=1)))
    early = iso(T0 + timedelta(hours=1))
    assert (await summary(client, c, grid="g-a", as_of=early))["collected"] == 1
    assert (await summary(client, c, grid="g-b", as_of=early))["collected"] == 0
    assert (await summary(client, c, grid="g-b"))["collected"] == 1


async def test_grids_show_figures_and_the_holders_configured_as_of(pool, client):
    c = b.tag()
    reported = b.issue_reported(community=c, at=T0)
    await project(pool,
                  b.grid_configured(community=c, grid_id="g-1", steward="s-old", at=T0 - timedelta(days=9)),
                  b.grid_configured(community=c, grid_id="g-1", steward="s-new", at=T0 + timedelta(days=1)),
                  b.grid_configured(community=c, grid_id="g-2", at=T0 - timedelta(days=9)),
                  reported,
                  b.issue_assigned(community=c, issue_id=reported.subject, grid_id="g-1",
                                   steward_id="s-old", at=T0 + timedelta(minutes=2)),
                  b.issue_step("issue.resolved", community=c, issue_id=reported.subject,
                               by="s-old", at=T0 + timedelta(hours=2)))
    res = await client.get("/v1/stats/grids", params={"as_of": iso(T0 + timedelta(hours=3))},
                           headers=bearer(c))
    assert res.status_code == 200, res.text
    grids = {g["grid_id"]: g for g in res.json()["grids"]}
    assert set(grids) == {"g-1", "g-2"}
    g1, g2 = grids["g-1"], grids["g-2"]
    assert (g1["figures"]["collected"], g1["figures"]["handled"], g1["holders"]["steward"]) == \
        (1, 1, "s-old")
    assert (g2["figures"]["collected"], g2["figures"]["handling_rate"]) == (0, None)
    now = await client.get("/v1/stats/grids", headers=bearer(c))
    g1_now = {g["grid_id"]: g for g in now.json()["grids"]}["g-1"]
    assert g1_now["holders"]["steward"] == "s-new"
    # The work stays with whoever did it, whoever holds the grid now.
    assert {p["person"]: p["done"] for p in g1_now["staff"]} == {"s-old": 1, "r-01": 0}


async def test_timeseries_counts_by_shanghai_day(pool, client):
    c = b.tag()
    late_evening_utc = datetime(2024, 3, 1, 17, 0, tzinfo=timezone.utc)  # 03-02 01:00 Shanghai
    first = b.issue_reported(community=c, at=T0)
    await project(pool, first, b.issue_reported(community=c, at=late_evening_utc),
                  b.issue_step("issue.resolved", community=c, issue_id=first.subject, at=late_evening_utc),
                  b.issue_step("issue.closed", community=c, issue_id=first.subject, at=late_evening_utc + timedelta(days=1)))
    res = await client.get("/v1/stats/timeseries", params={"from": "2024-02-29", "to": "2024-03-04"},
                           headers=bearer(c))
    assert res.status_code == 200, res.text
    days = {d["day"]: (d["collected"], d["handled"]) for d in res.json()["days"]}
    assert days == {"2024-02-29": (0, 0), "2024-03-01": (1, 0), "2024-03-02": (1, 1),
                    "2024-03-03": (0, 0)}


async def test_export_csv_of_the_summary_lists_every_figure(pool, client):
    c = b.tag()
    await project(pool, b.issue_reported(community=c, at=T0, category="dispute.neighbor"))
    res = await client.get("/v1/stats/export.csv", headers=bearer(c))
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("text/csv")
    lines = res.text.lstrip("\ufeff").splitlines()
    assert lines[0] == "figure,value"
    assert "collected,1" in lines and "by_category.dispute.neighbor,1" in lines
    assert "handling_rate,0.0" in lines and "satisfaction," in lines


async def test_a_non_operator_gets_403_and_no_figures(pool, client):
    c = b.tag()
    await project(pool, b.issue_reported(community=c, at=T0))
    for role in ("resident", "steward", "repairer"):
        res = await client.get("/v1/stats/summary", headers=bearer(c, role=role))
        assert res.status_code == 403
        assert "collected" not in res.text


async def test_out_of_range_moments_and_nul_filters_are_422_on_real_postgres(pool, client):
    c = b.tag()
    await project(pool, b.issue_reported(community=c, at=T0))
    for path, params, field in [
        ("/v1/stats/timeseries", {"from": "0001-01-01", "to": "0001-01-02"}, "query.from"),
        ("/v1/stats/summary", {"as_of": "9999-12-31T23:59:59-14:00"}, "query.as_of"),
        ("/v1/stats/grids", {"grid": "g-1\x00"}, "query.grid"),
        ("/v1/stats/summary", {"category": "repair.pipe\x00"}, "query.category"),
        ("/v1/stats/export.csv", {"source": "app\x00"}, "query.source"),
    ]:
        res = await client.get(path, params={"community": c, **params}, headers=bearer(c))
        assert res.status_code == 422, (path, params, res.text)
        assert list(res.json()["error"]["fields"]) == [field]
    assert (await summary(client, c, as_of="2999-12-31T23:59:59Z"))["collected"] == 1
