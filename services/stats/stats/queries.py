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


class Params:
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


def _dims(p: Params, scope: Scope, *, people: bool, alias: str = "") -> str:
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


def meeting_days(scope: Scope) -> tuple[date, date]:
    """The meeting days in the window: days whose midnight lies in [from, to)."""
    start, end = (scope.start or EARLIEST), (scope.end or LATEST)
    first = buckets.day_of(start - TICK) + timedelta(days=1)
    return first, buckets.day_of(end - TICK) + timedelta(days=1)


def _counters(p: Params, c: buckets.Cut, *, kind: str, sel: str, keys: str,
              conds: str) -> str:
    """One index range per whole-bucket range, each summed with its sign (+1, or -1 for a
    range subtracted from its enclosing bucket); no range at all reads nothing."""
    branches = [
        f"""SELECT {sel}, sum(n) * {sign} AS n, sum(amount) * {sign} AS amount FROM counters
            WHERE community = $1 AND kind = '{kind}' AND period = {p(period)}
              AND bucket >= {p(lo)} AND bucket < {p(hi)} AND {conds}
            GROUP BY {keys}"""
        for period, lo, hi, sign in c.buckets]
    return "\n        UNION ALL\n        ".join(branches) or (
        f"SELECT {sel}, 0::numeric AS n, 0::numeric AS amount FROM counters "
        f"WHERE false AND {conds} GROUP BY {keys}")  # conds hold parameters: keep them typed


def _in_exact(p: Params, c: buckets.Cut, column: str) -> str:
    """Exact rows whose `column` lies in the partial days at the edges."""
    ranges = [f"({column} >= {p(lo)} AND {column} < {p(hi)})" for lo, hi in c.exact]
    return "(" + (" OR ".join(ranges) or "false") + ")"


async def _fetch(db: asyncpg.Pool | asyncpg.Connection, sql: str, args: list) -> list:
    """Run a status query with a plan made for its own moments and ranges, in a read-only
    transaction of its own (from a pool) or of the caller's (a connection).

    A cached generic plan cannot know whether "changed after as_of" means ten issues or ten
    thousand: at 100k issues it took 300 ms where a custom plan takes 2 ms. `SET LOCAL`
    ends with the transaction, so the pooled connection (which the consumer's projections
    use too) goes back with its plans cached as usual.
    """
    if isinstance(db, asyncpg.Pool):
        async with db.acquire() as conn, conn.transaction(readonly=True):
            return await _fetch(conn, sql, args)
    await db.execute("SET LOCAL plan_cache_mode = force_custom_plan")
    return await db.fetch(sql, *args)


def _rows(records, group: tuple[str, ...]) -> list[Row]:
    return [Row(metric=r["metric"], n=int(r["n"]), amount=float(r["amount"] or 0),
                category=r["category"], source=r["source"],
                **{g: r[g] for g in group}) for r in records if r["n"] or r["amount"]]


async def flows(pool: asyncpg.Pool, scope: Scope, *, group: tuple[str, ...] = (),
                people: bool = False, daily: bool = False) -> list[Row]:
    """Event figures in [from, to) up to as_of, summed per metric (and `group`)."""
    p = Params(scope.community)
    sql = _flows_sql(p, scope, group=group, people=people, daily=daily)
    return _rows(await pool.fetch(sql, *p.args), group)  # a generic plan serves these well


def _flows_sql(p: Params, scope: Scope, *, group: tuple[str, ...] = (), people: bool = False,
               daily: bool = False) -> str:
    c = _cut(scope, True, daily)
    sel_b, keys = _select(group, day_expr="bucket", breakdowns=not people)
    sel_e, _ = _select(group, day_expr="(at AT TIME ZONE 'Asia/Shanghai')::date",
                       breakdowns=not people)
    conds = f"{_dims(p, scope, people=people)} AND {_totals(scope, group, people, events=True)}"
    sql = f"""
        {_counters(p, c, kind="f", sel=sel_b, keys=keys, conds=conds)}
        UNION ALL
        SELECT {sel_e}, sum(n), sum(amount) FROM issue_flows
        WHERE community = $1 AND {_in_exact(p, c, "at")} AND {_dims(p, scope, people=people)}
        GROUP BY {keys}"""
    return sql


_STATE_METRICS = f"""unnest(ARRAY['status.' || s.status] || CASE WHEN s.overdue AND s.status =
    ANY(ARRAY{sorted(OPEN_STATUSES)}::text[]) THEN ARRAY['overdue'] ELSE ARRAY[]::text[] END)"""
_STATE_PEOPLE = """(SELECT DISTINCT x FROM unnest(ARRAY['', NULLIF(s.steward, ''),
    NULLIF(s.repairer, '')]) x WHERE x IS NOT NULL)"""


async def states(pool: asyncpg.Pool | asyncpg.Connection, scope: Scope, *, group: tuple[str, ...] = (),
                 people: bool = False, windowed: bool = True) -> list[Row]:
    """Issue figures as of as_of: status (and overdue) of the issues reported in the window
    (`windowed`) or ever (`windowed=False`, the "now" figures)."""
    p = Params(scope.community)
    group = tuple(g for g in group if g != "day")
    sql = _states_sql(p, scope, group=group, people=people, windowed=windowed)
    return _rows(await _fetch(pool, sql, p.args), group)


async def summary_rows(pool: asyncpg.Pool, scope: Scope) -> tuple[list, list, list, int]:
    """(issue rows, event rows, now rows, meetings held) of a summary in one round trip."""
    p = Params(scope.community)
    first, end = meeting_days(scope)
    held = f"""SELECT 'meetings_held' AS metric, NULL::text AS category, NULL::text AS source,
                      count(DISTINCT meeting_date) AS n, 0 AS amount
               FROM meetings WHERE community = $1 AND recorded_at <= {p(scope.as_of)}
                 AND meeting_date >= {p(first)} AND meeting_date < {p(end)}"""
    parts = [("s", _states_sql(p, scope)), ("f", _flows_sql(p, scope)), ("m", held)]
    if scope.start is not None or scope.end is not None:
        parts.append(("n", _states_sql(p, scope, windowed=False)))
    sql = " UNION ALL ".join(f"SELECT '{k}' AS part, * FROM ({q}) AS {k}" for k, q in parts)
    records = await _fetch(pool, sql, p.args)
    split = {k: [r for r in records if r["part"] == k] for k, _ in parts}
    states = _rows(split["s"], ())
    now = _rows(split["n"], ()) if "n" in split else states
    return states, _rows(split["f"], ()), now, int(split["m"][0]["n"])


def _states_sql(p: Params, scope: Scope, *, group: tuple[str, ...] = (), people: bool = False,
                windowed: bool = True) -> str:
    c = _cut(scope, windowed, False)
    sel, keys = _select(group, day_expr="", breakdowns=not people)
    t = p(scope.as_of)
    whole_lo, whole_hi = ((buckets.midnight(c.days[0]), buckets.midnight(c.days[1]))
                          if c.days else (scope.as_of, scope.as_of))
    at_t = f"s.from_at <= {t} AND (s.to_at IS NULL OR s.to_at > {t})"
    lo, hi = p(whole_lo), p(whole_hi)
    # One row per metric (status, overdue) and, when people are asked for, per assignee.
    person = "pp.person" if people or scope.staff else "''::text"
    lateral = f"CROSS JOIN LATERAL {_STATE_PEOPLE} AS pp(person)" if people or scope.staff else ""
    expanded = f"""SELECT s.*, m.metric, {person} AS person FROM issue_states s
        CROSS JOIN LATERAL {_STATE_METRICS} AS m(metric) {lateral}"""
    conds = f"{_dims(p, scope, people=people)} AND {_totals(scope, group, people, events=False)}"
    sql = f"""
        {_counters(p, c, kind="s", sel=sel, keys=keys, conds=conds)}
        UNION ALL
        SELECT {sel}, count(*), 0 FROM (
            {expanded}
            WHERE s.community = $1 AND {_in_exact(p, c, "s.reported_at")} AND {at_t}) e
        WHERE {_dims(p, scope, people=people)}
        GROUP BY {keys}
        UNION ALL
        SELECT {sel}, -count(*), 0 FROM (
            {expanded}
            WHERE s.community = $1 AND s.to_at IS NULL AND s.from_at > {t}
              AND s.reported_at >= {lo} AND s.reported_at < {hi}) e
        WHERE {_dims(p, scope, people=people)}
        GROUP BY {keys}
        UNION ALL
        SELECT {sel}, count(*), 0 FROM (
            {expanded}
            WHERE s.community = $1 AND s.to_at > {t} AND s.from_at <= {t}
              AND s.reported_at >= {lo} AND s.reported_at < {hi}) e
        WHERE {_dims(p, scope, people=people)}
        GROUP BY {keys}"""
    return sql


async def state_changes(pool: asyncpg.Pool | asyncpg.Connection, scope: Scope, *, after: datetime,
                        until: datetime) -> list[Row]:
    """How the day-end states move between two moments: per Shanghai day and metric, the
    intervals that began (+1) or ended (-1) in (after, until]. An interval holds at t when
    from_at <= t < to_at, so its +1 falls on the day of from_at and its -1 on the day of to_at.
    Added to the states as of `after`, they give the states at each later day's end."""
    p = Params(scope.community)
    lo, hi = p(after), p(until)
    person = "pp.person" if scope.staff else "''::text"
    lateral = f"CROSS JOIN LATERAL {_STATE_PEOPLE} AS pp(person)" if scope.staff else ""
    dims = _dims(p, scope, people=False)

    def edge(column: str, sign: int) -> str:
        return f"""SELECT e.metric, (e.{column} AT TIME ZONE '{buckets.TZ.key}')::date AS day,
                          {sign} AS n
            FROM (SELECT s.*, m.metric, {person} AS person FROM issue_states s
                  CROSS JOIN LATERAL {_STATE_METRICS} AS m(metric) {lateral}
                  WHERE s.community = $1 AND s.{column} > {lo} AND s.{column} <= {hi}) e
            WHERE {dims}"""

    sql = f"""SELECT metric, day, sum(n) AS n FROM ({edge("from_at", 1)}
              UNION ALL {edge("to_at", -1)}) c GROUP BY metric, day"""
    return [Row(metric=r["metric"], n=int(r["n"]), day=r["day"])
            for r in await _fetch(pool, sql, p.args)]

