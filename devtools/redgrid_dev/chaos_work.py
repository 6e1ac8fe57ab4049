"""What people do in the chaos run beside reporting, each through a public API and retried with
its own Idempotency-Key through transport errors, 5xx, 404 (not read yet) and 429.

Every report belongs to a cohort by its number (`cohort`), eight in turn:

| n % 8 | cohort     | category         | what happens                                           |
|-------|------------|------------------|--------------------------------------------------------|
| 0, 4  | unsigned   | repair.seepage   | nobody signs off: the 30-min sign-off deadline passes  |
| 1     | signed     | suggestion       | an operator signs it off (签收)                        |
| 3     | completion | repair.pipe      | signed off; its completion limit then passes           |
| 5     | closing    | repair.public    | signed off and resolved; the 7-day close fires         |
| 7     | racing     | repair.ac_drip   | resolved; its resident confirms (or, every other one, reopens) just before the close fires |
| 2, 6  | plain      | dispute.neighbor | only assigned                                          |

`LIMITS` are set through PUT /v1/sla before the load: the low-priority and resolved cohorts get
90 days (so neither the load nor the clock jump passes them), `repair.pipe` a completion limit
of 30 min, which SLA_TIME_SCALE turns into the same seconds as the urgent sign-off.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import datetime

import httpx

RETRYABLE = (httpx.TransportError, httpx.TimeoutException)
COHORTS = ("unsigned", "signed", "plain", "completion", "unsigned", "closing", "plain",
           "racing")
CATEGORY = {"unsigned": "repair.seepage", "signed": "suggestion", "plain": "dispute.neighbor",
            "completion": "repair.pipe", "closing": "repair.public", "racing": "repair.ac_drip"}
FAR = 90 * 24 * 60  # the longest limit dispatch takes
LIMITS = {"suggestion": (FAR, FAR), "dispute.neighbor": (FAR, FAR),
          "repair.pipe": (FAR, 30), "repair.public": (FAR, FAR), "repair.ac_drip": (FAR, FAR)}
# Which categories a meeting's `assigned` gives a sign-off clock that passes in the run.
SHORT_SIGNOFF = {"repair.seepage"}


def cohort(n: int) -> str:
    return COHORTS[n % len(COHORTS)]


def resident_action(n: int) -> str:
    """What the resident of racing report n does: confirm, or (every other one) reopen."""
    return "reopen" if (n // len(COHORTS)) % 2 else "confirm"


async def post_until(client: httpx.AsyncClient, url: str, *, headers: dict, deadline: float,
                     what: str, json: dict | None = None, ok=(200,), final=()
                     ) -> tuple[httpx.Response, int]:
    """POST until an answer in `ok` or `final`; (that answer, retries). Anything else that is
    not worth retrying raises, naming `what`."""
    last = "no answer"
    for attempt in itertools.count():
        if attempt:
            await asyncio.sleep(min(0.1 * 2 ** min(attempt, 5), 2.0))
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: never done; last: {last}")
        try:
            r = await client.post(url, headers=headers, json=json)
        except RETRYABLE as exc:
            last = repr(exc)
            continue
        last = f"{r.status_code} {r.text[:300]}"
        if r.status_code in ok or r.status_code in final:
            return r, attempt
        if r.status_code not in (404, 429) and r.status_code < 500:
            raise RuntimeError(f"{what}: {last}")


async def configure_limits(client: httpx.AsyncClient, system) -> None:
    """PUT `LIMITS` as the community's admin."""
    headers = system.token("admin", "admin-chaos")
    for category, (signoff, completion) in LIMITS.items():
        r = await client.put(f"{system.url('dispatch')}/v1/sla/{category}",
                             json={"signoff_minutes": signoff, "completion_minutes": completion},
                             headers={**headers, "Idempotency-Key": f"chaos-sla-{category}"})
        r.raise_for_status()


async def staff(client: httpx.AsyncClient, system, issue: str, n: int, kind: str,
                deadline: float) -> tuple[int, datetime | None]:
    """Sign issue `issue` off, and resolve it for the closing and racing cohorts; (retries,
    close_due_at of the resolution)."""
    headers = system.token("operator", f"op-chaos-{n}")
    base = f"{system.url('dispatch')}/v1/issues/{issue}"
    _, retries = await post_until(client, f"{base}/accept", deadline=deadline,
                                  headers={**headers, "Idempotency-Key": f"chaos-accept-{n}"},
                                  what=f"sign-off of report {n}")
    if kind not in ("closing", "racing"):
        return retries, None
    r, more = await post_until(client, f"{base}/resolve", json={"note": f"chaos fix {n}"},
                               headers={**headers, "Idempotency-Key": f"chaos-resolve-{n}"},
                               deadline=deadline, what=f"resolution of report {n}")
    return retries + more, datetime.fromisoformat(r.json()["close_due_at"])


async def resident_acts(client: httpx.AsyncClient, system, issue: str, resident: str, n: int,
                        deadline: float) -> tuple[str, int]:
    """Once the resident sees `issue` resolved (or closed, if the close got there first):
    confirm or reopen it. ('accepted', retries), or ('refused', retries) when intake no longer
    allows it (409)."""
    action = resident_action(n)
    headers = system.token("resident", resident)
    url = f"{system.url('intake')}/v1/issues/{issue}"
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError(f"report {n} never seen resolved by its resident")
        try:
            r = await client.get(url, headers=headers)
            if r.status_code == 200 and r.json()["status"] in ("resolved", "closed"):
                break
        except RETRYABLE:
            pass
        await asyncio.sleep(0.2)
    body = {"reason": f"chaos: still broken {n}"} if action == "reopen" else {}
    r, retries = await post_until(client, f"{url}/{action}", json=body, ok=(202,), final=(409,),
                                  headers={**headers, "Idempotency-Key": f"chaos-{action}-{n}"},
                                  deadline=deadline, what=f"{action} of report {n}")
    return ("accepted" if r.status_code == 202 else "refused"), retries
