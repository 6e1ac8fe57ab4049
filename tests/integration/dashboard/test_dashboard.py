"""The dashboard in headless Chromium: charts drawn, figures equal the API's, no console errors."""

from datetime import datetime
from zoneinfo import ZoneInfo

import httpx

from redgrid_shared.catalog import CATEGORIES
from tests.integration.dashboard.conftest import operator_token

TZ = ZoneInfo("Asia/Shanghai")
CHARTS = ("chart-category", "chart-trend", "chart-grid", "chart-person", "chart-ontime",
          "chart-satisfaction", "chart-campaigns", "chart-meetings")
REPAIRS = [c for c in CATEGORIES if c.startswith("repair.")]


def month_start(months_back: int = 0) -> str:
    today = datetime.now(TZ).date()
    y, m = divmod(today.year * 12 + today.month - 1 - months_back, 12)
    return f"{y:04d}-{m + 1:02d}-01"


def shown(kind: str, value) -> str:
    """The page's formatting of a figure (dashboard.js `fmt`)."""
    if value is None:
        return "—"
    return {"count": lambda v: str(v), "rate": lambda v: f"{v * 100:.1f}%",
            "score": lambda v: f"{v:.2f}", "money": lambda v: f"¥{v:.2f}"}[kind](value)


async def api_figures(base: str) -> dict:
    """What each data-figure of the page should show, asked of the API directly."""
    headers = {"Authorization": f"Bearer {operator_token()}"}
    year = {"from": month_start(12), "to": month_start()}
    async with httpx.AsyncClient(base_url=base, headers=headers) as c:
        summary = (await c.get("/v1/stats/summary", params={"from": month_start(12)})).json()
        meetings = (await c.get("/v1/stats/meetings", params={"from": month_start(12)})).json()
        whole = (await c.get("/v1/stats/summary", params=year)).json()
        at_meetings = (await c.get("/v1/stats/summary",
                                   params={**year, "source": "meeting"})).json()
        campaigns = (await c.get("/v1/stats/campaigns", params=year)).json()["campaigns"]
        overdue = (await c.get("/v1/stats/overdue")).json()
    figures = {f"summary.{k}": v for k, v in summary.items()}
    figures["overdue.count"] = len(overdue["issues"])
    figures["overdue.issues"] = [i["issue_id"] for i in overdue["issues"]]
    upcoming = meetings.get("upcoming") or [{"agenda": 0}]
    figures["meetings.upcoming.0.agenda"] = upcoming[0]["agenda"]
    figures["year.meetings_held"] = whole["meetings_held"]
    figures["meeting.collected"] = at_meetings["collected"]
    figures["meeting.handled"] = at_meetings["handled"]
    figures["year.repairs"] = sum(whole["by_category"][k] for k in REPAIRS)
    figures.update({f"year.by_category.{k}": whole["by_category"][k] for k in REPAIRS})
    in_campaigns = lambda codes: sum(x["handled"] for x in campaigns
                                     if set(x["categories"]) & set(codes))
    figures["campaigns.safety.fire.handled"] = in_campaigns(["safety.fire"])
    figures["campaigns.environment.handled"] = in_campaigns(["environment.sanitation",
                                                             "dispute.neighbor"])
    figures["year.disputes_and_repairs"] = figures["year.repairs"] + \
        whole["by_category"]["dispute.neighbor"]
    return figures


async def open_dashboard(browser, url: str, *, width=1280, height=900):
    page = await browser.new_page()
    await page.set_viewport_size({"width": width, "height": height})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on("response", lambda r: problems.append(f"{r.status} from {r.url}")
            if r.status >= 400 else None)
    await page.clock.install()
    await page.goto(f"{url}/dashboard#token={operator_token()}")
    await page.wait_for_selector("body[data-loaded]", state="attached", timeout=30_000)
    return page, problems


async def test_the_dashboard_draws_every_chart_and_shows_the_apis_figures(browser, stats_url):
    page, problems = await open_dashboard(browser, stats_url)
    assert "token=" not in page.url  # the token left the address bar for sessionStorage
    for chart in CHARTS:
        painted = await page.evaluate(
            """id => { const c = document.querySelector(`#${id} canvas`);
                       if (!c || !c.width || !c.height) return 0;
                       const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                       let n = 0; for (let i = 3; i < px.length; i += 4) if (px[i]) n++;
                       return n; }""", chart)
        assert painted > 500, f"{chart} is blank"
    expected = await api_figures(stats_url)
    cards = await page.eval_on_selector_all(
        "[data-figure]", "els => els.map(e => [e.dataset.figure, e.dataset.kind, e.textContent])")
    assert len(cards) >= 20
    for figure, kind, text in cards:
        assert figure in expected, f"the page shows {figure}, which the API does not give"
        assert text == shown(kind, expected[figure]), figure
    assert expected["summary.collected"] > 0 and expected["meetings.upcoming.0.agenda"] == 1
    listed = await page.eval_on_selector_all("#overdue tbody tr[data-issue]",
                                             "rows => rows.map(r => r.dataset.issue)")
    assert listed == expected["overdue.issues"] and len(listed) == 3
    assert problems == []


async def test_labels_switch_between_chinese_and_english(browser, stats_url):
    page, problems = await open_dashboard(browser, stats_url)
    labels = """() => echarts.getInstanceByDom(document.getElementById('chart-category'))
                      .getOption().yAxis[0].data"""
    assert CATEGORIES["repair.public"].label_zh in await page.evaluate(labels)
    assert await page.text_content("h1") == "红色物业 · 社区治理数据"
    await page.click("#lang")
    english = await page.evaluate(labels)
    assert CATEGORIES["repair.public"].label_en in english
    assert await page.text_content("h1") == "Red property · Community figures"
    assert not set(english) & set(CATEGORIES)  # labels, never codes
    assert problems == []


async def test_it_refreshes_by_itself(browser, stats_url):
    page, problems = await open_dashboard(browser, stats_url)
    first = int(await page.get_attribute("body", "data-loaded"))
    await page.clock.fast_forward(16_000)  # the page's clock, not the test's: no waiting
    await page.wait_for_function(f"Number(document.body.dataset.loaded) > {first}",
                                 timeout=30_000)
    assert problems == []


async def test_it_fits_a_phone(browser, stats_url):
    page, problems = await open_dashboard(browser, stats_url, width=390, height=844)
    overflow = await page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 390
    widths = await page.evaluate(
        "[...document.querySelectorAll('.chart')].map(c => c.getBoundingClientRect().width)")
    assert widths and all(0 < w <= 390 for w in widths)
    assert problems == []


async def test_without_a_token_it_asks_for_one_and_a_bad_one_is_refused(browser, stats_url):
    page = await browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(f"{stats_url}/dashboard")
    await page.wait_for_selector("#login:not([hidden])")
    await page.fill("input[name=token]", "not-a-token")
    await page.click("#token-form button")
    await page.wait_for_selector("#login:not([hidden])")
    assert await page.evaluate("sessionStorage.getItem('redgrid.stats.token')") is None
    assert errors == []
