"""The fast path (bucket counters + exact edges + as-of corrections) equals a brute-force
count over every issue's derived timeline, for random windows, moments and filters."""

import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from stats import figures
from stats.queries import Row
from stats.timeline import OPEN_STATUSES, Event, derive
from tests.integration.stats import builders as b
from tests.integration.stats.conftest import bearer, project

START = datetime(2025, 12, 20, 0, 0, tzinfo=timezone.utc)
GRIDS = ("g-1", "g-2", "g-3")
CATEGORIES = ("repair.pipe", "repair.paid", "safety.fire")
SOURCES = ("app", "hotline")


def lifecycle(rng: random.Random, c: str, at: datetime) -> list:
    """One issue's events with random steps, times and people."""
    grid = rng.choice(GRIDS)
    steward, repairer = f"s-{grid[-1]}", rng.choice(["r-1", "r-2"])
    rep = b.issue_reported(community=c, at=at, category=rng.choice(CATEGORIES),
                           source=rng.choice(SOURCES))
    i = rep.subject
    t = at + timedelta(minutes=rng.randrange(1, 30))
    out = [rep, b.issue_assigned(community=c, issue_id=i, at=t, grid_id=grid,
                                 steward_id=steward, repairer_id=repairer)]

    def later(hours: float):
        nonlocal t
        t += timedelta(hours=rng.uniform(0.1, hours))
        return t

    step = lambda kind, **kw: b.issue_step(kind, community=c, issue_id=i, grid_id=grid, **kw)
    if rng.random() < 0.2:
        out.append(step("issue.overdue", at=later(5), by="clock"))
    if rng.random() < 0.15:
        out.append(step("issue.returned", at=later(3), by=repairer))
        grid = rng.choice(GRIDS)
        out.append(b.issue_assigned(community=c, issue_id=i, at=later(2), grid_id=grid,
                                    steward_id=f"s-{grid[-1]}", repairer_id="r-2",
                                    reason="manual"))
    if rng.random() < 0.85:
        out.append(step("issue.accepted", at=later(3), by=steward, on_time=rng.random() < 0.8))
        if rng.random() < 0.8:
            paid = {"amount_charged": Decimal("30.5")} if rng.random() < 0.3 else {}
            out.append(step("issue.resolved", at=later(60), by=repairer,
                            on_time=rng.random() < 0.7, **paid))
            if rng.random() < 0.5:
                out.append(b.resident("issue.rated", community=c, issue_id=i, at=later(20),
                                      score=rng.randint(1, 5)))
            if rng.random() < 0.6:
                out.append(step("issue.closed", at=later(200), by="clock"))
    return out


def brute(all_events: list, *, start, end, as_of, grid=(), category=(), source=()) -> dict:
    """Every figure from the derived timelines, no counters involved."""
    by_issue: dict[str, list] = {}
    for env in all_events:
        by_issue.setdefault(env.data["issue_id"], []).append(
            Event.of(at=env.time, type=env.short_type, event_id=str(env.id), data=env.data))
    stop = min(end, as_of + timedelta(microseconds=1))
    flows, states, now = [], [], []
    for evs in by_issue.values():
        d = derive(evs)
        if category and d.category not in category or source and d.source not in source:
            continue
        for f in d.flows:
            if f.person == "" and start <= f.at < stop and (not grid or f.grid in grid):
                flows.append(Row(f.metric, f.n, float(f.amount)))
        at_t = [s for s in d.states if s.from_at <= as_of and (s.to_at is None or s.to_at > as_of)]
        if not at_t or (grid and at_t[0].grid not in grid):
            continue
        s = at_t[0]
        rows = [Row(f"status.{s.status}", 1, category=d.category, source=d.source)]
        if s.overdue and s.status in OPEN_STATUSES:
            rows.append(Row("overdue", 1))
        now += rows
        if start <= d.reported_at < stop:
            states += rows
    return figures.summary(states, flows, now, meetings_held=0)


async def test_the_summary_equals_a_brute_force_count_for_random_selections(pool, client):
    rng = random.Random(20261130)
    c = b.tag()
    envs = []
    for n in range(70):
        envs += lifecycle(rng, c, START + timedelta(hours=rng.uniform(0, 24 * 50)))
    rng.shuffle(envs)  # arrival order is not event order
    await project(pool, *envs)
    for _ in range(40):
        start = START + timedelta(hours=rng.uniform(-48, 24 * 40))
        end = start + timedelta(hours=rng.uniform(1, 24 * 45))
        as_of = START + timedelta(hours=rng.uniform(0, 24 * 60))
        filters = {k: tuple(rng.sample(v, rng.randint(1, 2))) for k, v in
                   (("grid", GRIDS), ("category", CATEGORIES), ("source", SOURCES))
                   if rng.random() < 0.3}
        if rng.random() < 0.3:
            start, end = datetime(1970, 1, 1, tzinfo=timezone.utc), datetime(3000, 1, 1, tzinfo=timezone.utc)
            params = {"as_of": as_of.isoformat()}
        else:
            params = {"from": start.isoformat(), "to": end.isoformat(), "as_of": as_of.isoformat()}
        params.update({k: ",".join(v) for k, v in filters.items()})
        res = await client.get("/v1/stats/summary", params=params, headers=bearer(c))
        assert res.status_code == 200, res.text
        got = res.json()
        expected = brute(envs, start=start, end=end, as_of=as_of, **filters)
        for key, value in expected.items():
            if key != "meetings_held":
                assert got[key] == value, (key, params)
