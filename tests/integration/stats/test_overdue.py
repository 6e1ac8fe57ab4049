"""`/v1/stats/overdue`: open issues past a deadline, most overdue first, per community."""

from datetime import datetime, timedelta, timezone

from redgrid_shared import events
from tests.integration.stats.conftest import bearer, project

T0 = datetime(2026, 10, 5, 1, 0, tzinfo=timezone.utc)
COMMUNITY, NEIGHBOUR = "overdue-a", "overdue-b"


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def history(community: str, issue_id: str, *, steward: str, late_at: float,
            signed_at: float | None = None) -> list[events.Envelope]:
    """Reported and assigned at T0; the sign-off deadline (30 min) missed at `late_at`."""
    due = at(30)
    out = [
        events.envelope(events.IssueReported(
            issue_id=issue_id, community=community, reporter_id="u-1", reported_by="u-1",
            category="repair.seepage", description="渗水", building="b-01"),
            service="intake", subject=issue_id, time=at(0)),
        events.envelope(events.IssueAssigned(
            issue_id=issue_id, community=community, grid_id="g-01", steward_id=steward,
            repairer_id="r-01", category="repair.seepage", urgent=True, signoff_due_at=due,
            completion_limit_minutes=1440), service="dispatch", subject=issue_id, time=at(0)),
        events.envelope(events.IssueOverdue(
            issue_id=issue_id, community=community, grid_id="g-01", status="assigned",
            by="clock", deadline="signoff", due_at=at(late_at)),
            service="dispatch", subject=issue_id, time=at(late_at)),
    ]
    if signed_at is not None:
        out.append(events.envelope(events.IssueAccepted(
            issue_id=issue_id, community=community, grid_id="g-01", by=steward,
            signoff_due_at=due, on_time=False, completion_due_at=at(signed_at + 1440)),
            service="dispatch", subject=issue_id, time=at(signed_at)))
    return out


async def test_the_overdue_list_is_the_open_late_issues_most_overdue_first(pool, client):
    await project(pool, *history(COMMUNITY, "iss-late-2", steward="s-01", late_at=40),
                  *history(COMMUNITY, "iss-late-1", steward="s-02", late_at=30),
                  *history(COMMUNITY, "iss-signed", steward="s-01", late_at=30, signed_at=60),
                  # the neighbour's issue has the same steward id and would come first
                  *history(NEIGHBOUR, "iss-late-0", steward="s-01", late_at=31))
    body = (await client.get("/v1/stats/overdue", params={"as_of": at(120).isoformat()},
                             headers=bearer(COMMUNITY))).json()
    assert [i["issue_id"] for i in body["issues"]] == ["iss-late-1", "iss-late-2"]
    assert body["total"] == 2
    first = body["issues"][0]
    assert (first["deadline"], first["steward"], first["grid_id"]) == ("signoff", "s-02", "g-01")
    assert first["due_at"] == "2026-10-05T01:30:00Z"


async def test_as_of_staff_and_limit_narrow_it(pool, client):
    await project(pool, *history(COMMUNITY, "iss-late-3", steward="s-03", late_at=50))
    ask = lambda **q: client.get("/v1/stats/overdue", headers=bearer(COMMUNITY), params=q)
    before = (await ask(as_of=at(45).isoformat())).json()
    assert [i["issue_id"] for i in before["issues"]] == ["iss-late-1", "iss-signed", "iss-late-2"]
    mine = (await ask(as_of=at(120).isoformat(), staff="s-03")).json()
    assert [i["issue_id"] for i in mine["issues"]] == ["iss-late-3"]
    cut = (await ask(as_of=at(120).isoformat(), limit=1)).json()
    assert cut["total"] == 3 and len(cut["issues"]) == 1


async def test_only_the_desk_of_the_community_reads_it(client):
    assert (await client.get("/v1/stats/overdue",
                             headers=bearer(COMMUNITY, "steward"))).status_code == 403
    assert (await client.get("/v1/stats/overdue", params={"community": NEIGHBOUR},
                             headers=bearer(COMMUNITY))).status_code == 403
