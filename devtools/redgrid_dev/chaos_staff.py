"""Staff sign-offs (签收) during the chaos run, through dispatch's public API.

A share of the low-priority reports (every `signed_every`-th, none of those left to go
overdue) is signed off as soon as it is reported, by an operator of the community (any
operator may sign off; one each, as the retries while dispatch catches up would pass one
person's write limit): POST /v1/issues/{id}/accept with an Idempotency-Key of its own,
retried through transport errors, 5xx, 404 (dispatch has not read the report yet) and 429
until a 200 comes back. The check then
wants one issue.accepted per such issue, `accepted` in intake's view and in stats.
"""

from __future__ import annotations

import asyncio
import itertools
import time

import asyncpg
import httpx

RETRYABLE = (httpx.TransportError, httpx.TimeoutException)


def signed(n: int, every: int, unsigned: bool) -> bool:
    """Whether report n is signed off by its steward during the run."""
    return every > 0 and not unsigned and n % every == 1


async def accept_until_done(client: httpx.AsyncClient, system, issue: str, n: int,
                            deadline: float) -> int:
    """Sign issue `issue` off, retrying with the same key until a 200; returns the retries."""
    headers = {**system.token("operator", f"op-chaos-{n}"),
               "Idempotency-Key": f"chaos-accept-{n}"}
    last = "no answer"
    for attempt in itertools.count():
        if attempt:
            await asyncio.sleep(min(0.1 * 2 ** min(attempt, 5), 2.0))
        if time.monotonic() > deadline:
            raise TimeoutError(f"issue {issue} of report {n} never signed off: {last}")
        try:
            r = await client.post(f"{system.url('dispatch')}/v1/issues/{issue}/accept",
                                  headers=headers)
        except RETRYABLE as exc:
            last = repr(exc)
            continue
        last = f"{r.status_code} {r.text}"
        if r.status_code == 200:
            return attempt
        if r.status_code not in (404, 429) and r.status_code < 500:
            raise RuntimeError(f"accept of report {n}: {r.status_code} {r.text}")


async def stores(conn: asyncpg.Connection, community: str) -> dict[str, int]:
    """issue.accepted events per issue in dispatch's event store."""
    rows = await conn.fetch(
        """SELECT data->>'issue_id' AS issue, count(*) AS n FROM dispatch.events
           WHERE type LIKE '%issue.accepted' AND data->>'community' = $1 GROUP BY 1""",
        community)
    return {r["issue"]: r["n"] for r in rows}


def figures(accepts: dict[str, int] | None, signed_issues: set[str], stats: dict) -> dict:
    accepts = accepts or {}
    doubled = sum(n - 1 for n in accepts.values() if n > 1) \
        + sum(n for issue, n in accepts.items() if issue not in signed_issues)
    return {"signed_off": len(signed_issues), "signoff_events": sum(accepts.values()),
            "signoff_doubled": doubled, "signoff_missing": len(signed_issues - set(accepts)),
            "counted_accepted": stats.get("accepted"), "counted_signoffs": stats.get("signoffs")}


def passed(f: dict) -> bool:
    """Every staff sign-off recorded once and counted once."""
    return (f["signoff_doubled"] == 0 and f["signoff_missing"] == 0
            and f["signed_off"] == f["signoff_events"] == f["counted_accepted"]
            == f["counted_signoffs"])
