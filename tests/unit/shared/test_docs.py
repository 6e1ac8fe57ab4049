"""/docs works with no internet: every service's page and assets come from the service."""

import re

import httpx
import pytest

from dispatch.main import create_app as dispatch_app
from intake.main import create_app as intake_app
from stats.main import create_app as stats_app


@pytest.mark.parametrize("factory", [intake_app, dispatch_app, stats_app],
                         ids=["intake", "dispatch", "stats"])
async def test_the_api_docs_reference_no_external_host_and_their_assets_are_served(factory):
    app = factory()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://svc") as client:
        page = await client.get("/docs")
        assert page.status_code == 200
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]", page.text, re.I), page.text
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert {a.rsplit("/", 1)[-1] for a in assets} >= {"swagger-ui-bundle.js",
                                                          "swagger-ui.css"}
        for asset in assets:
            assert asset.startswith("/"), asset
            assert (await client.get(asset)).status_code == 200, asset
        assert (await client.get("/redoc")).status_code == 404  # it would need a CDN
        assert (await client.get("/openapi.json")).status_code == 200
