"""Every read of the stats projections. Writes live in store.py.

A figure is a sum of rows of two kinds (see docs/decisions.md):
- whole buckets of `counters` (kind f: events by event day/month/year; kind s: the current
  status of issues by report day/month/year), cut by `buckets.cut`;
- exact rows (`issue_flows`, `issue_states`) for partial days and for "as of" corrections:
  issues whose state changed after `as_of` are moved back to the state they had then.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import asyncpg

from stats import buckets
from stats.scope import EARLIEST, LATEST, Scope
from stats.timeline import OPEN_STATUSES

TICK = timedelta(microseconds=1)
GROUPS = ("grid", "person", "day")


@dataclass(frozen=True)
class Row:
    metric: str
    n: int
    amount: float = 0.0
    category: str | None = None
    source: str | None = None
    grid: str | None = None
    person: str | None = None
    day: date | None = None


class _Sql:
    """Collects positional parameters while a statement is written."""

    def __init__(self, *args):
        self.args = list(args)

    def __call__(self, value) -> str:
        self.args.append(value)
        return f"${len(self.args)}"


def _totals(scope: Scope, group: tuple[str, ...], people: bool, *, events: bool) -> str:
    """Which counter rows to read: the community's totals ('*') when nothing needs the
    dimensions they collapse, else the per-grid rows (never both: that would count twice)."""
    collapsed = not (scope.grid or scope.staff or people or "grid" in group)
    if events:
        collapsed = collapsed and not (scope.category or scope.source)
        return "grid = '*' AND category = '*'" if collapsed else "grid <> '*'"
    return "grid = '*'" if collapsed else "grid <> '*'"


def _dims(p: _Sql, scope: Scope, *, people: bool, alias: str = "") -> str:
    """Conditions on grid, category, source and person (credited person or the issue: '')."""
    a = alias
    conds = []
    if scope.grid:
        conds.append(f"{a}grid = ANY({p(list(scope.grid))}::text[])")
    if scope.category:
        conds.append(f"{a}category = ANY({p(list(scope.category))}::text[])")
    if scope.source:
        conds.append(f"{a}source = ANY({p(list(scope.source))}::text[])")
    if scope.staff:
        conds.append(f"{a}person = ANY({p(list(scope.staff))}::text[])")
    elif people:
        conds.append(f"{a}person <> ''")
    else:
        conds.append(f"{a}person = ''")
    return " AND ".join(conds)


def _select(group: tuple[str, ...], *, day_expr: str,
            breakdowns: bool = True) -> tuple[str, str]:
    """Columns and GROUP BY of a sum: metric, the collected breakdowns (unless a person's
    figures, which have none), and `group`."""
    split = "metric = 'collected' OR metric LIKE 'status.%'" if breakdowns else "false"
    cols = ["metric", f"CASE WHEN {split} THEN category END AS category",
            f"CASE WHEN {split} THEN source END AS source"]
    keys = ["1", "2", "3"]
    for g in group:
        cols.append(day_expr + " AS day" if g == "day" else g)
        keys.append(str(len(cols)))
    return ", ".join(cols), ", ".join(keys)


def _window(scope: Scope, *, windowed: bool = True) -> tuple[datetime, datetime]:
    start = (scope.start or EARLIEST) if windowed else EARLIEST
    end = min((scope.end or LATEST) if windowed else LATEST, scope.as_of + TICK)
    return start, max(start, end)


def _cut(scope: Scope, windowed: bool, daily: bool) -> buckets.Cut:
    start, end = _window(scope, windowed=windowed)
    c = buckets.cut(start, end)
    if daily and c.days:  # a series needs each day on its own: the same days, as days
        c = buckets.Cut(((buckets.DAY, *c.days, 1),), c.exact, c.days)
    return c


def _days(scope: Scope) -> tuple[date, date]:
    """The meeting days in the window: days whose midnight lies in [from, to)."""
    start, end = (scope.start or EARLIEST), (scope.end or LATEST)
    first = buckets.day_of(start - TICK) + timedelta(days=1)
    return first, buckets.day_of(end - TICK) + timedelta(days=1)


def _in_buckets(p: _Sql, c: buckets.Cut) -> tuple[str, str]:
    """The counter rows of the whole buckets as plain ranges the indexes answer, and the
    sign each row is counted with (a range subtracted from an enclosing bucket is -1)."""
    ranges = [(f"(period = {p(period)} AND bucket >= {p(lo)} AND bucket < {p(hi)})", sign)
              for period, lo, hi, sign in c.buckets]
    where = "(" + (" OR ".join(r for r, _ in ranges) or "false") + ")"
    if all(sign == 1 for _, sign in ranges):
        return where, "1"
    return where, "CASE " + " ".join(f"WHEN {r} THEN {sign}" for r, sign in ranges) + " END"


def _in_exact(p: _Sql, c: buckets.Cut, column: str) -> str:
    """Exact rows whose `column` lies in the partial days at the edges."""
    ranges = [f"({column} >= {p(lo)} AND {column} < {p(hi)})" for lo, hi in c.exact]
    return "(" + (" OR ".join(ranges) or "false") + ")"


async def _fetch(pool: asyncpg.Pool, sql: str, args: list) -> list:
    """Run a figures query with a plan made for its own moments and ranges.

    A cached generic plan cannot know whether "changed after as_of" means ten issues or ten
    thousand, and picked hash joins over every state row (100+ ms instead of 20).
    """
    async with pool.acquire() as conn:
        await conn.execute("SET plan_cache_mode = force_custom_plan")  # reset on release
        return await conn.fetch(sql, *args)


def _rows(records, group: tuple[str, ...]) -> list[Row]:
    return [Row(metric=r["metric"], n=int(r["n"]), amount=float(r["amount"] or 0),
                category=r["category"], source=r["source"],
                **{g: r[g] for g in group}) for r in records if r["n"] or r["amount"]]


async def flows(pool: asyncpg.Pool, scope: Scope, *, group: tuple[str, ...] = (),
                people: bool = False, daily: bool = False) -> list[Row]:
    """Event figures in [from, to) up to as_of, summed per metric (and `group`)."""
    c = _cut(scope, True, daily)
    p = _Sql(scope.community)
    sel_b, keys = _select(group, day_expr="bucket", breakdowns=not people)
    sel_e, _ = _select(group, day_expr="(at AT TIME ZONE 'Asia/Shanghai')::date",
                       breakdowns=not people)
    where, sign = _in_buckets(p, c)
    sql = f"""
        SELECT {sel_b}, sum(n * {sign}) AS n, sum(amount * {sign}) AS amount FROM counters
        WHERE community = $1 AND kind = 'f' AND {where}
          AND {_dims(p, scope, people=people)} AND {_totals(scope, group, people, events=True)}
        GROUP BY {keys}
        UNION ALL
        SELECT {sel_e}, sum(n), sum(amount) FROM issue_flows
        WHERE community = $1 AND {_in_exact(p, c, "at")} AND {_dims(p, scope, people=people)}
        GROUP BY {keys}"""
    return _rows(await _fetch(pool, sql, p.args), group)


_STATE_METRICS = f"""unnest(ARRAY['status.' || s.status] || CASE WHEN s.overdue AND s.status =
    ANY(ARRAY{sorted(OPEN_STATUSES)}::text[]) THEN ARRAY['overdue'] ELSE ARRAY[]::text[] END)"""
_STATE_PEOPLE = """(SELECT DISTINCT x FROM unnest(ARRAY['', NULLIF(s.steward, ''),
    NULLIF(s.repairer, '')]) x WHERE x IS NOT NULL)"""


async def states(pool: asyncpg.Pool, scope: Scope, *, group: tuple[str, ...] = (),
                 people: bool = False, windowed: bool = True) -> list[Row]:
    """Issue figures as of as_of: status (and overdue) of the issues reported in the window
    (`windowed`) or ever (`windowed=False`, the "now" figures)."""
    c = _cut(scope, windowed, False)
    p = _Sql(scope.community)
    group = tuple(g for g in group if g != "day")
    sel, keys = _select(group, day_expr="", breakdowns=not people)
    t = p(scope.as_of)
    whole_lo, whole_hi = ((buckets.midnight(c.days[0]), buckets.midnight(c.days[1]))
                          if c.days else (scope.as_of, scope.as_of))
    where, sign = _in_buckets(p, c)
    at_t = f"s.from_at <= {t} AND (s.to_at IS NULL OR s.to_at > {t})"
    lo, hi = p(whole_lo), p(whole_hi)
    # One row per metric (status, overdue) and, when people are asked for, per assignee.
    person = "pp.person" if people or scope.staff else "''::text"
    lateral = f"CROSS JOIN LATERAL {_STATE_PEOPLE} AS pp(person)" if people or scope.staff else ""
    expanded = f"""SELECT s.*, m.metric, {person} AS person FROM issue_states s
        CROSS JOIN LATERAL {_STATE_METRICS} AS m(metric) {lateral}"""
    sql = f"""
        SELECT {sel}, sum(n * {sign}) AS n, 0 AS amount FROM counters
        WHERE community = $1 AND kind = 's' AND {where}
          AND {_dims(p, scope, people=people)} AND {_totals(scope, group, people, events=False)}
        GROUP BY {keys}
        UNION ALL
        SELECT {sel}, count(*), 0 FROM (
            {expanded}
            WHERE s.community = $1 AND {_in_exact(p, c, "s.reported_at")} AND {at_t}) e
        WHERE {_dims(p, scope, people=people)}
        GROUP BY {keys}
        UNION ALL
        SELECT {sel}, sum(delta), 0 FROM (
            SELECT s.*, m.metric, {person} AS person,
                   CASE WHEN s.to_at IS NULL THEN -1 ELSE 1 END AS delta
            FROM issue_states s CROSS JOIN LATERAL {_STATE_METRICS} AS m(metric) {lateral}
            WHERE s.community = $1 AND s.reported_at >= {lo} AND s.reported_at < {hi}
              AND ((s.to_at IS NULL AND s.from_at > {t})
                   OR (s.to_at > {t} AND s.from_at <= {t}))) e
        WHERE {_dims(p, scope, people=people)}
        GROUP BY {keys}"""
    return _rows(await _fetch(pool, sql, p.args), group)


async def overdue(pool: asyncpg.Pool, scope: Scope, *, limit: int = 500) -> list[asyncpg.Record]:
    """Issues overdue at as_of (oldest report first), within the dimension filters."""
    p = _Sql(scope.community, scope.as_of, sorted(OPEN_STATUSES))
    conds = ""
    for column, values in (("grid", scope.grid), ("category", scope.category),
                           ("source", scope.source)):
        if values:
            conds += f" AND {column} = ANY({p(list(values))}::text[])"
    if scope.staff:
        people = p(list(scope.staff))
        conds += f" AND (steward = ANY({people}::text[]) OR repairer = ANY({people}::text[]))"
    return await pool.fetch(
        f"""SELECT issue_id, category, source, NULLIF(grid, '') AS grid_id,
                   NULLIF(steward, '') AS steward, NULLIF(repairer, '') AS repairer, status,
                   reported_at, from_at AS since
            FROM issue_states WHERE community = $1 AND overdue AND status = ANY($3::text[])
              AND from_at <= $2 AND (to_at IS NULL OR to_at > $2) {conds}
            ORDER BY reported_at, issue_id LIMIT {int(limit)}""", *p.args)


async def grid_holders(pool: asyncpg.Pool, scope: Scope) -> list[asyncpg.Record]:
    """Each grid of the community with its name and holders as configured at as_of."""
    return await pool.fetch(
        """SELECT DISTINCT ON (grid_id) grid_id, name, steward, repairer, from_at
           FROM grid_holders WHERE community = $1 AND from_at <= $2
           ORDER BY grid_id, from_at DESC, event_id DESC""", scope.community, scope.as_of)


async def meetings(pool: asyncpg.Pool, scope: Scope) -> list[asyncpg.Record]:
    """Meetings recorded by as_of whose day lies in the window (latest minutes per day)."""
    first, end = _days(scope)
    return await pool.fetch(
        """SELECT DISTINCT ON (meeting_date) meeting_date, recorded_at, attendees, decisions
           FROM meetings WHERE community = $1 AND recorded_at <= $2
             AND meeting_date >= $3 AND meeting_date < $4
           ORDER BY meeting_date DESC, recorded_at DESC, event_id DESC""",
        scope.community, scope.as_of, first, end)


async def agendas(pool: asyncpg.Pool, scope: Scope) -> list[asyncpg.Record]:
    """Issues escalated to a meeting day not before as_of's day and still waiting at as_of."""
    return await pool.fetch(
        """SELECT meeting_date, count(*) AS agenda FROM issue_states s
           WHERE community = $1 AND status = 'escalated' AND meeting_date >= $3
             AND s.from_at <= $2 AND (s.to_at IS NULL OR s.to_at > $2)
           GROUP BY meeting_date ORDER BY meeting_date""",
        scope.community, scope.as_of, buckets.day_of(scope.as_of))


async def campaigns(pool: asyncpg.Pool, scope: Scope) -> list[asyncpg.Record]:
    return await pool.fetch(
        """SELECT campaign_id, name, categories, departments, starts_on, ends_on, opened_at,
                  CASE WHEN closed_at <= $2 THEN closed_at END AS closed_at,
                  CASE WHEN closed_at <= $2 THEN results END AS results
           FROM campaigns WHERE community = $1 AND opened_at <= $2
             AND ends_on >= $3 AND starts_on < $4
           ORDER BY starts_on DESC, campaign_id""",
        scope.community, scope.as_of, *_days(scope))


async def campaign_issues(pool: asyncpg.Pool, scope: Scope) -> list[asyncpg.Record]:
    """Per campaign, category and status as of as_of: the issues attached by then."""
    p = _Sql(scope.community, scope.as_of)
    conds = ""
    if scope.grid:
        conds += f" AND s.grid = ANY({p(list(scope.grid))}::text[])"
    if scope.category:
        conds += f" AND s.category = ANY({p(list(scope.category))}::text[])"
    if scope.source:
        conds += f" AND s.source = ANY({p(list(scope.source))}::text[])"
    return await pool.fetch(
        f"""SELECT ci.campaign_id, s.category, s.status, count(*) AS n
            FROM campaign_issues ci JOIN issue_states s
              ON s.community = ci.community AND s.issue_id = ci.issue_id
             AND s.from_at <= $2 AND (s.to_at IS NULL OR s.to_at > $2)
            WHERE ci.community = $1 AND ci.added_at <= $2 {conds}
            GROUP BY 1, 2, 3""", *p.args)


async def availability(pool: asyncpg.Pool, scope: Scope) -> dict[str, bool]:
    rows = await pool.fetch(
        """SELECT DISTINCT ON (staff_id) staff_id, available FROM staff_availability
           WHERE community = $1 AND at <= $2 ORDER BY staff_id, at DESC, event_id DESC""",
        scope.community, scope.as_of)
    return {r["staff_id"]: r["available"] for r in rows}
