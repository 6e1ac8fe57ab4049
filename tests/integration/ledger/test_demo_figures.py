"""The seed's year, imported as a ledger through intake and dispatch, counted by stats.

Every figure of PRODUCT.md is read back from the stats API with the query docs/demo.md
gives for it, after the events travelled the real broker.
"""

import asyncio
import time
import uuid
from collections import Counter
from datetime import datetime, timezone
from decimal import Decimal

import httpx
import pytest
import pytest_asyncio

from dispatch.main import create_app as dispatch_app
from dispatch.settings import Settings as DispatchSettings
from intake.main import create_app as intake_app
from intake.settings import Settings as IntakeSettings
from redgrid_dev import demo_ledger
from redgrid_dev.broker import TansuBroker
from redgrid_dev.import_ledger import Target, import_ledger
from stats.main import create_app as stats_app
from stats.settings import Settings as StatsSettings
from tests.integration.ledger.conftest import SECRET, Hosts, token

DEADLINE_SECONDS = 300
REPAIRS = [code for code, _ in demo_ledger.JOBS]


@pytest.fixture(scope="module")
def own_broker(tmp_path_factory):
    """A broker of this module's own: the year's ~10,000 events stay off the session's topics,
    so later tests that replay those topics from offset 0 do not read them."""
    with TansuBroker(log_file=tmp_path_factory.mktemp("demo-tansu") / "tansu.log") as broker:
        yield broker.bootstrap


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def system(make_database, own_broker):
    """Intake, dispatch and stats with their relays and consumers on a broker of their own."""
    apps = []
    for factory, settings_cls, hint in ((intake_app, IntakeSettings, "demo_intake"),
                                        (dispatch_app, DispatchSettings, "demo_dispatch"),
                                        (stats_app, StatsSettings, "demo_stats")):
        settings = settings_cls(
            database_url=await make_database(hint), kafka_bootstrap_servers=own_broker,
            consumer_group=f"{hint}-{uuid.uuid4().hex[:8]}", jwt_secret=SECRET,
            relay_poll_seconds=0.2, db_pool_min=1, db_pool_max=8)
        apps.append(factory(settings))
    async with apps[0].router.lifespan_context(apps[0]), \
            apps[1].router.lifespan_context(apps[1]), apps[2].router.lifespan_context(apps[2]):
        yield Hosts(intake=apps[0], dispatch=apps[1], stats=apps[2]), apps


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def imported(system):
    """(community, rows, year window) after the demo ledger was imported."""
    transport, _ = system
    community = f"erqiaoxi-{uuid.uuid4().hex[:6]}"
    now = datetime.now(timezone.utc)
    rows = demo_ledger.build(now)
    target = Target("http://intake", "http://dispatch", token(community=community))
    await import_ledger(demo_ledger.jsonl(now), "jsonl", target, transport=transport)
    start, end = demo_ledger.year_of(now)
    return community, rows, {"from": start.date().isoformat(), "to": end.date().isoformat()}


async def settled(client, path: str, params: dict, headers: dict, ready) -> dict:
    """Poll a stats route until `ready(body)` holds or the deadline passes; the last body."""
    end, body = time.monotonic() + DEADLINE_SECONDS, {}
    while time.monotonic() < end:
        response = await client.get(path, params=params, headers=headers)
        if response.status_code == 200:
            body = response.json()
            if ready(body):
                return body
        await asyncio.sleep(0.5)
    return body


async def test_every_figure_of_the_seed_reads_back_from_stats(system, imported):
    transport, _ = system
    community, rows, year = imported
    headers = {"Authorization": f"Bearer {token('operator', 'op-1', community)}"}
    expected_jobs = dict(demo_ledger.JOBS)
    at_meetings = [r for r in rows if r["source"] == "meeting"]
    async with httpx.AsyncClient(transport=transport, base_url="http://stats") as client:
        summary = await settled(client, "/v1/stats/summary", year, headers,
                                lambda b: b.get("collected") == len(rows)
                                and b.get("meetings_held") == demo_ledger.MEETINGS_HELD
                                and b.get("ratings") == sum(1 for r in rows if r.get("rating")))
        meeting = await settled(client, "/v1/stats/summary", {**year, "source": "meeting"},
                                headers, lambda b: b.get("handled") == demo_ledger.MEETING_HANDLED)
        jobs = await settled(client, "/v1/stats/summary",
                             {**year, "category": ",".join(REPAIRS)}, headers,
                             lambda b: b.get("handled") == 808)
        campaigns = await settled(client, "/v1/stats/campaigns", year, headers,
                                  lambda b: sum(c["handled"] for c in b.get("campaigns", []))
                                  == 64 + 103)

    # 20+ 逢四说事 meetings that collected 700+ problems and handled 460
    assert summary["meetings_held"] == 24
    assert meeting["collected"] == len(at_meetings) == 720
    assert meeting["handled"] == 460
    # 808 red-property jobs by type, all done
    assert {c: summary["by_category"][c] for c in REPAIRS} == expected_jobs
    assert jobs["collected"] == jobs["handled"] == 808
    assert summary["paid_repairs"] == 261
    assert Decimal(str(summary["income"])) == sum(Decimal(r["amount"]) for r in rows
                                                  if r.get("amount"))
    # 64 fire hazards and 103 environment and neighbour problems solved in joint campaigns
    by_id = {c["campaign_id"]: c for c in campaigns["campaigns"]}
    assert by_id["fire-lanes"]["handled"] == by_id["fire-lanes"]["issues"] == 64
    assert by_id["env-neighbour"]["handled"] == by_id["env-neighbour"]["issues"] == 103
    assert set(by_id["env-neighbour"]["departments"]) == {"street_office", "housing", "police"}
    # 800+ disputes and repair reports this year
    disputes = Counter(r["category"] for r in rows)["dispute.neighbor"]
    assert sum(summary["by_category"][c] for c in REPAIRS) + \
        summary["by_category"]["dispute.neighbor"] == 808 + disputes >= 800


async def test_no_clock_or_routing_acts_on_imported_issues(system, imported):
    """Dispatch holds only the ledger's events for the imported issues: nothing fired later."""
    _, apps = system
    community, rows, _ = imported
    pool = apps[1].state.runtime.pool
    live = await pool.fetchval(
        """SELECT count(*) FROM events WHERE stream_id LIKE 'issue-%'
           AND data->>'community' = $1 AND NOT coalesce((data->>'imported')::boolean, false)""",
        community)
    assert live == 0
