"""A stats service over real HTTP with a year of data, and headless Chromium to look at it.

Chromium is Debian's `chromium` package (`make browser` installs it; `make test` runs that
first). Without it the browser tests skip, loudly, except in CI (`CI=true`), where they fail.
"""

import asyncio
import json
import os
import time
import shutil
import tempfile
from datetime import datetime, timedelta, timezone

import pytest
import pytest_asyncio
import uvicorn

from redgrid_dev import demo_ledger
from redgrid_dev.ports import free_port
from redgrid_shared import ledger, topics
from redgrid_shared.auth import mint_token
from redgrid_shared.consumer import apply_once
from redgrid_shared.events import IssueEscalated, IssueOverdue, envelope
from redgrid_shared.runtime import Runtime
from stats import projections
from stats.main import MIGRATIONS, create_app
from stats.settings import Settings

SECRET = "dashboard-browser-secret-32-bytes!!!"
COMMUNITY = "erqiaoxi"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if os.access(path, os.X_OK):
        return path
    message = ("CHROMIUM IS MISSING: the dashboard was NOT tested in a browser. "
               "Install it with `make browser` (apt-get install chromium).")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def operator_token(community: str = COMMUNITY) -> str:
    return mint_token(secret=SECRET, sub="op-1", role="operator", community=community)


async def load_sample(pool) -> None:
    """Every tenth row of the demo year (meetings and campaigns included), plus one issue on
    the next meeting's agenda and three open ones past their deadline, projected as the
    stats consumer does."""
    now = datetime.now(timezone.utc)
    rows = demo_ledger.build(now)[::10]
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    plan = ledger.build(ledger.parse(text, "jsonl", community=COMMUNITY, now=now),
                        community=COMMUNITY, importer="a-1")
    envelopes = [(topics.INTAKE_EVENTS, e) for s in plan.intake.values() for e in s.events]
    envelopes += [(topics.DISPATCH_EVENTS, e) for s in plan.dispatch.values() for e in s.events]
    issue = next(iter(plan.issues))
    upcoming = (now + timedelta(days=10)).date()
    envelopes.append((topics.DISPATCH_EVENTS, envelope(IssueEscalated(
        issue_id=issue, community=COMMUNITY, grid_id="g-01", by="s-01", meeting_date=upcoming,
        reason="needs the residents' meeting", cause="steward"),
        service="dispatch", subject=issue, time=now - timedelta(minutes=1))))
    still_open = [iid for iid, r in plan.issues.items()
                  if r.grid and not r.resolved and r.meeting_decision != "referred"][:3]
    for n, iid in enumerate(still_open):
        late = now - timedelta(days=3 + n)
        envelopes.append((topics.DISPATCH_EVENTS, envelope(IssueOverdue(
            issue_id=iid, community=COMMUNITY, grid_id=plan.issues[iid].grid, by="clock",
            status="accepted" if plan.issues[iid].signed_off_at else "assigned",
            deadline="completion" if plan.issues[iid].signed_off_at else "signoff",
            due_at=late), service="dispatch", subject=iid, time=late)))
    for topic, env in envelopes:
        await apply_once(pool, topic, env, projections.apply)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def stats_url(make_database):
    """Base URL of a stats service (HTTP on a free port) holding the sample."""
    settings = Settings(database_url=await make_database("dashboard"), jwt_secret=SECRET,
                        db_pool_min=1)
    runtime = Runtime(settings, migrations=MIGRATIONS)
    await runtime.start(relay=False)
    await load_sample(runtime.pool)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, runtime=runtime),
                                           host="127.0.0.1", port=port, lifespan="off",
                                           log_level="warning"))
    task = asyncio.create_task(server.serve())
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline and not task.done():
        await asyncio.sleep(0.05)
    assert server.started, "the stats server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task
    await runtime.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def browser():
    from playwright.async_api import async_playwright
    path = chromium_path()
    profile = tempfile.mkdtemp(prefix="redgrid-chromium-")
    async with async_playwright() as p:
        context = await p.chromium.launch_persistent_context(
            profile, executable_path=path, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900}, locale="zh-CN")
        try:
            yield context
        finally:
            await context.close()
            shutil.rmtree(profile, ignore_errors=True)
