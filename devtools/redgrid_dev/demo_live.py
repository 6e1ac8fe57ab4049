"""`make demo`, the current month: reports through intake's public API, then the workflow.

Reports are PRODUCT.md's groups at a small scale; each has an Idempotency-Key per month, so
running the demo again in the same month changes nothing. The workflow part signs off and
resolves some of them through dispatch, and confirms and rates them through intake; a route
that answers 404 is reported once and skipped.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

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
                     concurrency: int, *, month: str = "", advance=lambda: None
                     ) -> tuple[Counter, list[str]]:
    """POST every seed with its Idempotency-Key (per month); outcomes and the issue ids, in
    seed order (so every run picks the same issues for the workflow)."""
    outcome, pending, ids = Counter(), iter(enumerate(todo)), {}

    async def worker() -> None:
        for position, s in pending:
            headers = {**tokens.header(s.role, s.sub, s.grids),
                       "Idempotency-Key": f"{s.key}-{month}" if month else s.key}
            result, issue = await _post(client, f"{intake}/v1/issues", s.body, headers)
            outcome[result] += 1
            if issue:
                ids[position] = issue
            advance()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return outcome, [ids[p] for p in sorted(ids)]


async def _post(client: httpx.AsyncClient, url: str, body: dict,
                headers: dict) -> tuple[str, str | None]:
    """One report, retried on a dropped connection or 5xx (safe: same Idempotency-Key)."""
    for attempt in range(3):
        try:
            response = await client.post(url, json=body, headers=headers)
        except httpx.TransportError as err:
            error = str(err)
        else:
            if response.status_code == 201:
                replayed = response.headers.get("Idempotent-Replayed") == "true"
                return ("replayed" if replayed else "created"), response.json().get("id")
            error = f"{response.status_code}: {response.text[:200]}"
            if response.status_code < 500:
                break
        await asyncio.sleep(0.5 * (attempt + 1))
    print(f"  failed {headers['Idempotency-Key']}: {error}", file=sys.stderr)
    return "failed", None


WORKFLOW_SHARE = 3  # one in three of this month's assigned issues goes through the workflow


@dataclass
class Workflow:
    """Moves live issues along through the public routes; notes the first missing one."""

    client: httpx.AsyncClient
    intake: str
    dispatch: str
    tokens: Tokens
    missing: str | None = None
    done: Counter = field(default_factory=Counter)
    refused: dict = field(default_factory=dict)

    async def step(self, url: str, body: dict, headers: dict, name: str, issue_id: str) -> bool:
        """One POST with its own Idempotency-Key; a refusal is counted with its first reason."""
        if self.missing:
            return False
        headers = {**headers, "Idempotency-Key": f"demo-{issue_id}-{name}"}
        response = await self.client.post(url, json=body, headers=headers)
        if response.status_code in (404, 405) and "no issue" not in response.text:
            self.missing = f"{name} ({response.status_code})"
            return False
        if not response.is_success:
            self.refused.setdefault(name, f"{response.status_code} {response.text[:160]}")
        self.done[name if response.is_success else f"{name} refused"] += 1
        return response.is_success

    async def run(self, issue_id: str) -> None:
        """Wait for the assignment, then sign off, resolve, confirm and rate."""
        view = await self.assigned(issue_id)
        if view is None or view["status"] != "assigned" or self.missing:
            return  # unroutable, or moved on already (an earlier run this month)
        steward = self.tokens.header("steward", view["steward_id"], (view["grid_id"],))
        worker = self.tokens.header("repairer", view["repairer_id"], (view["grid_id"],)) \
            if view.get("repairer_id") else steward
        base = f"{self.dispatch}/v1/issues/{issue_id}"
        resolve = {"note": "已处理完毕"}
        if view["category"] == "repair.paid":
            resolve["amount_charged"] = "80"
        if not (await self.step(f"{base}/accept", {}, steward, "accept", issue_id)
                and await self.step(f"{base}/resolve", resolve, worker, "resolve", issue_id)):
            return
        resident = self.tokens.header("resident", view["reporter_id"])
        mine = f"{self.intake}/v1/issues/{issue_id}"
        await self.resolved(issue_id, resident)
        if await self.step(f"{mine}/confirm", {}, resident, "confirm", issue_id):
            await self.step(f"{mine}/rating", {"score": 5}, resident, "rating", issue_id)

    async def assigned(self, issue_id: str, deadline: float = 20) -> dict | None:
        return await self._until(issue_id, self.tokens.header("operator", "op-1"),
                                 lambda v: v["status"] != "reported", deadline)

    async def resolved(self, issue_id: str, headers: dict) -> dict | None:
        return await self._until(issue_id, headers, lambda v: v["status"] == "resolved", 20)

    async def _until(self, issue_id, headers, ready, deadline) -> dict | None:
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            response = await self.client.get(f"{self.intake}/v1/issues/{issue_id}",
                                             headers=headers)
            if response.status_code == 200 and ready(response.json()):
                return response.json()
            await asyncio.sleep(0.3)
        return None
