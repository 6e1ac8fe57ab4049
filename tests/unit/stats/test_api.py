import httpx
import pytest

from redgrid_shared.auth import mint_token
from stats.main import create_app
from stats.settings import Settings

SECRET = "unit-secret-at-least-thirty-two-bytes"


@pytest.fixture
def app():
    # No lifespan runs under ASGITransport: these routes must answer before touching the pool.
    return create_app(Settings(jwt_secret=SECRET))


def _auth(role: str, community: str = "erqiaoxi") -> dict:
    token = mint_token(secret=SECRET, sub="p-1", role=role, community=community)
    return {"Authorization": f"Bearer {token}"}


async def _get(app, path: str, **kwargs) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        return await c.get(path, **kwargs)


@pytest.mark.parametrize("path", ["/v1/stats/summary", "/v1/stats/grids", "/v1/stats/staff",
                                  "/v1/stats/timeseries", "/v1/stats/meetings",
                                  "/v1/stats/campaigns", "/v1/stats/export.csv",
                                  "/v1/stats/rebuild/progress"])
async def test_a_resident_is_forbidden_every_stats_route(app, path):
    res = await _get(app, path, headers=_auth("resident"))
    assert res.status_code == 403
    assert res.json()["error"]["code"] == "forbidden"


async def test_stats_without_a_token_is_401(app):
    assert (await _get(app, "/v1/stats/summary")).status_code == 401


async def test_an_operator_asking_for_another_community_is_403(app):
    res = await _get(app, "/v1/stats/summary?community=elsewhere", headers=_auth("operator"))
    assert res.status_code == 403


async def test_a_bad_date_is_422_naming_the_query_field(app):
    res = await _get(app, "/v1/stats/summary?to=yesterday", headers=_auth("operator"))
    assert res.status_code == 422
    assert list(res.json()["error"]["fields"]) == ["query.to"]


async def test_from_after_to_is_422(app):
    res = await _get(app, "/v1/stats/summary?from=2024-03-02&to=2024-03-01",
                     headers=_auth("admin"))
    assert res.status_code == 422
    assert "query.from" in res.json()["error"]["fields"]


@pytest.mark.parametrize(("query", "field"), [
    ("/v1/stats/timeseries?from=0001-01-01&to=0001-01-02", "query.from"),
    ("/v1/stats/summary?as_of=9999-12-31T23:59:59-14:00", "query.as_of"),
    ("/v1/stats/grids?grid=g-1%00", "query.grid"),
    ("/v1/stats/summary?category=repair.pipe%00", "query.category"),
    ("/v1/stats/export.csv?source=app%00", "query.source"),
])
async def test_out_of_range_moments_and_malformed_filters_are_422_not_500(app, query, field):
    res = await _get(app, query, headers=_auth("operator"))
    assert res.status_code == 422
    assert list(res.json()["error"]["fields"]) == [field]


@pytest.mark.parametrize("role", ["operator", "steward", "resident"])
async def test_only_an_admin_may_rebuild_or_watch_a_rebuild(app, role):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        started = await c.post("/v1/stats/rebuild", headers=_auth(role))
        watched = await c.get("/v1/stats/rebuild/progress", headers=_auth(role))
    assert (started.status_code, watched.status_code) == (403, 403)


async def test_a_communitys_own_admin_may_not_rebuild_every_community(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        started = await c.post("/v1/stats/rebuild", headers=_auth("admin"))
        watched = await c.get("/v1/stats/rebuild/progress", headers=_auth("admin"))
    assert (started.status_code, watched.status_code) == (403, 403)
    assert "operations community" in started.json()["error"]["message"]


async def test_the_rebuild_progress_starts_idle(app):
    res = await _get(app, "/v1/stats/rebuild/progress", headers=_auth("admin", "ops"))
    assert res.status_code == 200 and res.json()["state"] == "idle"


@pytest.mark.parametrize(("query", "field"), [
    ("/v1/stats/staff?staff=s-1,bad%20id", "query.staff"),
    ("/v1/stats/export.csv?view=everything", "query.view"),
    ("/v1/stats/meetings?category=repair.pipe&category=nope", "query.category"),
])
async def test_bad_values_of_the_query_language_are_422_naming_the_field(app, query, field):
    res = await _get(app, query, headers=_auth("operator"))
    assert res.status_code == 422 and field in res.json()["error"]["fields"]
