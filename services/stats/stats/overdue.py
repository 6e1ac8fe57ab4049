"""`GET /v1/stats/overdue`: the issues overdue at as_of, most overdue first — the desk's chase list.

An issue is overdue while it is open and a deadline it had passed (dispatch's `issue.overdue`,
emitted once per missed deadline); it leaves the list when signed off, finished, cancelled or
otherwise closed. Read from the stats projections (`issue_states` intervals, `issue_events`).
"""

from datetime import datetime

import asyncpg
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from redgrid_shared.deps import PoolDep
from redgrid_shared.errors import ERROR_RESPONSES

from stats.api import ScopeDep
from stats.scope import Scope
from stats.timeline import OPEN_STATUSES

router = APIRouter(prefix="/v1/stats", tags=["stats"], responses=ERROR_RESPONSES)


class OverdueIssue(BaseModel):
    issue_id: str
    category: str
    source: str
    status: str
    grid_id: str | None
    steward: str | None
    repairer: str | None
    reported_at: datetime
    deadline: str | None = Field(description="signoff or completion: the last one missed")
    due_at: datetime | None = Field(description="when that deadline passed")


class OverdueView(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{
        "community": "erqiaoxi", "as_of": "2026-11-30T10:00:00Z", "total": 1,
        "issues": [{"issue_id": "iss-3f9c2a7d41b0e865", "category": "repair.seepage",
                    "source": "app", "status": "assigned", "grid_id": "g-01",
                    "steward": "s-01", "repairer": "r-01",
                    "reported_at": "2026-11-27T01:00:00Z", "deadline": "signoff",
                    "due_at": "2026-11-27T01:30:00Z"}]}]}}

    community: str
    as_of: datetime
    total: int = Field(description="overdue issues in the selection (the list may be cut)")
    issues: list[OverdueIssue]


async def overdue_issues(pool: asyncpg.Pool, scope: Scope, *, limit: int) -> OverdueView:
    """Open issues flagged overdue at as_of, narrowed by grid, staff, category and source."""
    rows = await pool.fetch(
        """SELECT s.issue_id, s.category, s.source, s.status, s.grid, s.steward, s.repairer,
                  s.reported_at, e.data->>'deadline' AS deadline,
                  (e.data->>'due_at')::timestamptz AS due_at
           FROM issue_states s
           LEFT JOIN LATERAL (
               SELECT data FROM issue_events
               WHERE community = s.community AND issue_id = s.issue_id
                 AND type = 'issue.overdue' AND at <= $2
               ORDER BY at DESC LIMIT 1) e ON true
           WHERE s.community = $1 AND s.overdue AND s.status = ANY($3::text[])
             AND s.from_at <= $2 AND (s.to_at IS NULL OR s.to_at > $2)
             AND (cardinality($4::text[]) = 0 OR s.grid = ANY($4))
             AND (cardinality($5::text[]) = 0 OR s.steward = ANY($5) OR s.repairer = ANY($5))
             AND (cardinality($6::text[]) = 0 OR s.category = ANY($6))
             AND (cardinality($7::text[]) = 0 OR s.source = ANY($7))
           ORDER BY due_at NULLS LAST, s.reported_at, s.issue_id""",
        scope.community, scope.as_of, sorted(OPEN_STATUSES), list(scope.grid),
        list(scope.staff), list(scope.category), list(scope.source))
    issues = [OverdueIssue(issue_id=r["issue_id"], category=r["category"], source=r["source"],
                           status=r["status"], grid_id=r["grid"] or None,
                           steward=r["steward"] or None, repairer=r["repairer"] or None,
                           reported_at=r["reported_at"], deadline=r["deadline"],
                           due_at=r["due_at"]) for r in rows]
    return OverdueView(community=scope.community, as_of=scope.as_of, total=len(issues),
                       issues=issues[:limit])


@router.get("/overdue", response_model=OverdueView, summary="Issues overdue now (or at as_of)",
            description="Open issues past a sign-off or completion deadline at `as_of`, the "
                        "most overdue first; `grid`, `staff`, `category`, `source` narrow it, "
                        "the window (`from`, `to`) does not apply. The query language is in "
                        "docs/api.md (stats).")
async def overdue(pool: PoolDep, scoped: ScopeDep,
                  limit: int = Query(100, ge=1, le=1000, description="at most this many")
                  ) -> OverdueView:
    return await overdue_issues(pool, scoped, limit=limit)
