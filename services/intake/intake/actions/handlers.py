"""Resident actions as use cases: decide on the locked issue row, append the event to the
issue's stream, update the view and timeline, all in one transaction through `run_command`.
"""

from collections.abc import Callable
from datetime import datetime

import asyncpg

from intake import handlers as issues
from intake import store
from intake.actions import decide
from intake.actions.models import Cancel, Comment, Rate, Reopen
from intake.words.language import DEFAULT, Lang
from redgrid_shared import idempotency, topics
from redgrid_shared.auth import Principal
from redgrid_shared.clock import Clock, system_clock
from redgrid_shared.events import EventData, envelope
from redgrid_shared.eventstore import PgEventStore

Decide = Callable[[asyncpg.Record, datetime], EventData]


async def _act(pool: asyncpg.Pool, *, principal: Principal, issue_id: str, key: str | None,
               name: str, payload: dict, decide_with: Decide, clock: Clock, lang: Lang,
               answer: str) -> idempotency.CommandResult:
    """Run one action; `answer` is `timeline` (201 with the new entry) or `issue` (the view)."""

    locked: dict[str, asyncpg.Record] = {}

    async def authorize(conn: asyncpg.Connection) -> None:
        # Before any replay: a caller who may no longer see the issue gets 404, not a replay.
        # The row stays locked for this transaction, so the effect decides on it as read.
        locked["issue"] = await issues.visible_issue(conn, principal, issue_id,
                                                     for_update=True)

    async def effect(conn: asyncpg.Connection) -> tuple[int, dict]:
        issue = locked["issue"]  # authorize runs first in every attempt's transaction
        now = clock()
        event = decide_with(issue, now)
        env = envelope(event, service=issues.SERVICE, subject=issue_id, time=now)
        version = await PgEventStore(conn).append(issues.stream_of(issue_id),
                                                  issue["stream_version"], [env],
                                                  topic=topics.INTAKE_EVENTS)
        changes = decide.evolve_own(event, event_id=env.id, at=now)
        await store.update_issue(conn, issue_id, {**changes, "stream_version": version})
        await issues.add_to_timeline(conn, env, issue_id)
        if answer == "timeline":
            row = await store.timeline_row(conn, env.id)
            return 201, issues.timeline_entry(row, lang).model_dump(mode="json")
        row = await store.fetch_issue(conn, issue_id)
        status = 202 if name in decide.ASKED_STATUS else 201
        return status, issues.view(row, lang).model_dump(mode="json")

    return await idempotency.run_command(
        pool, principal=principal, key=key, operation=f"{name}:{issue_id}", payload=payload,
        effect=effect, authorize=authorize)


async def comment(pool: asyncpg.Pool, *, principal: Principal, issue_id: str, command: Comment,
                  key: str | None, clock: Clock = system_clock,
                  lang: Lang = DEFAULT) -> idempotency.CommandResult:
    """Add a comment to the timeline (the resident, the grid's staff, the community's desk)."""
    return await _act(pool, principal=principal, issue_id=issue_id, key=key, name="comment",
                      payload=command.model_dump(mode="json"), clock=clock, lang=lang,
                      answer="timeline",
                      decide_with=lambda issue, _: decide.decide_comment(principal, issue, command))


async def cancel(pool: asyncpg.Pool, *, principal: Principal, issue_id: str, command: Cancel,
                 key: str | None, clock: Clock = system_clock,
                 lang: Lang = DEFAULT) -> idempotency.CommandResult:
    """Withdraw a report before work starts; dispatch settles it."""
    return await _act(pool, principal=principal, issue_id=issue_id, key=key, name="cancel",
                      payload=command.model_dump(mode="json"), clock=clock, lang=lang,
                      answer="issue",
                      decide_with=lambda issue, _: decide.decide_cancel(principal, issue, command))


async def confirm(pool: asyncpg.Pool, *, principal: Principal, issue_id: str, key: str | None,
                  clock: Clock = system_clock, lang: Lang = DEFAULT) -> idempotency.CommandResult:
    """Accept the fix of a resolved issue; dispatch settles it and the issue closes."""
    return await _act(pool, principal=principal, issue_id=issue_id, key=key, name="confirm",
                      payload={}, clock=clock, lang=lang, answer="issue",
                      decide_with=lambda issue, _: decide.decide_confirm(principal, issue))


async def reopen(pool: asyncpg.Pool, *, principal: Principal, issue_id: str, command: Reopen,
                 key: str | None, clock: Clock = system_clock,
                 lang: Lang = DEFAULT) -> idempotency.CommandResult:
    """Send a resolved issue back within 7 days; dispatch settles it and assigns it again."""
    return await _act(pool, principal=principal, issue_id=issue_id, key=key, name="reopen",
                      payload=command.model_dump(mode="json"), clock=clock, lang=lang,
                      answer="issue",
                      decide_with=lambda issue, now: decide.decide_reopen(principal, issue,
                                                                          command, now=now))


async def rate(pool: asyncpg.Pool, *, principal: Principal, issue_id: str, command: Rate,
               key: str | None, clock: Clock = system_clock,
               lang: Lang = DEFAULT) -> idempotency.CommandResult:
    """Rate a resolved or closed issue, once."""
    return await _act(pool, principal=principal, issue_id=issue_id, key=key, name="rating",
                      payload=command.model_dump(mode="json"), clock=clock, lang=lang,
                      answer="issue",
                      decide_with=lambda issue, _: decide.decide_rating(principal, issue, command))
