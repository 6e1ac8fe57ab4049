"""The 逢四说事 meeting of the chaos run, recorded through dispatch's API during the faults.

Once the clock jump has brought the meeting day (`chaos_clock`), an operator reads the day's
agenda (the issues escalated during the load), decides up to `MAX_DECISIONS` items in turn
resolved / assigned to a unit / referred / carried, leaves the rest out (so they are carried),
and POSTs the minutes with one Idempotency-Key until a 201 comes back. The decisions the
minutes hold are then checked against what was sent: any other answer fails the run at once.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date

import httpx

from redgrid_dev.chaos_work import RETRYABLE, post_until

KINDS = ("resolved", "assigned", "referred", "carried")
MAX_DECISIONS = 300  # the rest of a long agenda is left out, hence carried
ATTENDEES = {"community": ["社区书记 黄建华"], "property_company": ["物业经理 李明"],
             "owner_representatives": ["3栋 王阿姨"], "volunteers": ["志愿者 小周"]}


def decision(i: int, issue: str) -> dict:
    kind = KINDS[i % len(KINDS)]
    d = {"issue_id": issue, "decision": kind, "note": f"chaos decision {i}"}
    if kind == "assigned":
        d["unit"] = "后盾单位 区住建局"
    if kind == "referred":
        d["department"] = "street_office"
    return d


async def agenda(client: httpx.AsyncClient, system, day: date, deadline: float) -> list[str]:
    """The issue ids on the agenda of `day`, read through the faults."""
    while True:
        try:
            r = await client.get(f"{system.url('dispatch')}/v1/meetings/{day.isoformat()}",
                                 headers=system.token("operator", "op-chaos-minutes"))
            if r.status_code == 200:
                return sorted(item["issue_id"] for item in r.json()["agenda"])
        except RETRYABLE:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"agenda of {day} never read")
        await asyncio.sleep(0.5)


async def hold(client: httpx.AsyncClient, system, day: date, deadline: float
               ) -> tuple[dict[str, str], int]:
    """Record the minutes of `day`; ({issue: decision} as held, retries)."""
    items = await agenda(client, system, day, deadline)
    sent = [decision(i, issue) for i, issue in enumerate(items[:MAX_DECISIONS])]
    headers = {**system.token("operator", "op-chaos-minutes"),
               "Idempotency-Key": f"chaos-minutes-{day.isoformat()}"}
    r, retries = await post_until(
        client, f"{system.url('dispatch')}/v1/meetings/{day.isoformat()}/minutes",
        json={"attendees": ATTENDEES, "decisions": sent}, headers=headers, ok=(201,),
        deadline=deadline, what=f"minutes of {day}")
    held = {item["issue_id"]: item["decision"]["decision"] for item in r.json()["agenda"]}
    wanted = {d["issue_id"]: d["decision"] for d in sent}
    wrong = {i: (wanted.get(i, "carried"), held.get(i)) for i in set(held) | set(wanted)
             if held.get(i) != wanted.get(i, "carried")}
    if wrong:
        raise RuntimeError(f"minutes of {day} hold other decisions than sent "
                           f"(issue: (sent, held)): {dict(list(wrong.items())[:10])}")
    return held, retries
