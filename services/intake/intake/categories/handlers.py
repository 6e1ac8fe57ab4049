"""Categories with the limits dispatch applies in the caller's community.

Dispatch owns the limits; intake learns each community's from `sla.changed` on the dispatch
topic and keeps the latest per (community, category). A category no event changed shows the
catalogue's default.
"""

from datetime import timedelta

import asyncpg

from intake.categories import store
from intake.categories.models import CategoryView
from intake.words.language import Lang
from redgrid_shared import catalog
from redgrid_shared.events import Envelope, SlaChanged

MINUTE = timedelta(minutes=1)


def category_views(lang: Lang, limits: dict[str, tuple[int, int]] | None = None
                   ) -> list[CategoryView]:
    """The catalogue in `lang`, with `limits` (code -> sign-off, completion minutes) applied."""
    limits = limits or {}
    views = []
    for c in catalog.CATEGORIES.values():
        default = (c.signoff // MINUTE, c.completion // MINUTE)
        signoff, completion = limits.get(c.code, default)
        views.append(CategoryView(
            code=c.code, label=c.label_zh if lang == "zh" else c.label_en,
            label_zh=c.label_zh, label_en=c.label_en, needs_repairer=c.needs_repairer,
            priority=c.priority, signoff_minutes=signoff, completion_minutes=completion,
            limits_source="community" if c.code in limits else "default"))
    return views


async def list_categories(pool: asyncpg.Pool | None, *, community: str | None,
                          lang: Lang) -> list[CategoryView]:
    """Defaults for an anonymous caller; the community's current limits for a signed-in one."""
    if community is None or pool is None:
        return category_views(lang)
    async with pool.acquire() as conn:
        return category_views(lang, await store.community_limits(conn, community))


async def on_sla_changed(conn: asyncpg.Connection, env: Envelope, event: SlaChanged) -> None:
    """Keep the newest limits per (community, category); an older event arriving late loses."""
    await store.save_limits(conn, community=event.community, category=event.category,
                            signoff_minutes=event.signoff_minutes,
                            completion_minutes=event.completion_minutes, changed_at=env.time)
