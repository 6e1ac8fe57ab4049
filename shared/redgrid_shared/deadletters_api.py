"""GET /v1/admin/dead-letters[/{id}] and POST /v1/admin/dead-letters/{id}/retry, mounted
in every service. Admins only: an admin of the operations community (REDGRID_OPS_COMMUNITY,
default `ops`) sees every letter; an admin of any other community sees only letters whose
event belongs to that community (never a malformed record, whose community is unknown)."""

import base64
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from redgrid_shared import codec, deadletters_store as store
from redgrid_shared.auth import Caller, Principal, require_role
from redgrid_shared.deps import IdempotencyKey, PoolDep
from redgrid_shared.errors import ApiError, ErrorResponse, error_responses
from redgrid_shared.idempotency import run_command

router = APIRouter(prefix="/v1/admin/dead-letters", tags=["operations"])
LetterId = Annotated[int, Path(ge=1, le=2**62, description="Dead letter id", examples=[7])]
READ_ERRORS = error_responses(401, 403, 422, 503, model=ErrorResponse)
NOT_FOUND = error_responses(404, model=ErrorResponse,
                            described={404: "No such dead letter visible to this caller"})
RETRY_ERRORS = error_responses(
    400, 408, 409, 413, 415, 429, model=ErrorResponse,
    described={409: "Already resolved, or the handler still fails (the reason is kept)"})
LETTER_EXAMPLE = {
    "id": 7, "topic": "redgrid.dispatch.events", "partition": 1, "offset": 4182,
    "key": "iss-3f9c2a7d41b0e865",
    "headers": {"ce_type": "org.redgrid.issue.assigned", "content-type": "application/json"},
    "value_text": "{\"issue_id\": \"iss-3f9c2a7d41b0e865\", ...}", "value_base64": "eyJpc3N1ZV9p...",
    "event": {"id": "5d0c3f1e-8a8b-4c61-9d1e-2f0d3c4b5a69", "type": "org.redgrid.issue.assigned",
              "source": "/redgrid/dispatch", "subject": "iss-3f9c2a7d41b0e865",
              "time": "2026-11-26T02:30:00+00:00", "data": {"issue_id": "iss-3f9c2a7d41b0e865"}},
    "reason": "handler failed on org.redgrid.issue.assigned ...: LookupError: unknown issue",
    "community": "erqiaoxi", "recorded_at": "2026-11-26T02:30:01+00:00",
    "resolved_at": None, "resolved_by": None, "resolution": None}


class DeadLetter(BaseModel):
    """A consumed record that could not be applied, with why, and how it was resolved."""

    model_config = ConfigDict(json_schema_extra={"examples": [LETTER_EXAMPLE]})

    id: int = Field(examples=[7])
    topic: str = Field(examples=["redgrid.intake.events"])
    partition: int
    offset: int
    key: str | None = Field(None, description="Record key as UTF-8 text", examples=["iss-1"])
    headers: dict[str, str]
    value_text: str | None = Field(None, description="Record value as UTF-8 (lossy)")
    value_base64: str | None = Field(None, description="Record value, exact bytes")
    event: dict[str, Any] | None = Field(None, description="The decoded CloudEvent, if valid")
    reason: str = Field(examples=["handler failed on org.redgrid.issue.reported ...: KeyError"])
    community: str | None = None
    recorded_at: datetime
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolution: str | None = Field(None, examples=["re-applied"])


class DeadLetterPage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"items": [LETTER_EXAMPLE], "next_after": None}]})

    items: list[DeadLetter]
    next_after: int | None = Field(None, description="Pass as `after` for the next page")


def view(row: dict) -> DeadLetter:
    """The API shape of a stored letter."""
    try:
        env = store.decode(row)
        event = {"id": str(env.id), "type": env.type, "source": env.source,
                 "subject": env.subject, "time": env.time.isoformat(), "data": env.data}
    except codec.MalformedEvent:
        event = None
    value, key = row["value"], row["key"]
    return DeadLetter(
        id=row["id"], topic=row["topic"], partition=row["partition"], offset=row["offset"],
        key=key.decode("utf-8", "replace") if key is not None else None,
        headers=row["headers"] or {}, event=event, reason=row["reason"],
        value_text=value.decode("utf-8", "replace") if value is not None else None,
        value_base64=base64.b64encode(value).decode() if value is not None else None,
        community=row["community"], recorded_at=row["recorded_at"],
        resolved_at=row["resolved_at"], resolved_by=row["resolved_by"],
        resolution=row["resolution"])


def visible_community(request: Request, caller: Caller) -> str | None:
    """Admins only; None (every letter) for the operations community's admins."""
    require_role(caller, "admin")
    return None if caller.community == request.app.state.settings.ops_community \
        else caller.community


Scope = Annotated[str | None, Depends(visible_community)]


@router.get("", response_model=DeadLetterPage, summary="List dead letters",
            description="Records this service's consumer parked, oldest first. `state` "
                        "selects open (default), resolved or all; page with `after`.",
            responses=READ_ERRORS)
async def list_dead_letters(
    pool: PoolDep, scope: Scope,
    state: Annotated[Literal["open", "resolved", "all"], Query(examples=["open"])] = "open",
    after: Annotated[int, Query(ge=0, le=2**62, examples=[0])] = 0,
    limit: Annotated[int, Query(ge=1, le=500, examples=[50])] = 50,
) -> DeadLetterPage:
    rows = await store.list_letters(pool, community=scope, state=state, after=after, limit=limit)
    return DeadLetterPage(items=[view(r) for r in rows],
                          next_after=rows[-1]["id"] if len(rows) == limit else None)


@router.get("/{letter_id}", response_model=DeadLetter, summary="Inspect one dead letter",
            description="The stored record (key, headers, value), the decoded event when it "
                        "is a valid CloudEvent, the reason, and its resolution.",
            responses={**READ_ERRORS, **NOT_FOUND})
async def show_dead_letter(pool: PoolDep, scope: Scope, letter_id: LetterId) -> DeadLetter:
    try:
        return view(await store.get_letter(pool, letter_id, community=scope))
    except store.NotFound as exc:
        raise ApiError(404, "not_found", str(exc)) from None


@router.post("/{letter_id}/retry", response_model=DeadLetter,
             summary="Re-apply a dead letter after a fix",
             description="Runs this service's handler on the stored event through the same "
                         "apply-once path as the consumer (an event applied before is not "
                         "applied twice) and marks the letter resolved with when and by whom. "
                         "409 if it was resolved already or still fails (the reason is kept).",
             responses={**READ_ERRORS, **NOT_FOUND, **RETRY_ERRORS})
async def retry_dead_letter(request: Request, pool: PoolDep, caller: Caller, scope: Scope,
                            letter_id: LetterId, key: IdempotencyKey) -> Any:
    handlers = request.app.state.handlers

    async def effect(conn) -> tuple[int, dict]:
        try:
            row = await store.retry_on(conn, letter_id, by=_who(caller), community=scope,
                                       handlers=handlers)
        except store.NotFound as exc:
            raise ApiError(404, "not_found", str(exc)) from None
        except store.AlreadyResolved as exc:
            raise ApiError(409, "wrong_status", f"{exc}; status: resolved") from None
        except store.StillFailing as exc:
            failures.append(str(exc))
            raise ApiError(409, "still_failing", f"re-applying failed again: {exc}") from None
        return 200, view(row).model_dump(mode="json")

    failures: list[str] = []
    try:
        result = await run_command(pool, principal=caller, key=key, payload=None,
                                   operation=f"dead-letter-retry:{letter_id}", effect=effect)
    finally:
        if failures:
            await store.record_failure(pool, letter_id, failures[-1])
    return result.response()


def _who(caller: Principal) -> str:
    return f"{caller.community}/{caller.sub}"
