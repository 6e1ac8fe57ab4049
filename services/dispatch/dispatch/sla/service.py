"""SLA use cases: read a community's limits, change one category's (admin, sla.changed)."""

import asyncpg

from redgrid_shared import catalog, idempotency, topics
from redgrid_shared.auth import Principal
from redgrid_shared.clock import Clock
from redgrid_shared.events import SlaChanged, envelope
from redgrid_shared.eventstore import PgEventStore

from dispatch import SERVICE
from dispatch.sla import store
from dispatch.sla.limits import AUTO_CLOSE, category_limits
from dispatch.sla.models import CategoryLimitsView, SetLimits, SlaView


def sla_stream(community: str) -> str:
    return f"sla-{community}"


def _minutes(span) -> int:
    return int(span.total_seconds() // 60)


async def read(db, *, community: str, time_scale: float) -> SlaView:
    """Every category's limits in the community, defaults and overrides together."""
    overrides = await store.overrides(db, community)
    return SlaView(
        community=community,
        categories=[CategoryLimitsView(**category_limits(code, overrides).__dict__)
                    for code in catalog.CATEGORIES],
        vulnerable={"signoff_minutes": _minutes(catalog.URGENT_SIGNOFF),
                    "completion_minutes": _minutes(catalog.URGENT_COMPLETION)},
        auto_close_minutes=_minutes(AUTO_CLOSE), time_scale=time_scale)


def decide_change(current: tuple[int, int], body: SetLimits, *, community: str,
                  category: str, by: str) -> SlaChanged | None:
    """The event a PUT records; None when the limits are already these."""
    if (body.signoff_minutes, body.completion_minutes) == current:
        return None
    return SlaChanged(community=community, category=category,
                      signoff_minutes=body.signoff_minutes,
                      completion_minutes=body.completion_minutes, changed_by=by)


async def change(pool: asyncpg.Pool, *, category: str, body: SetLimits, principal: Principal,
                 key: str | None, clock: Clock) -> idempotency.CommandResult:
    """PUT one category's limits; deadlines already running keep theirs."""
    async def effect(conn: asyncpg.Connection) -> tuple[int, dict]:
        events = PgEventStore(conn)
        stream = sla_stream(principal.community)
        version = await events.version(stream)
        limits = category_limits(category, await store.overrides(conn, principal.community))
        event = decide_change((limits.signoff_minutes, limits.completion_minutes), body,
                              community=principal.community, category=category,
                              by=principal.sub)
        if event is not None:
            now = clock()
            version = await events.append(
                stream, version, [envelope(event, service=SERVICE, subject=principal.community,
                                           time=now)], topic=topics.DISPATCH_EVENTS)
            await store.save(conn, event, at=now, version=version)
        after = category_limits(category, await store.overrides(conn, principal.community))
        return 200, CategoryLimitsView(**after.__dict__).model_dump(mode="json")

    return await idempotency.run_command(
        pool, principal=principal, key=key, operation=f"put-sla:{category}",
        payload=body.model_dump(mode="json"), effect=effect)
