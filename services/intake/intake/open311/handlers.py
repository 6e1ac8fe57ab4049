"""Open311 use cases: public reads of a jurisdiction's requests, posting a request through an
API key (the same report use case as POST /v1/issues), and the admin's keys.

A jurisdiction is a community; a community is served once its admin has issued a key.
"""

import hashlib
import secrets
import uuid

from datetime import datetime, timezone

import asyncpg
from pydantic import ValidationError

from redgrid_shared import domain as issue_errors
from intake import handlers as issues
from intake.models import ReportIssue
from intake.open311 import query, services, status, store
from intake.open311.errors import BadRequest, KeyRefused, NotFound
from intake.open311.models import IssueKey, KeyIssued, KeyView
from redgrid_shared import idempotency
from redgrid_shared.auth import Principal, require_role
from redgrid_shared.clock import Clock, system_clock

KEY_PREFIX = "o311_"
SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = datetime(2026, 11, 30, tzinfo=timezone.utc)  # when this interface last changed


def hash_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def discovery(url: str, jurisdictions: list[str]) -> dict:
    """The Service Discovery document of this endpoint."""
    return {
        "changeset": CHANGESET,
        "contact": "社区服务站 (the community desk); apps ask the community admin for a key",
        "key_service": "An admin issues keys with POST /v1/open311/keys",
        "endpoints": [{"specification": SPEC, "url": url, "changeset": CHANGESET,
                       "type": "production", "formats": ["text/xml", "application/json"]}],
        "jurisdictions": jurisdictions}


async def jurisdiction(conn: asyncpg.Connection, given: str | None) -> str:
    """The community a call is about: the one named, or the only one served."""
    served = await store.jurisdictions(conn)
    if query.given(given) is not None:
        if given not in served:
            raise NotFound(f"jurisdiction_id {given[:64]} was not found")
        return given
    if len(served) == 1:
        return served[0]
    if not served:
        raise NotFound("this server serves no jurisdiction yet")
    raise BadRequest("jurisdiction_id is required: this server serves "
                     f"{len(served)} jurisdictions (see discovery)")


async def served(pool: asyncpg.Pool) -> list[str]:
    async with pool.acquire() as conn:
        return await store.jurisdictions(conn)


async def check_jurisdiction(pool: asyncpg.Pool, given: str | None) -> str:
    async with pool.acquire() as conn:
        return await jurisdiction(conn, given)


async def list_requests(pool: asyncpg.Pool, *, jurisdiction_id: str | None,
                        service_request_id: str | None, service_code: str | None,
                        start_date: str | None, end_date: str | None, status_filter: str | None,
                        clock: Clock = system_clock) -> list[dict]:
    """At most 1,000 requests, newest first; ids override every other filter."""
    wanted = query.request_filter(service_request_id=service_request_id,
                                  service_code=service_code, start_date=start_date,
                                  end_date=end_date, status=status_filter)
    async with pool.acquire() as conn:
        community = await jurisdiction(conn, jurisdiction_id)
        if wanted.ids is not None:
            rows = await store.requests_by_id(conn, community=community, ids=wanted.ids,
                                              limit=query.MAX_REQUESTS)
        else:
            start, end = query.window(wanted.start, wanted.end, clock())
            statuses = (None if wanted.public_statuses is None else
                        [s for p in wanted.public_statuses for s in status.statuses_for(p)])
            rows = await store.find_requests(conn, community=community, start=start, end=end,
                                             codes=wanted.codes, statuses=statuses,
                                             limit=query.MAX_REQUESTS)
    return [status.public_request(r) for r in rows]


async def get_request(pool: asyncpg.Pool, *, jurisdiction_id: str | None,
                      request_id: str) -> list[dict]:
    async with pool.acquire() as conn:
        community = await jurisdiction(conn, jurisdiction_id)
        row = (await store.request(conn, community=community, issue_id=request_id)
               if query.ISSUE_ID.match(request_id) else None)
    if row is None:
        raise NotFound(f"service_request_id {request_id[:64]} was not found")
    return [status.public_request(row)]


async def create_request(pool: asyncpg.Pool, *, form: list[tuple[str, str]],
                         idempotency_key: str | None,
                         clock: Clock = system_clock) -> list[dict]:
    """Post a report for the key's community through intake's report use case."""
    fields = {k: v for k, v in form if not k.startswith("attribute[")}
    api_key = query.given(fields.get("api_key"))
    if api_key is None:
        raise KeyRefused("api_key is required to post a service request")
    async with pool.acquire() as conn:
        key = await store.live_key(conn, hash_key(api_key))
    if key is None:
        raise KeyRefused("invalid api_key: unknown or revoked")
    named = query.given(fields.get("jurisdiction_id"))
    if named is not None and named != key["community"]:
        raise KeyRefused(f"this api_key is not valid for jurisdiction_id {named[:64]}")
    code = query.given(fields.get("service_code"))
    if code is None:
        raise BadRequest("service_code is required")
    answers = services.read_answers(code, query.attribute_answers(form))
    building = query.given(fields.get("address_id"))
    if building is None:
        raise BadRequest("address_id is required: the building id (e.g. b-03), which "
                         "routes the request to its grid")
    description = query.given(fields.get("description"))
    if description is None:
        raise BadRequest("description is required")
    try:
        command = ReportIssue(category=code, description=description, building=building,
                              unit=answers.unit, vulnerable=answers.vulnerable,
                              source=key["source"])
    except ValidationError as exc:
        names = {"building": "address_id", "unit": "attribute[unit]"}
        problem = exc.errors()[0]
        field = str(problem["loc"][0]) if problem["loc"] else "request"
        raise BadRequest(f"{names.get(field, field)}: {problem['msg']}") from None
    reporter = query.reporter_id(key["id"], email=fields.get("email"),
                                 device_id=fields.get("device_id"),
                                 account_id=fields.get("account_id"))
    # The key's application files for a pseudonymous resident; nothing personal is kept.
    principal = Principal(sub=reporter, role="resident", community=key["community"])
    result = await issues.report_issue(pool, principal=principal, command=command,
                                       idempotency_key=idempotency_key, clock=clock)
    return [{"service_request_id": result.body["id"], "service_notice": services.notice(code),
             "account_id": None}]


# --- keys (admin, JSON API) ---------------------------------------------------------------

def key_view(row) -> KeyView:
    return KeyView(id=row["id"], name=row["name"], source=row["source"],
                   community=row["community"], created_by=row["created_by"],
                   created_at=row["created_at"], revoked_at=row["revoked_at"])


async def issue_key(pool: asyncpg.Pool, *, principal: Principal, command: IssueKey,
                    clock: Clock = system_clock) -> idempotency.CommandResult:
    """A new key for the admin's community; the secret is in this answer only."""
    require_role(principal, "admin")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)

    async def effect(conn: asyncpg.Connection) -> tuple[int, dict]:
        row = await store.insert_key(conn, {
            "id": f"k-{uuid.uuid4().hex[:12]}", "key_hash": hash_key(secret),
            "community": principal.community, "name": command.name, "source": command.source,
            "created_by": principal.sub, "created_at": clock()})
        return 201, KeyIssued(**key_view(row).model_dump(), api_key=secret).model_dump(
            mode="json")

    # No Idempotency-Key: a stored response would keep the secret in the database.
    return await idempotency.run_command(pool, principal=principal, key=None,
                                         operation="issue_open311_key",
                                         payload=command.model_dump(), effect=effect)


async def list_keys(pool: asyncpg.Pool, *, principal: Principal) -> list[KeyView]:
    require_role(principal, "admin")
    async with pool.acquire() as conn:
        return [key_view(r) for r in await store.keys_of(conn, principal.community)]


async def revoke_key(pool: asyncpg.Pool, *, principal: Principal, key_id: str,
                     idempotency_key: str | None,
                     clock: Clock = system_clock) -> idempotency.CommandResult:
    """Revoke a key of the admin's community; revoking again changes nothing."""
    require_role(principal, "admin")

    async def effect(conn: asyncpg.Connection) -> tuple[int, dict]:
        row = await store.revoke_key(conn, key_id=key_id, community=principal.community,
                                     at=clock())
        if row is None:
            raise issue_errors.NotFound(f"no Open311 key {key_id} in your community")
        return 200, key_view(row).model_dump(mode="json")

    return await idempotency.run_command(pool, principal=principal, key=idempotency_key,
                                         operation=f"revoke_open311_key:{key_id}",
                                         payload={}, effect=effect)

