"""The dashboard page and its assets ship with the service: nothing comes from the internet."""

import re

import httpx
import pytest

from redgrid_shared.catalog import CATEGORIES
from stats.dashboard import ASSETS
from stats.main import create_app
from stats.settings import Settings


@pytest.fixture
def app():
    return create_app(Settings(jwt_secret="unit-secret-at-least-thirty-two-bytes"))


async def get(app, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        return await c.get(path)


async def test_the_page_loads_only_its_own_assets(app):
    page = await get(app, "/dashboard")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    loaded = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert loaded and all(url.startswith(("/dashboard/assets/", "data:")) for url in loaded)
    for url in loaded:
        if url.startswith("/"):
            assert (await get(app, url)).status_code == 200, url


async def test_every_asset_is_served_with_its_type_and_no_internet_address(app):
    for name in ASSETS:
        res = await get(app, f"/dashboard/assets/{name}")
        assert res.status_code == 200, name
        assert res.headers["content-type"].startswith(("text/javascript", "text/css"))
        if "vendor/" not in name:  # our own code calls only this service
            assert not re.search(r"https?://", res.text), name


async def test_nothing_else_under_static_is_served(app):
    for path in ("dashboard.html", "vendor/echarts/LICENSE", "../dashboard.py", "nope.js"):
        assert (await get(app, f"/dashboard/assets/{path}")).status_code == 404, path


async def test_category_labels_come_from_the_catalogue(app):
    labels = (await get(app, "/dashboard/categories.json")).json()
    assert [c["code"] for c in labels] == list(CATEGORIES)
    paid = labels[0]
    assert (paid["label_zh"], paid["label_en"]) == ("有偿维修 (业主户内)", "Paid in-home repair")


def test_echarts_ships_with_its_licence():
    from importlib import resources
    vendor = resources.files("stats") / "static" / "vendor" / "echarts"
    assert "Apache License" in (vendor / "LICENSE").read_text()
    assert "Apache Software Foundation" in (vendor / "echarts.min.js").read_text()[:500]
