"""`make demo`: report the demo community's figures through the public API of a running system."""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
import warnings
from collections import Counter
from dataclasses import dataclass

import httpx

from redgrid_dev import demo_directory

# PRODUCT.md's public figures: (seed group, categories it spreads over, count at scale 1).
FIGURES = (
    ("paid", ("repair.paid",), 261),
    ("public", ("repair.public",), 412),
    ("pipe", ("repair.pipe",), 56),
    ("ac_drip", ("repair.ac_drip",), 3),
    ("seepage", ("repair.seepage",), 76),
    ("fire", ("safety.fire",), 64),
    ("env", ("environment.sanitation", "dispute.neighbor"), 103),
)
IN_HOME = {"repair.paid", "repair.pipe", "repair.ac_drip", "repair.seepage", "dispute.neighbor"}
TEXTS = {
    "repair.paid": ("热水器不出热水，请上门维修", "卧室门锁坏了打不开", "卫生间水龙头漏水", "家里插座跳闸"),
    "repair.public": ("楼道声控灯不亮", "单元门禁坏了", "电梯按钮失灵", "楼梯扶手松动", "小区路面塌陷"),
    "repair.pipe": ("厨房下水道堵塞，水排不下去", "马桶堵了", "阳台地漏返水"),
    "repair.ac_drip": ("楼上空调外机滴水到我家窗台",),
    "repair.seepage": ("卫生间天花板渗水", "外墙渗水，墙皮脱落", "楼上漏水到我家客厅"),
    "safety.fire": ("楼道内电动车飞线充电", "消防通道被车辆堵塞", "楼道堆放杂物影响疏散", "灭火器过期"),
    "environment.sanitation": ("垃圾桶满了没人清运", "绿化带有大量垃圾", "楼下污水横流有异味"),
    "dispute.neighbor": ("楼上深夜噪音扰民", "邻居占用公共楼道", "宠物狗粪便无人清理，与邻居有争执"),
}
SOURCES = (("app", 55), ("hotline", 20), ("grid_visit", 15), ("meeting", 10))
UNCOVERED = "b-99"  # no demo grid covers it, so its reports end up unroutable


@dataclass(frozen=True)
class Seed:
    """One demo report: who files it, its Idempotency-Key, and its body."""

    key: str
    role: str
    sub: str
    grids: tuple[str, ...]
    body: dict


def seed(group: str, categories: tuple[str, ...], k: int) -> Seed:
    """The k-th report of a group; depends only on (group, k), so any scale replays the same bodies."""
    rng = random.Random(f"redgrid-demo/{group}/{k}")
    category = categories[k % len(categories)]
    building = UNCOVERED if k % 25 == 7 else f"b-{rng.randint(1, 12):02d}"
    resident = f"u-{1001 + rng.randrange(300)}"
    body = {"category": category, "description": rng.choice(TEXTS[category]), "building": building}
    if category in IN_HOME:
        body["unit"] = f"{rng.randint(1, 3)}-{rng.randint(1, 18)}{rng.randint(1, 4):02d}"
    draw = rng.random()
    if draw < 0.04:
        body["vulnerable"] = "elderly"
    elif draw < 0.06:
        body["vulnerable"] = "child"
    rng.random()  # was the photo draw (photos are now uploads); keeps later draws the same
    source = rng.choices([s for s, _ in SOURCES], weights=[w for _, w in SOURCES])[0]
    body["source"] = source
    key = f"demo-{group}-{k}"
    if source == "app":
        return Seed(key, "resident", resident, (), body)
    body["on_behalf_of"] = resident
    grid = _grid_of(building)
    if source == "hotline" or grid is None:  # the operations desk takes calls and uncovered areas
        return Seed(key, "operator", "op-1", (), body)
    return Seed(key, "steward", f"s-{grid[2:]}", (grid,), body)


def _grid_of(building: str) -> str | None:
    return next((g for g, v in demo_directory.grids().items() if building in v["buildings"]), None)


def seeds(scale: float) -> list[Seed]:
    """Every demo report at this scale (each figure at least 1), interleaved by group."""
    groups = [[seed(name, cats, k) for k in range(max(1, round(n * scale)))] for name, cats, n in FIGURES]
    ordered = []
    for i in range(max(len(g) for g in groups)):
        ordered += [g[i] for g in groups if i < len(g)]
    return ordered


class Tokens:
    """Development tokens for the demo community, minted on first use."""

    def __init__(self, secret: str):
        self.secret, self._cache = secret, {}

    def token(self, role: str, sub: str, grids: tuple[str, ...] = ()) -> str:
        if sub not in self._cache:
            from redgrid_shared.auth import mint_token
            self._cache[sub] = mint_token(secret=self.secret, sub=sub, role=role,
                                          community=demo_directory.COMMUNITY, grids=list(grids))
        return self._cache[sub]

    def header(self, role: str, sub: str, grids: tuple[str, ...] = ()) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, sub, grids)}"}


async def report_all(client: httpx.AsyncClient, intake: str, tokens: Tokens, todo: list[Seed],
                     concurrency: int) -> Counter:
    """POST every seed with its Idempotency-Key; count created, replayed and failed."""
    outcome, pending = Counter(), iter(todo)

    async def worker() -> None:
        for s in pending:
            headers = {**tokens.header(s.role, s.sub, s.grids), "Idempotency-Key": s.key}
            outcome[await _post(client, f"{intake}/v1/issues", s.body, headers)] += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return outcome


async def _post(client: httpx.AsyncClient, url: str, body: dict, headers: dict) -> str:
    """One report, retried on a dropped connection or 5xx (safe: same Idempotency-Key)."""
    for attempt in range(3):
        try:
            response = await client.post(url, json=body, headers=headers)
        except httpx.TransportError as err:
            error = str(err)
        else:
            if response.status_code == 201:
                return "replayed" if response.headers.get("Idempotent-Replayed") == "true" else "created"
            error = f"{response.status_code}: {response.text[:200]}"
            if response.status_code < 500:
                break
        await asyncio.sleep(0.5 * (attempt + 1))
    print(f"  failed {headers['Idempotency-Key']}: {error}", file=sys.stderr)
    return "failed"


async def settled_summary(client: httpx.AsyncClient, stats: str, tokens: Tokens, expected: int,
                          deadline: float) -> tuple[dict, bool]:
    """Poll the summary until it counts the demo and nothing waits for routing; (summary, settled)."""
    headers, end, summary = tokens.header("operator", "op-1"), time.monotonic() + deadline, {}
    while time.monotonic() < end:
        response = await client.get(f"{stats}/v1/stats/summary", headers=headers)
        if response.status_code == 200:
            summary = response.json()
            if summary["collected"] >= expected and not summary["by_status"].get("reported"):
                return summary, True
        await asyncio.sleep(0.5)
    return summary, False


def print_summary(summary: dict, todo: list[Seed], scale: float, stats: str) -> None:
    """Figures as the stats service counts them, beside what PRODUCT.md's figures ask for."""
    seeded = Counter(s.body["category"] for s in todo)
    print(f"\n{'category':<24}{'seeded':>8}{'counted':>9}")
    for category in sorted(seeded, key=seeded.get, reverse=True):
        print(f"{category:<24}{seeded[category]:>8}{summary['by_category'].get(category, 0):>9}")
    print(f"\ncollected {summary['collected']}  handled {summary['handled']}  "
          f"unroutable {summary['unroutable']}")
    print("by status: " + ", ".join(f"{k} {v}" for k, v in summary["by_status"].items() if v))
    print(f"seeded from PRODUCT.md's figures x {scale} (261 paid, 412 public, 56 pipe, 3 AC drip, 76 seepage, "
          f"64 fire, 103 environment/neighbour at scale 1)")
    print("Note: sign-off, resolve and close do not exist yet, so 'handled' stays 0; the demo reports and\n"
          "routes issues only and does not fake handled figures.")
    print(f"\ndashboard: {stats}/dashboard  (paste the operator token `make run` printed)")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m redgrid_dev demo", description=__doc__)
    parser.add_argument("--intake", default="http://127.0.0.1:8001")
    parser.add_argument("--dispatch", default="http://127.0.0.1:8002")
    parser.add_argument("--stats", default="http://127.0.0.1:8003")
    parser.add_argument("--scale", type=float, default=0.1, help="share of PRODUCT.md's figures (1 = full)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--deadline", type=float, default=120.0, help="seconds to wait for stats to catch up")
    return parser.parse_args(argv)


async def _run(args: argparse.Namespace, tokens: Tokens) -> int:
    todo = seeds(args.scale)
    async with httpx.AsyncClient(timeout=15, limits=httpx.Limits(max_connections=args.concurrency)) as client:
        print(f"reporting {len(todo)} issues ({args.concurrency} at a time) to {args.intake}", flush=True)
        started = time.monotonic()
        outcome = await report_all(client, args.intake, tokens, todo, args.concurrency)
        print(f"  {outcome['created']} created, {outcome['replayed']} already there (replayed), "
              f"{outcome['failed']} failed, in {time.monotonic() - started:.1f} s", flush=True)
        print("waiting for stats to count them", flush=True)
        expected = outcome["created"] + outcome["replayed"]
        summary, settled = await settled_summary(client, args.stats, tokens, expected, args.deadline)
    if not summary:
        print(f"error: no summary from {args.stats}", file=sys.stderr)
        return 1
    print_summary(summary, todo, args.scale, args.stats)
    if not settled:
        print(f"warning: stats did not settle within {args.deadline:.0f} s", file=sys.stderr)
    return 0 if settled and not outcome["failed"] else 1


def main(argv: list[str]) -> int:
    """Ensure the demo grids, report the seed, and print the figures once stats has them."""
    from redgrid_shared.settings import ServiceSettings

    args = parse(argv)
    warnings.filterwarnings("ignore", message="The HMAC key is")
    tokens = Tokens(ServiceSettings().jwt_secret)  # REDGRID_JWT_SECRET, else the dev secret
    try:
        grids = demo_directory.load(args.dispatch, tokens.token("admin", "admin-1"))
    except (httpx.TransportError, RuntimeError) as err:
        print(f"error: cannot load the demo grids into {args.dispatch} ({err}); is `make run` up?",
              file=sys.stderr)
        return 1
    print(f"demo grids {', '.join(grids)} ensured in {args.dispatch}")
    return asyncio.run(_run(args, tokens))
