"""PRODUCT.md's figures of the seed community, each read with one stats query (docs/demo.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

import httpx

from redgrid_dev import demo_ledger

REPAIRS = tuple(code for code, _ in demo_ledger.JOBS)


@dataclass(frozen=True)
class Figure:
    name: str
    claim: str  # as PRODUCT.md states it
    path: str
    params: dict
    value: Callable[[dict], object]


def figures(now: datetime) -> list[Figure]:
    """The queries, over the imported year [from, to)."""
    start, end = demo_ledger.year_of(now)
    year = {"from": start.date().isoformat(), "to": end.date().isoformat()}
    summary, campaigns = "/v1/stats/summary", "/v1/stats/campaigns"

    def campaign(codes):
        return lambda body: sum(c["handled"] for c in body["campaigns"]
                                if set(c["categories"]) & set(codes))

    def by_category(code):
        return lambda body: body["by_category"][code]

    return [
        Figure("meetings held", "20+", summary, year, lambda b: b["meetings_held"]),
        Figure("problems collected at meetings", "700+", summary, {**year, "source": "meeting"},
               lambda b: b["collected"]),
        Figure("problems from meetings handled", "460", summary, {**year, "source": "meeting"},
               lambda b: b["handled"]),
        Figure("red-property jobs done", "808", summary, {**year, "category": ",".join(REPAIRS)},
               lambda b: b["handled"]),
        *(Figure(f"  {code}", str(n), summary, year, by_category(code))
          for code, n in demo_ledger.JOBS),
        Figure("fire hazards cleared in campaigns", "64", campaigns, year,
               campaign(["safety.fire"])),
        Figure("environment and neighbour problems solved in campaigns", "103", campaigns, year,
               campaign(["environment.sanitation", "dispute.neighbor"])),
        Figure("disputes and repair reports", "800+", summary, year,
               lambda b: sum(b["by_category"][c] for c in (*REPAIRS, "dispute.neighbor"))),
        Figure("paid repairs income (yuan)", "-", summary, year, lambda b: b["income"]),
    ]


async def read(client: httpx.AsyncClient, base: str, headers: dict,
               now: datetime) -> list[tuple[Figure, object]]:
    """Every figure's value as stats answers it now (None when the route is missing)."""
    answers: dict[tuple, dict | None] = {}
    out = []
    for figure in figures(now):
        key = (figure.path, tuple(sorted(figure.params.items())))
        if key not in answers:
            response = await client.get(base + figure.path, params=figure.params, headers=headers)
            answers[key] = response.json() if response.status_code == 200 else None
        body = answers[key]
        try:
            out.append((figure, figure.value(body) if body is not None else None))
        except KeyError:
            out.append((figure, None))
    return out
