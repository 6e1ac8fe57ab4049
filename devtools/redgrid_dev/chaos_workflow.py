"""The workflow phase of the chaos run, after the load: every sign-off and resolution done
(faults paused meanwhile with `--fault-tail`), then, under faults again, the racing residents'
confirms and reopens, the clock jump as soon as half of those are in (every 7-day close due,
the meeting day come) and the meeting's minutes. Returns its figures."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import httpx

from redgrid_dev import chaos_clock, chaos_meeting, chaos_work


async def run(client: httpx.AsyncClient, system, figures, deadline: float, log) -> dict:
    """After the load, still under faults: the residents' confirms and reopens, with the clock
    jump (closes due, meeting day come) as soon as half of them are in, then the minutes."""
    begun = time.monotonic()
    await asyncio.gather(*figures.staff)
    log(f"  staff work done in {time.monotonic() - begun:.1f}s")
    if figures.pause is not None:  # faults resume, if they paused for dispatch to catch up
        figures.pause.cancel()
    figures.faulting.set()
    at_race = len(figures.faults)
    racing = [i for i, kind in figures.plan.cohorts.items() if kind == "racing"]
    half, jumped, at_jump = asyncio.Event(), [], []

    async def act(issue: str) -> None:
        n = figures.numbers[issue]
        answer, retries = await chaos_work.resident_acts(
            client, system, issue, figures.residents[issue], n, deadline)
        figures.plan.actions[issue] = (chaos_work.resident_action(n), answer)
        figures.retries["resident"] += retries
        if len(figures.plan.actions) >= len(racing) // 2:
            half.set()

    async def jump() -> None:
        await half.wait()
        jumped.append(chaos_clock.jump(system.clock_file, system.meeting_day, figures.closes))
        at_jump.append(len(figures.faults))
        log(f"  clock jumped {jumped[0]} to the meeting day {system.meeting_day}, "
            f"{len(figures.closes)} closes due, {len(figures.plan.actions)} actions in")

    if len(racing) < 2:
        half.set()
    await asyncio.gather(jump(), *(act(i) for i in racing))
    figures.plan.decisions, retries = await chaos_meeting.hold(client, system,
                                                               system.meeting_day, deadline)
    figures.retries["minutes"] += retries
    log(f"  minutes recorded: {len(figures.plan.decisions)} decisions, "
        f"{time.monotonic() - begun:.1f}s after the load")
    return {"clock_jump_minutes": round(jumped[0].total_seconds() / 60, 1),
            "faults_before_race": at_race, "faults_before_jump": at_jump[0], "faults_before_minutes": len(figures.faults),
            "resident_actions": dict(Counter(f"{a} {b}" for a, b in
                                             figures.plan.actions.values())),
            "meeting_decisions": dict(Counter(figures.plan.decisions.values()))}
