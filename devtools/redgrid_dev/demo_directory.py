"""The demo community's grid directory (二桥西社区), loaded into dispatch through its API."""

from __future__ import annotations

import httpx

COMMUNITY = "erqiaoxi"
NAMES = ("第一网格", "第二网格", "第三网格", "第四网格")


def grids() -> dict[str, dict]:
    """Four grids of three buildings each (b-01..b-12); steward s-0N and repairer r-0N own grid g-0N."""
    directory = {}
    for n, name in enumerate(NAMES, start=1):
        backup = n % len(NAMES) + 1  # the next grid's people cover this one
        buildings = [f"b-{b:02d}" for b in range(3 * n - 2, 3 * n + 1)]
        directory[f"g-{n:02d}"] = {
            "community": COMMUNITY,
            "name": name,
            "buildings": buildings,
            "steward": f"s-{n:02d}",
            "repairer": f"r-{n:02d}",
            "backup_steward": f"s-{backup:02d}",
            "backup_repairer": f"r-{backup:02d}",
            "members": [{"id": f"m-{n:02d}", "role": "building_leader"}],
        }
    return directory


def load(dispatch_url: str, admin_token: str, *, transport: httpx.BaseTransport | None = None) -> list[str]:
    """PUT every grid (idempotent upsert) and return the grid ids; raise on a non-2xx answer."""
    headers = {"Authorization": f"Bearer {admin_token}"}
    with httpx.Client(base_url=dispatch_url, headers=headers, timeout=10, transport=transport) as client:
        for grid_id, body in grids().items():
            response = client.put(f"/v1/grids/{grid_id}", json=body)
            if not response.is_success:
                raise RuntimeError(f"PUT /v1/grids/{grid_id} -> {response.status_code}: {response.text}")
    return list(grids())
