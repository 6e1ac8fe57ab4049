"""Meetings, campaigns and availability routes without a database: roles come first."""

import httpx
import pytest

from redgrid_shared.auth import mint_token

from dispatch.main import create_app
from dispatch.settings import Settings

SECRET = "dispatch-unit-test-secret-of-32-bytes"


@pytest.fixture(scope="module")
def app():
    return create_app(Settings(jwt_secret=SECRET))


@pytest.fixture
async def client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://dispatch") as c:
        yield c


def auth(role: str, sub: str = "x-01") -> dict:
    return {"Authorization": f"Bearer {mint_token(secret=SECRET, sub=sub, role=role, community='erqiaoxi')}"}


@pytest.mark.parametrize(("method", "path"), [
    ("post", "/v1/meetings/2026-06-14/minutes"), ("post", "/v1/campaigns"),
    ("post", "/v1/campaigns/cmp-1/issues"), ("post", "/v1/campaigns/cmp-1/close")])
@pytest.mark.parametrize("role", ["resident", "steward", "repairer"])
async def test_only_the_desk_may_write_meetings_and_campaigns_even_with_a_bad_body(
        client, method, path, role):
    response = await getattr(client, method)(path, json={"junk": 1}, headers=auth(role))
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/v1/meetings/next", "/v1/meetings/2026-06-14",
                                  "/v1/campaigns", "/v1/grids/g-01/history"])
async def test_residents_read_no_meetings_campaigns_or_history(client, path):
    assert (await client.get(path, headers=auth("resident"))).status_code == 403


async def test_availability_of_someone_else_is_refused_before_the_body(client):
    response = await client.put("/v1/staff/s-03/availability", json={"junk": 1},
                                headers=auth("operator"))
    assert response.status_code == 403


async def test_a_malformed_campaign_id_names_the_path(client):
    response = await client.get("/v1/campaigns/cmp-x", headers=auth("operator"))
    assert response.status_code == 422 and "path.campaign_id" in response.json()["error"]["fields"]


def test_every_new_route_has_a_summary_description_and_examples(app):
    spec = app.openapi()
    for path in ("/v1/meetings/next", "/v1/meetings/{meeting_date}",
                 "/v1/meetings/{meeting_date}/minutes", "/v1/campaigns",
                 "/v1/campaigns/{campaign_id}", "/v1/campaigns/{campaign_id}/issues",
                 "/v1/campaigns/{campaign_id}/close", "/v1/staff/{staff_id}/availability",
                 "/v1/grids/{grid_id}/history"):
        for operation in spec["paths"][path].values():
            assert operation["summary"] and operation["description"], path
    schemas = spec["components"]["schemas"]
    for name in ("RecordMinutes", "MeetingView", "NextMeeting", "OpenCampaign", "AddIssues",
                 "CloseCampaign", "CampaignView", "ChangeAvailability", "AvailabilityView",
                 "GridHistory"):
        assert schemas[name].get("examples"), name
