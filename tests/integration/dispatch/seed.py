"""Seeding for dispatch integration tests: grids through the API, reports through the consumer."""

import uuid
from datetime import datetime, timezone

from redgrid_shared import topics
from redgrid_shared.clock import system_clock
from redgrid_shared.consumer import apply_once

from dispatch import consumer
from dispatch.sla.limits import Timing
from tests.integration.dispatch.conftest import auth
from tests.unit.dispatch.builders import grid_body, issue_reported_envelope

handle = consumer.handler(clock=system_clock, timing=Timing())


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def grid(client, *, community: str = "erqiaoxi", grid_id: str | None = None,
               admin: str = "a-01", **overrides) -> dict:
    """A new grid of the community with fresh buildings and people, unless overridden."""
    fresh = {"buildings": [new_id("b")], "steward": new_id("s"), "repairer": new_id("r"),
             "backup_steward": new_id("s"), "backup_repairer": new_id("r")}
    body = grid_body(community=community, **{**fresh, **overrides})
    response = await client.put(f"/v1/grids/{grid_id or new_id('g')}", json=body,
                                headers=auth(sub=admin, community=community))
    assert response.status_code in (200, 201), response.text
    return response.json()


async def report(pool, *, building: str, community: str = "erqiaoxi",
                 at: datetime | None = None, handler=handle, **overrides) -> str:
    """An issue.reported applied through dispatch's consumer; returns the issue id."""
    env = issue_reported_envelope(building=building, community=community,
                                  time=at or datetime.now(timezone.utc), **overrides)
    assert await apply_once(pool, topics.INTAKE_EVENTS, env, handler)
    return env.data["issue_id"]


async def stream(pool, stream_id: str) -> list[dict]:
    """The (type, data) of a stream's events, oldest first."""
    rows = await pool.fetch("SELECT type, subject, data FROM events WHERE stream_id = $1 "
                            "ORDER BY version", stream_id)
    return [{"type": r["type"].removeprefix("org.redgrid."), "subject": r["subject"],
             **r["data"]} for r in rows]
