"""`POST /v1/admin/import`, the same in intake and dispatch: each records the part it owns.

parse the whole file (422 listing every bad line) -> plan -> in one transaction: check every
stream (409 listing conflicting lines), write the new ones, let the service update its own
read models (`after_write`), remember the Idempotency-Key. A dry run stops before writing.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from redgrid_shared import idempotency, ledger
from redgrid_shared.auth import Caller, Principal, require_role
from redgrid_shared.clock import system_clock
from redgrid_shared.deps import IdempotencyKey, PoolDep
from redgrid_shared.errors import ERROR_RESPONSES, ApiError
from redgrid_shared.ledger import record

AfterWrite = Callable[[asyncpg.Connection, ledger.Plan, record.Outcome], Awaitable[None]]
EXAMPLE_CSV = ("ledger_id,category,description,building,reported_at,grid,steward,"
               "signed_off_at,resolved_at,closed_at,rating\n"
               "2025-0117,repair.pipe,厨房下水道堵塞,b-03,2025-03-01 09:12,g-01,s-01,"
               "2025-03-01 09:40,2025-03-01 15:00,2025-03-02,5\n")


class ImportLedger(BaseModel):
    """A whole ledger file; it is imported entirely or not at all."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"format": "csv", "content": EXAMPLE_CSV, "dry_run": False}]})
    format: ledger.Format = Field(description="csv (header row first) or jsonl (one object a line)")
    content: str = Field(max_length=16 * 1024 * 1024, description="the file's text, UTF-8")
    dry_run: bool = Field(False, description="check everything, write nothing")


class ImportResult(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"service": "dispatch", "dry_run": False, "rows": 1695, "streams_written": 1721,
         "streams_already": 0, "events_written": 6469, "issues_written": 1695}]})
    service: str
    dry_run: bool
    rows: int = Field(description="rows in the file")
    streams_written: int = Field(description="streams this service recorded now")
    streams_already: int = Field(
        description="streams recorded by an earlier import of the same rows")
    events_written: int
    issues_written: int


def _error(description: str, code: str, message: str, fields: dict) -> dict:
    example = {"error": {"code": code, "message": message, "fields": fields}}
    return {"description": description, "content": {"application/json": {"example": example}}}


DESCRIBED = {
    403: "Not an admin",
    409: "A row's issue, meeting or campaign already holds other events (ledger_conflict, "
         "keyed by line); nothing was imported",
    422: "A bad row: every problem with its line number (invalid_ledger); nothing was imported",
}
RESPONSES = {
    **ERROR_RESPONSES,
    403: _error(DESCRIBED[403], "forbidden", "only an admin may import a ledger", {}),
    409: _error("A row's issue, meeting or campaign already holds other events", "ledger_conflict",
                "1 ledger line(s) conflict with recorded history; nothing was imported",
                {"line 7: ledger_id": "issue-iss-... already holds other events"}),
    422: _error("A bad row: every problem with its line number; nothing was imported",
                "invalid_ledger", "2 problem(s) in the ledger; nothing was imported",
                {"line 3: reported_at": "Input should be a valid datetime",
                 "line 9: category": "unknown category code"}),
}


def admin(caller: Caller) -> Principal:
    require_role(caller, "admin")
    return caller


def make_router(*, service: str, topic: str, after_write: AfterWrite | None = None,
                responses: dict | None = None) -> APIRouter:
    """The import route of one service; `after_write` updates that service's read models,
    `responses` documents its error answers in the service's own style (default: RESPONSES)."""
    router = APIRouter(prefix="/v1/admin", tags=["ledger import"])

    @router.post("/import", response_model=ImportResult, responses=responses or RESPONSES,
                 summary="Import a paper ledger (台账) of past issues (admin)")
    async def import_ledger(body: ImportLedger, request: Request,
                            caller: Annotated[Principal, Depends(admin)], pool: PoolDep,
                            key: IdempotencyKey) -> JSONResponse:
        """Record this service's part of a ledger file with the original times.

        Events say `imported: true`; clocks never run for them. Importing the same file again
        changes nothing. Post the same file to intake first, then dispatch
        (`python -m redgrid_dev import-ledger` does, with a dry run of both first).
        """
        now = (getattr(request.app.state, "clock", None) or system_clock)()
        try:
            lines = ledger.parse(body.content, body.format, community=caller.community, now=now)
        except ledger.LedgerInvalid as err:
            raise ApiError(422, "invalid_ledger",
                           f"{len(err.problems)} problem(s) in the ledger; nothing was imported",
                           err.problems) from None
        plan = ledger.build(lines, community=caller.community, importer=caller.sub)
        streams = getattr(plan, service)

        async def effect(conn: asyncpg.Connection) -> tuple[int, dict]:
            outcome = await record.check(conn, streams)
            if outcome.conflicts:
                raise ApiError(409, "ledger_conflict",
                               f"{len(outcome.conflicts)} ledger line(s) conflict with recorded "
                               "history; nothing was imported", outcome.conflicts)
            if not body.dry_run:
                await record.write(conn, outcome, topic=topic)
                if after_write is not None:
                    await after_write(conn, plan, outcome)
            issues = sum(1 for s in outcome.written if s.stream_id.startswith("issue-"))
            return 200, ImportResult(
                service=service, dry_run=body.dry_run, rows=len(lines),
                streams_written=len(outcome.written), streams_already=len(outcome.already),
                events_written=outcome.events_written, issues_written=issues,
            ).model_dump()

        result = await idempotency.run_command(
            pool, principal=caller, key=key, operation=f"import-ledger:{service}",
            payload=body.model_dump(mode="json"), effect=effect)
        return result.response()

    return router
