"""The series' day-end states: each day's by_status, open and overdue equal the summary
"as of" that day's last instant, with the same filters, and never count a neighbour's issues."""

from datetime import datetime, timedelta, timezone

from tests.integration.stats import builders as b
from tests.integration.stats.conftest import bearer, project

T0 = datetime(2024, 5, 1, 2, 0, tzinfo=timezone.utc)  # 2024-05-01 10:00 in Shanghai
DAY_ENDS = {"2024-05-01": "2024-05-01T23:59:59.999999+08:00",
            "2024-05-02": "2024-05-02T23:59:59.999999+08:00",
            "2024-05-03": "2024-05-03T23:59:59.999999+08:00"}


async def get(client, path: str, community: str, **params) -> dict:
    res = await client.get(f"/v1/stats/{path}", params=params, headers=bearer(community))
    assert res.status_code == 200, res.text
    return res.json()


def assigned_issue(c: str, *, at: datetime, grid: str = "g-1") -> list:
    rep = b.issue_reported(community=c, at=at)
    return [rep, b.issue_assigned(community=c, issue_id=rep.subject, grid_id=grid,
                                  at=at + timedelta(minutes=1))]


async def three_days(pool, c: str) -> None:
    """Day 1: one issue signed off. Day 2: it is resolved; a second one goes overdue.
    Day 3 at midnight sharp: a third one is reported (it belongs to day 3, not day 2)."""
    first, second = assigned_issue(c, at=T0), assigned_issue(c, at=T0 + timedelta(days=1))
    i1, i2 = first[0].subject, second[0].subject
    await project(pool, *first,
                  b.issue_step("issue.accepted", community=c, issue_id=i1,
                               at=T0 + timedelta(minutes=20)),
                  b.issue_step("issue.resolved", community=c, issue_id=i1, on_time=True,
                               at=T0 + timedelta(days=1, hours=1)),
                  *second,
                  b.issue_step("issue.overdue", community=c, issue_id=i2, by="clock",
                               at=T0 + timedelta(days=1, hours=3)),
                  b.issue_reported(community=c, at=datetime(2024, 5, 2, 16, 0,
                                                            tzinfo=timezone.utc)))


async def test_each_day_holds_the_states_of_the_summary_as_of_its_end(pool, client):
    c, neighbour = b.tag(), b.tag()
    await three_days(pool, c)
    # Same grid id, same people, more issues, some overdue: none of it may show in c.
    for k in range(3):
        envs = assigned_issue(neighbour, at=T0 + timedelta(hours=k))
        await project(pool, *envs, b.issue_step("issue.overdue", community=neighbour,
                                                issue_id=envs[0].subject, by="clock",
                                                at=T0 + timedelta(hours=k + 3)))
    for filters in ({}, {"grid": "g-1"}, {"category": "repair.pipe", "staff": "s-01"}):
        series = await get(client, "timeseries", c, **{"from": "2024-05-01", "to": "2024-05-04",
                                                       "as_of": "2024-06-01"}, **filters)
        days = {d["day"]: d for d in series["days"]}
        assert list(days) == list(DAY_ENDS)
        for day, end in DAY_ENDS.items():
            summary = await get(client, "summary", c, as_of=end, **filters)
            assert days[day]["by_status"] == summary["by_status"], (filters, day)
            assert days[day]["overdue_now"] == summary["overdue_now"], (filters, day)
    days = {d["day"]: d for d in (await get(client, "timeseries", c, **{
        "from": "2024-05-01", "to": "2024-05-04", "as_of": "2024-06-01"}))["days"]}
    counted = {d: {s: n for s, n in days[d]["by_status"].items() if n} for d in DAY_ENDS}
    assert counted == {"2024-05-01": {"accepted": 1},
                       "2024-05-02": {"assigned": 1, "resolved": 1},
                       "2024-05-03": {"reported": 1, "assigned": 1, "resolved": 1}}
    assert [(days[d]["open"], days[d]["overdue_now"]) for d in DAY_ENDS] == [(1, 0), (1, 1),
                                                                             (2, 1)]
    theirs = {d["day"]: d for d in (await get(client, "timeseries", neighbour, **{
        "from": "2024-05-01", "to": "2024-05-04", "as_of": "2024-06-01"}))["days"]}
    assert [(theirs[d]["by_status"]["assigned"], theirs[d]["overdue_now"])
            for d in DAY_ENDS] == [(3, 3)] * 3


async def test_a_day_after_as_of_reads_as_of_as_of(pool, client):
    c = b.tag()
    await three_days(pool, c)
    as_of = "2024-05-02T12:00:00+08:00"  # i1 resolved at 11:00, i2 not yet overdue (13:00)
    days = {d["day"]: d for d in (await get(client, "timeseries", c, **{
        "from": "2024-05-01", "to": "2024-05-04", "as_of": as_of}))["days"]}
    summary = await get(client, "summary", c, as_of=as_of)
    assert days["2024-05-02"]["by_status"] == days["2024-05-03"]["by_status"] \
        == summary["by_status"]
    assert (days["2024-05-03"]["by_status"]["resolved"], days["2024-05-03"]["open"]) == (1, 1)


async def test_the_series_csv_has_the_day_end_columns(pool, client):
    c = b.tag()
    await three_days(pool, c)
    res = await client.get("/v1/stats/export.csv", headers=bearer(c), params={
        "view": "timeseries", "from": "2024-05-01", "to": "2024-05-04", "as_of": "2024-06-01"})
    assert res.status_code == 200, res.text
    header, *lines = [line.split(",") for line in res.text.lstrip("\ufeff").splitlines()]
    rows = [dict(zip(header, line)) for line in lines]
    assert [(r["day"], r["by_status.resolved"], r["open"], r["overdue_now"]) for r in rows] == [
        ("2024-05-01", "0", "1", "0"), ("2024-05-02", "1", "1", "1"),
        ("2024-05-03", "1", "2", "1")]


async def test_changes_at_midnight_sharp_and_across_many_days_match_the_summary_each_day(
        pool, client):
    """The series adds up the state changes after its first day: each day must still equal
    the summary as of its end, for a change exactly at midnight and over two weeks."""
    c, neighbour = b.tag(), b.tag()
    midnight = datetime(2024, 5, 2, 16, 0, tzinfo=timezone.utc)  # 2024-05-03 00:00 Shanghai
    envs = []
    for k in range(6):
        envs += assigned_issue(c, at=T0 + timedelta(days=k, hours=k))
        envs += assigned_issue(neighbour, at=T0 + timedelta(days=k, hours=k))
    ids = [e.subject for e in envs[::2] if e.data["community"] == c]
    envs += [b.issue_step("issue.accepted", community=c, issue_id=ids[0], at=midnight),
             b.issue_step("issue.overdue", community=c, issue_id=ids[1], by="clock",
                          at=midnight),
             b.issue_step("issue.accepted", community=c, issue_id=ids[1],
                          at=midnight + timedelta(days=3)),
             b.issue_step("issue.resolved", community=c, issue_id=ids[0], on_time=True,
                          at=midnight + timedelta(days=4, hours=5)),
             b.issue_step("issue.resolved", community=c, issue_id=ids[2], on_time=False,
                          at=midnight + timedelta(days=9))]
    await project(pool, *envs)
    for filters in ({}, {"staff": "s-01"}, {"grid": "g-1", "category": "repair.pipe"}):
        series = await get(client, "timeseries", c, **{"from": "2024-04-30", "to": "2024-05-16",
                                                       "as_of": "2024-05-12T08:00:00+08:00"},
                           **filters)
        assert len(series["days"]) == 16
        for day in series["days"]:
            end = min(datetime.fromisoformat(f"{day['day']}T23:59:59.999999+08:00"),
                      datetime.fromisoformat("2024-05-12T08:00:00+08:00"))
            summary = await get(client, "summary", c, as_of=end.isoformat(), **filters)
            assert day["by_status"] == summary["by_status"], (filters, day["day"])
            assert day["overdue_now"] == summary["overdue_now"], (filters, day["day"])
    days = {d["day"]: d for d in series["days"]}
    assert days["2024-05-02"]["by_status"]["accepted"] == 0  # midnight belongs to the 3rd
    assert days["2024-05-03"]["by_status"]["accepted"] == 1
    assert days["2024-05-03"]["overdue_now"] == 1
