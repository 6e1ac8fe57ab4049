"""Steps of an issue's life for intake's integration tests: report over HTTP, dispatch's
events applied through the real consumer handler (with its dedupe row)."""

import uuid
from datetime import datetime, timedelta, timezone

from intake import consumer
from redgrid_shared import events
from redgrid_shared.consumer import apply_once
from redgrid_shared.topics import DISPATCH_EVENTS
from tests.unit.intake.builders import auth, issue_assigned, report, step


def resident() -> str:
    return f"u-{uuid.uuid4().hex[:8]}"


async def reported(client, sub: str | None = None, **body) -> tuple[dict, dict]:
    """A new issue of a fresh resident (or `sub`), and that resident's headers."""
    headers = auth(sub=sub or resident())
    response = await client.post("/v1/issues", json=report(**body), headers=headers)
    assert response.status_code == 201, response.text
    return response.json(), headers


async def deliver(pool, *envs: events.Envelope) -> None:
    for env in envs:
        assert await apply_once(pool, DISPATCH_EVENTS, env, consumer.handle)


async def assigned(client, pool, **kwargs) -> tuple[dict, dict]:
    issue, headers = await reported(client, **kwargs)
    await deliver(pool, issue_assigned(issue["id"]))
    return issue, headers


async def resolved(client, pool, *, close_in: timedelta = timedelta(days=7),
                   **kwargs) -> tuple[dict, dict]:
    """An issue walked to `resolved` by dispatch's events; it closes `close_in` from now."""
    issue, headers = await assigned(client, pool, **kwargs)
    now = datetime.now(timezone.utc)
    await deliver(pool, step(events.IssueAccepted, issue["id"]),
                  step(events.IssueStarted, issue["id"], by="r-01"),
                  step(events.IssueResolved, issue["id"], close_due_at=now + close_in,
                       note="换了新水管", by="r-01"))
    return issue, headers


async def view(client, issue_id: str, headers: dict) -> dict:
    response = await client.get(f"/v1/issues/{issue_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def timeline(client, issue_id: str, headers: dict, lang: str = "zh") -> list[dict]:
    response = await client.get(f"/v1/issues/{issue_id}/timeline",
                                headers={**headers, "Accept-Language": lang})
    assert response.status_code == 200, response.text
    return response.json()


async def stream(pool, issue_id: str) -> list:
    """An issue's events as written, oldest first. `published_at` is left out: the relay
    sets it in the background whenever it gets to the row, so it is no part of what a
    request wrote or left alone."""
    return await pool.fetch(
        "SELECT position, stream_id, version, event_id, type, source, subject, topic, data, "
        "occurred_at, recorded_at FROM events WHERE stream_id = $1 ORDER BY version",
        f"issue-{issue_id}")
