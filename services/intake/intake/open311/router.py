"""Open311 GeoReport v2 under /open311/v2/ (format by extension: `.json` or `.xml`), and the
admin's API keys under /v1/open311/keys.

Errors on /open311/v2/ take the spec's shape (a list of {code, description}, in the format
asked for) with 400, 403 or 404; the key routes use the project's error shape.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from redgrid_shared import edge
from redgrid_shared.domain import DomainError
from intake.open311 import docs, formats, handlers, services
from intake.open311.errors import BadRequest, KeyRefused, NotFound
from intake.open311.models import (Discovery, IssueKey, KeyIssued, KeyView, RequestCreated,
                                   Service, ServiceDefinition, ServiceRequest)
from intake.open311.models import Open311Error as ErrorItem
from redgrid_shared.auth import Caller
from intake.responses import WRITE, errors
from redgrid_shared.deps import ClockDep, IdempotencyKey, PoolDep
from redgrid_shared.errors import ApiError

STATUS_OF = {BadRequest: 400, KeyRefused: 403, NotFound: 404}


class Open311Route(APIRoute):
    """Answers every failure of an Open311 route in the spec's error shape and format."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            fmt = "xml" if request.url.path.endswith(".xml") else "json"
            try:
                return await handler(request)
            except (BadRequest, KeyRefused, NotFound) as exc:
                return formats.errors(fmt, STATUS_OF[type(exc)], [str(exc)])
            except RequestValidationError as exc:
                return formats.errors(fmt, 400, [
                    f"{'.'.join(str(p) for p in e['loc'][1:]) or 'request'}: {e['msg']}"
                    for e in exc.errors()])
            except (DomainError, ApiError) as exc:  # from the report use case it shares
                status = exc.status if isinstance(exc, ApiError) else edge.http_status(exc)
                described = [f"{field}: {why}" for field, why in exc.fields.items()]
                return formats.errors(fmt, 400 if status == 422 else status,
                                      described or [exc.message])

        return route


public = APIRouter(prefix="/open311/v2", tags=["open311"], route_class=Open311Route)
keys = APIRouter(prefix="/v1/open311/keys", tags=["open311"])
ROUTERS = [public, keys]

Fmt = Annotated[Literal["json", "xml"], Path(description="`json` or `xml`")]
Jurisdiction = Annotated[str | None, Query(
    max_length=64, examples=["erqiaoxi"],
    description="A community id; required when this server serves more than one (see "
                "discovery)")]


@public.get("/discovery.{fmt}", response_model=Discovery, summary="Service discovery",
            description="Where the GeoReport v2 endpoint is, its formats, and the "
                        "`jurisdiction_id` values (community ids) it serves.",
            responses=docs.answers("discovery"))
async def discovery(fmt: Fmt, request: Request, pool: PoolDep) -> Response:
    url = str(request.base_url).rstrip("/") + "/open311/v2"
    return formats.respond(fmt, "discovery",
                           handlers.discovery(url, await handlers.served(pool)))


@public.get("/services.{fmt}", response_model=list[Service], summary="List services",
            description="The issue categories as services; `service_code` is the category "
                        "code. Every service has extra questions (`metadata: true`).",
            responses=docs.answers("services", 404))
async def list_services(fmt: Fmt, pool: PoolDep,
                        jurisdiction_id: Jurisdiction = None) -> Response:
    if jurisdiction_id:
        await handlers.check_jurisdiction(pool, jurisdiction_id)
    return formats.respond(fmt, "services", services.service_list())


@public.get("/services/{service_code}.{fmt}", response_model=ServiceDefinition,
            summary="A service's definition",
            description="Its attributes: `vulnerable` (一老一小, handled as urgent) and `unit` "
                        "for every service; `repair.paid` also asks `agree_to_pay` (required, "
                        "`yes`).", responses=docs.answers("definition", 404))
async def service_definition(
    fmt: Fmt, pool: PoolDep,
    service_code: Annotated[str, Path(max_length=64, examples=["repair.paid"])],
    jurisdiction_id: Jurisdiction = None,
) -> Response:
    if jurisdiction_id:
        await handlers.check_jurisdiction(pool, jurisdiction_id)
    return formats.respond(fmt, "service_definition", services.definition(service_code))


@public.get(
    "/requests.{fmt}", response_model=list[ServiceRequest], summary="List service requests",
    description="Newest first, at most 1,000. `service_request_id` (comma-delimited) "
                "overrides the other filters; otherwise the range defaults to the latest 90 "
                "days and may span at most 90. No personal data: no reporter, unit, free "
                "text or photos.", responses=docs.answers("requests", 404))
async def list_requests(
    fmt: Fmt, pool: PoolDep, clock: ClockDep, jurisdiction_id: Jurisdiction = None,
    service_request_id: Annotated[str | None, Query(
        max_length=20_000, examples=["iss-3f9c2a7d41b0e865,iss-0b1c2d3e4f5a6b7c"])] = None,
    service_code: Annotated[str | None, Query(max_length=2_000,
                                              examples=["repair.pipe,safety.fire"])] = None,
    start_date: Annotated[str | None, Query(max_length=40,
                                            examples=["2026-11-01T00:00:00+08:00"])] = None,
    end_date: Annotated[str | None, Query(max_length=40,
                                          examples=["2026-11-30T23:59:59+08:00"])] = None,
    status: Annotated[str | None, Query(max_length=20, examples=["open"])] = None,
) -> Response:
    found = await handlers.list_requests(
        pool, jurisdiction_id=jurisdiction_id, service_request_id=service_request_id,
        service_code=service_code, start_date=start_date, end_date=end_date,
        status_filter=status, clock=clock)
    return formats.respond(fmt, "service_requests", found)


@public.post(
    "/requests.{fmt}", status_code=201, response_model=list[RequestCreated],
    summary="Post a service request",
    description="Form-encoded. `api_key` (issued by the community's admin) is required and "
                "decides the jurisdiction; `address_id` is the building id; `description` is "
                "required; answers go in `attribute[code]=value`. Names, phone and email are "
                "not stored; `email`, `device_id` or `account_id` only make a pseudonymous "
                "reporter id. Answers `service_request_id` at once (realtime).",
    openapi_extra=docs.POST_FORM, responses=docs.answers("created", 403, 404))
async def create_request(fmt: Fmt, request: Request, pool: PoolDep,
                         key: IdempotencyKey, clock: ClockDep) -> Response:
    form = await request.form()
    pairs = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    created = await handlers.create_request(pool, form=pairs, idempotency_key=key,
                                            clock=clock)
    return formats.respond(fmt, "service_requests", created, status=201)


@public.get("/requests/{service_request_id}.{fmt}", response_model=list[ServiceRequest],
            summary="Read one service request",
            description="A one-item list, as the spec has it; 404 for an id that is not a "
                        "request of this jurisdiction.", responses=docs.answers("request", 404))
async def get_request(
    fmt: Fmt, pool: PoolDep,
    service_request_id: Annotated[str, Path(max_length=64, examples=["iss-3f9c2a7d41b0e865"])],
    jurisdiction_id: Jurisdiction = None,
) -> Response:
    found = await handlers.get_request(pool, jurisdiction_id=jurisdiction_id,
                                       request_id=service_request_id)
    return formats.respond(fmt, "service_requests", found)


@public.get("/tokens/{token}.{fmt}", summary="A request id from a token", status_code=404,
            response_model=list[ErrorItem],
            description="Every service here is `realtime`: a POST answers the "
                        "`service_request_id` itself and no token is ever issued, so every "
                        "token is 404.", responses=docs.answers(None, 404))
async def token(fmt: Fmt, token: Annotated[str, Path(max_length=64)]) -> Response:
    raise NotFound(f"token {token} was not found: requests here are realtime and answer "
                   "service_request_id directly")


@public.api_route("/{rest:path}", methods=["GET", "POST"], include_in_schema=False)
async def unknown(rest: str) -> Response:
    raise NotFound(f"/open311/v2/{rest[:100]} is not a GeoReport v2 resource of this server")


# --- keys ---------------------------------------------------------------------------------

KEY_ERRORS = {403: "Only admins manage keys", 404: "No such key in the admin's community"}


def _errors(*codes: int) -> dict:
    return errors(*codes, described=KEY_ERRORS)


@keys.post("", status_code=201, response_model=KeyIssued, summary="Issue an Open311 API key",
           description="Admin only. The key posts requests to the admin's community (which "
                       "from then on is a served jurisdiction). The `api_key` is in this "
                       "answer only; the server keeps its SHA-256. Idempotency-Key is not "
                       "honoured here, so the secret is never stored: a retry issues a "
                       "second key (revoke the spare).",
           responses=_errors(*(c for c in WRITE if c not in (404, 409))))
async def issue_key(command: Annotated[IssueKey, Body()], caller: Caller,
                    pool: PoolDep, clock: ClockDep) -> JSONResponse:
    return (await handlers.issue_key(pool, principal=caller, command=command,
                                     clock=clock)).response()


@keys.get("", response_model=list[KeyView], summary="List the community's Open311 keys",
          description="Admin only. Every key of the admin's community, revoked ones included, "
                      "oldest first; never the secrets.", responses=_errors(401, 403, 503))
async def list_keys(caller: Caller, pool: PoolDep) -> list[KeyView]:
    return await handlers.list_keys(pool, principal=caller)


@keys.post("/{key_id}/revoke", response_model=KeyView, summary="Revoke an Open311 key",
           description="Admin only. The key stops working at once; revoking again is a "
                       "no-op that returns the key.",
           responses=_errors(*(c for c in WRITE if c != 409)))
async def revoke_key(key_id: Annotated[str, Path(max_length=64, examples=["k-3c9e1a7f5b20"])],
                     caller: Caller, pool: PoolDep, key: IdempotencyKey,
                     clock: ClockDep) -> JSONResponse:
    return (await handlers.revoke_key(pool, principal=caller, key_id=key_id,
                                      idempotency_key=key, clock=clock)).response()
