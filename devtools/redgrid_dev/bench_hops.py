"""Where an open-loop report's time goes, hop by hop, from the rows the services wrote.

PostgreSQL's `now()` is the start of the writing transaction, so each boundary is the start
of a step: intake's request transaction (`recorded_at` of `issue.reported`), intake's relay
marking it sent after the broker acknowledged (`published_at`), dispatch's batch transaction
(`processed_at` of its dedupe row; the assignment's `recorded_at` is the same instant),
dispatch's relay marking `issue.assigned` sent, the bench's consumer seeing it. All clocks
are this machine's wall clock.
"""

from __future__ import annotations

import statistics

import asyncpg

HOPS = ("POST -> intake transaction", "intake transaction -> relay sent",
        "relay sent -> dispatch transaction", "dispatch transaction -> relay sent",
        "relay sent -> seen by the bench")


async def hops(database_url: str, sent: dict[str, float], seen: dict[str, float], *,
               intake: str = "intake", dispatch: str = "dispatch") -> dict[str, dict]:
    """Median and p90 in ms of each hop over the issues sent (wall-clock seconds)."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(f"""
            SELECT r.data->>'issue_id' AS issue, extract(epoch FROM r.recorded_at) AS t1,
                   extract(epoch FROM r.published_at) AS t2,
                   extract(epoch FROM p.processed_at) AS t3,
                   extract(epoch FROM a.published_at) AS t4
            FROM {intake}.events r
            JOIN {dispatch}.processed_events p ON p.event_id = r.event_id
            JOIN {dispatch}.events a ON a.type LIKE '%issue.assigned'
                 AND a.data->>'issue_id' = r.data->>'issue_id'
            WHERE r.type LIKE '%issue.reported' AND r.data->>'issue_id' = ANY($1::text[])""",
            list(sent))
    finally:
        await conn.close()
    spans: list[list[float]] = [[] for _ in HOPS]
    for row in rows:
        if row["issue"] not in seen or row["t4"] is None:
            continue
        marks = [sent[row["issue"]], *(float(row[k]) for k in ("t1", "t2", "t3", "t4")),
                 seen[row["issue"]]]
        for i, span in enumerate(spans):
            span.append((marks[i + 1] - marks[i]) * 1000)
    return {name: {"p50": round(statistics.median(s), 2),
                   "p90": round(statistics.quantiles(s, n=10)[-1], 2)}
            for name, s in zip(HOPS, spans) if len(s) >= 2}
