"""Every view on real PostgreSQL: attribution by event time, meetings, campaigns, the series,
CSV of every view, and no figure of a neighbour community ever shown."""

from datetime import date, datetime, timedelta, timezone

import pytest

from tests.integration.stats import builders as b
from tests.integration.stats.conftest import bearer, project

T0 = datetime(2024, 5, 1, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai
VIEWS = ("summary", "grids", "staff", "timeseries", "meetings", "campaigns", "overdue")
PARAMS = {"from": "2024-05-01", "to": "2024-06-01", "as_of": "2024-06-01"}


async def get(client, path: str, community: str, **params) -> dict:
    res = await client.get(f"/v1/stats/{path}", params={**PARAMS, **params},
                           headers=bearer(community))
    assert res.status_code == 200, res.text
    return res.json()


def handled_issue(c: str, *, at: datetime, grid: str, steward: str, repairer: str,
                  category: str = "repair.pipe", **resolved) -> list:
    rep = b.issue_reported(community=c, at=at, category=category)
    i = rep.subject
    return [rep,
            b.issue_assigned(community=c, issue_id=i, grid_id=grid, steward_id=steward,
                             repairer_id=repairer, category=category,
                             at=at + timedelta(minutes=1)),
            b.issue_step("issue.accepted", community=c, issue_id=i, grid_id=grid, by=steward,
                         at=at + timedelta(minutes=20)),
            b.issue_step("issue.resolved", community=c, issue_id=i, grid_id=grid, by=repairer,
                         on_time=True, at=at + timedelta(hours=5), **resolved)]


async def community_with_a_handover(pool, c: str) -> list:
    """g-1 held by s-01/r-01, then handed to s-02/r-01; one issue before, one after; an open
    issue of s-02's; a meeting deciding on the first; a campaign with both handled ones."""
    before = handled_issue(c, at=T0, grid="g-1", steward="s-01", repairer="r-01",
                           amount_charged="80")
    after = handled_issue(c, at=T0 + timedelta(days=3), grid="g-1", steward="s-02",
                          repairer="r-01")
    waiting = b.issue_reported(community=c, at=T0 + timedelta(days=4), category="safety.fire")
    envs = [b.grid_configured(community=c, grid_id="g-1", steward="s-01", at=T0 - timedelta(days=30)),
            *before,
            b.grid_configured(community=c, grid_id="g-1", steward="s-02", at=T0 + timedelta(days=1)),
            *after, waiting,
            b.issue_assigned(community=c, issue_id=waiting.subject, grid_id="g-1",
                             steward_id="s-02", repairer_id="r-01", category="safety.fire",
                             at=T0 + timedelta(days=4, minutes=1)),
            b.issue_step("issue.escalated", community=c, issue_id=waiting.subject, by="s-02",
                         meeting_date=date(2024, 5, 14), cause="steward",
                         at=T0 + timedelta(days=5)),
            b.resident("issue.rated", community=c, issue_id=before[0].subject, score=4,
                       at=T0 + timedelta(days=2)),
            b.meeting_held(community=c, on=date(2024, 5, 4), at=T0 + timedelta(days=3, hours=2),
                           decisions=[(before[0].subject, "resolved"),
                                      (after[0].subject, "carried")]),
            *b.campaign(community=c, campaign_id="fire-1", at=T0,
                        issue_ids=[before[0].subject, waiting.subject],
                        starts_on=date(2024, 5, 1), ends_on=date(2024, 5, 31))]
    await project(pool, *envs)
    return envs


async def test_work_is_credited_to_whoever_held_the_grid_when_it_happened(pool, client):
    c = b.tag()
    await community_with_a_handover(pool, c)
    [g1] = (await get(client, "grids", c))["grids"]
    assert g1["holders"] == {"steward": "s-02", "repairer": "r-01"}
    staff = {p["person"]: p for p in g1["staff"]}
    assert (staff["s-01"]["signoffs"], staff["s-01"]["open"]) == (1, 0)
    assert (staff["s-02"]["signoffs"], staff["s-02"]["open"]) == (1, 1)
    assert staff["r-01"]["done"] == 2 and staff["r-01"]["done_on_time"] == 2
    people = {p["person"]: p for p in (await get(client, "staff", c))["staff"]}
    assert people["s-01"]["assignments"] == 1 and people["s-02"]["assignments"] == 2
    assert people["s-01"]["grids"] == ["g-1"] and people["s-01"]["satisfaction"] == 4.0
    # staff= narrows every event figure to the work credited to those people
    mine = await get(client, "summary", c, staff="s-01")
    assert (mine["signoffs"], mine["assignments"], mine["ratings"]) == (1, 1, 1)


async def test_the_summary_has_every_figure(pool, client):
    c = b.tag()
    await community_with_a_handover(pool, c)
    s = await get(client, "summary", c)
    assert (s["collected"], s["handled"], s["handling_rate"]) == (3, 2, 0.667)
    assert s["by_status"]["escalated"] == 1 and s["by_category"]["safety.fire"] == 1
    assert (s["signoffs"], s["on_time_signoffs"], s["on_time_signoff_rate"]) == (2, 2, 1.0)
    assert (s["completions"], s["on_time_completion_rate"]) == (2, 1.0)
    assert (s["paid_repairs"], s["income"]) == (1, 80.0)
    assert (s["ratings"], s["satisfaction"], s["escalations"]) == (1, 4.0, 1)
    assert (s["meetings_held"], s["issues_decided"]) == (1, 2)
    assert s["decisions"] == {"resolved": 1, "assigned": 0, "referred": 0, "carried": 1}
    assert (s["return_rate"], s["reopen_rate"], s["overdue_now"]) == (0.0, 0.0, 0)
    # as_of before the second issue: what a meeting on 05-04 morning saw
    early = await get(client, "summary", c, as_of="2024-05-04")
    assert (early["collected"], early["handled"], early["meetings_held"]) == (1, 1, 0)


async def test_meetings_list_decisions_and_the_next_agenda(pool, client):
    c = b.tag()
    await community_with_a_handover(pool, c)
    m = await get(client, "meetings", c, as_of="2024-05-10")
    assert [x["meeting_date"] for x in m["meetings"]] == ["2024-05-04"]
    assert m["meetings"][0]["by_decision"]["carried"] == 1 and m["meetings"][0]["attendees"] == 3
    assert m["upcoming"] == [{"meeting_date": "2024-05-14", "agenda": 1}]


async def test_campaigns_count_their_issues_as_of(pool, client):
    c = b.tag()
    await community_with_a_handover(pool, c)
    [fire] = (await get(client, "campaigns", c))["campaigns"]
    assert (fire["campaign_id"], fire["issues"], fire["handled"]) == ("fire-1", 2, 1)
    assert fire["by_category"] == {"repair.pipe": 1, "safety.fire": 1}
    [early] = (await get(client, "campaigns", c, as_of="2024-05-01T12:00:00"))["campaigns"]
    assert (early["issues"], early["handled"]) == (1, 0)


async def test_the_series_has_every_event_figure_per_day(pool, client):
    c = b.tag()
    await community_with_a_handover(pool, c)
    days = {d["day"]: d for d in (await get(client, "timeseries", c))["days"]}
    assert len(days) == 31
    assert (days["2024-05-01"]["collected"], days["2024-05-01"]["signoffs"],
            days["2024-05-01"]["handled"], days["2024-05-01"]["income"]) == (1, 1, 1, 80.0)
    assert days["2024-05-04"]["meetings_held"] == 1 and days["2024-05-04"]["issues_decided"] == 2


async def test_an_issue_is_overdue_from_its_deadline_until_signed_off(pool, client):
    c = b.tag()
    rep = b.issue_reported(community=c, at=T0, category="safety.fire")
    i = rep.subject
    await project(pool, rep,
                  b.issue_assigned(community=c, issue_id=i, grid_id="g-2", steward_id="s-07",
                                   repairer_id="r-07", at=T0 + timedelta(minutes=1)),
                  b.issue_step("issue.overdue", community=c, issue_id=i, grid_id="g-2",
                               by="clock", at=T0 + timedelta(minutes=31)),
                  b.issue_step("issue.escalated", community=c, issue_id=i, grid_id="g-2",
                               by="clock", at=T0 + timedelta(minutes=31)),
                  b.issue_step("issue.accepted", community=c, issue_id=i, grid_id="g-2",
                               by="s-07", on_time=False, at=T0 + timedelta(hours=3)))
    late = {"as_of": (T0 + timedelta(hours=1)).isoformat()}
    [listed] = (await get(client, "overdue", c, **late))["issues"]
    assert (listed["issue_id"], listed["status"], listed["steward"]) == (i, "escalated", "s-07")
    assert (await get(client, "summary", c, **late))["overdue_now"] == 1
    assert (await get(client, "overdue", c, **late, staff="s-99"))["issues"] == []
    people = {p["person"]: p for p in (await get(client, "staff", c, **late))["staff"]}
    assert people["s-07"]["overdue_now"] == 1 and people["s-07"]["open"] == 1
    assert (await get(client, "overdue", c))["issues"] == []
    after = await get(client, "summary", c)
    assert (after["overdue_now"], after["overdue_events"], after["on_time_signoff_rate"]) == \
        (0, 1, 0.0)


@pytest.mark.parametrize("view", VIEWS)
async def test_every_view_exports_as_csv(pool, client, view):
    c = b.tag()
    await community_with_a_handover(pool, c)
    res = await client.get("/v1/stats/export.csv", params={**PARAMS, "view": view},
                           headers=bearer(c))
    assert res.status_code == 200, res.text
    lines = res.text.lstrip("\ufeff").splitlines()
    assert len(lines) >= (1 if view == "overdue" else 2) and lines[0].split(",")[0]
    assert f"-{view}-20240601.csv" in res.headers["content-disposition"]


@pytest.mark.parametrize("community", ["二桥西", 'quote"d', "line\r\nbreak"])
async def test_any_community_id_gives_a_valid_download(pool, client, community):
    await project(pool, b.issue_reported(community=community, at=T0))
    res = await client.get("/v1/stats/export.csv", headers=bearer(community))
    assert res.status_code == 200, res.text
    header = res.headers["content-disposition"]
    assert header.startswith('attachment; filename="') and "filename*=UTF-8''" in header
    from urllib.parse import unquote
    assert unquote(header.split("filename*=UTF-8''")[1]).startswith(f"stats-{community}-summary-")


async def test_a_bad_view_is_422_naming_it(client):
    res = await client.get("/v1/stats/export.csv", params={"view": "nope"},
                           headers=bearer(b.tag()))
    assert res.status_code == 422 and "query.view" in res.json()["error"]["fields"]


async def test_a_neighbour_and_the_same_person_id_there_never_show(pool, client):
    mine, theirs = b.tag(), b.tag()
    await community_with_a_handover(pool, mine)
    await community_with_a_handover(pool, theirs)
    # The neighbour's s-01 (same id) does more work there; none of it may show here.
    await project(pool, *handled_issue(theirs, at=T0 + timedelta(days=2), grid="g-1",
                                       steward="s-01", repairer="r-01"))
    for view in VIEWS:
        body = await get(client, view, mine)
        assert theirs not in str(body)
        assert body["community"] == mine
    people = {p["person"]: p for p in (await get(client, "staff", mine))["staff"]}
    assert people["s-01"]["signoffs"] == 1
    neighbour = {p["person"]: p for p in (await get(client, "staff", theirs))["staff"]}
    assert neighbour["s-01"]["signoffs"] == 2
    for view in VIEWS:
        res = await client.get(f"/v1/stats/{view}", params={"community": theirs},
                               headers=bearer(mine))
        assert res.status_code == 403 and "collected" not in res.text
        for role in ("resident", "steward", "repairer"):
            res = await client.get(f"/v1/stats/{view}", headers=bearer(mine, role=role))
            assert res.status_code == 403
    res = await client.get("/v1/stats/export.csv", params={"community": theirs, "view": "staff"},
                           headers=bearer(mine))
    assert res.status_code == 403
