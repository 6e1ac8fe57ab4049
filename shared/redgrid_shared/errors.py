"""One error shape everywhere: {"error": {"code", "message", "fields"}}.

Validation failures name each bad field by its dotted location (`body.category`,
`query.cursor`); unexpected exceptions become a 500 with no stack trace in the body.
"""

import logging

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


# The database is down, restarting or out of connections: a retry later will succeed, and
# the transaction that failed changed nothing.
UNAVAILABLE = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
               asyncpg.exceptions.OperatorInterventionError,
               asyncpg.exceptions.InsufficientResourcesError, OSError, TimeoutError)


class ApiError(Exception):
    """An error the API reports to the caller as-is."""

    def __init__(self, status: int, code: str, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: dict[str, str] = Field(description="Bad field (`body.category`, `query.cursor`) -> why")


class ErrorResponse(BaseModel):
    """The one error shape every endpoint uses."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"error": {
        "code": "wrong_status", "message": "cannot cancel an issue in status in_progress",
        "fields": {"status": "in_progress"}}}]})

    error: ErrorDetail


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict:
    """The JSON body of an error response."""
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _field_name(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


def validation_fields(errors: list[dict]) -> dict[str, str]:
    """Map pydantic errors to {"body.category": "message"}."""
    fields: dict[str, str] = {}
    for err in errors:
        loc, kind = tuple(err.get("loc", ())), err.get("type")
        if kind == "json_invalid":  # its location is a character offset, not a field
            position = loc[1] if len(loc) > 1 else "?"
            fields.setdefault("body", f"malformed JSON at character {position}: "
                                      f"{err.get('ctx', {}).get('error', err.get('msg', ''))}")
            continue
        name = _field_name(loc) or "body"
        message = "unknown field" if kind == "extra_forbidden" else err.get("msg", "")
        fields.setdefault(name, message)
    return fields


async def _on_api_error(_: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse(error_body(exc.code, exc.message, exc.fields), status_code=exc.status)


async def _on_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    fields = validation_fields(list(exc.errors()))
    names = ", ".join(fields) or "request"
    return JSONResponse(
        error_body("invalid_request", f"invalid fields: {names}", fields), status_code=422
    )


async def _on_http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = {400: "invalid_request", 404: "not_found", 405: "method_not_allowed",
            413: "payload_too_large", 415: "unsupported_media_type"}.get(
        exc.status_code, "http_error")
    # A body FastAPI could not even decode (bad UTF-8, nesting too deep) is the body's fault.
    fields = {"body": str(exc.detail)} if exc.status_code in (400, 413) else None
    return JSONResponse(error_body(code, str(exc.detail), fields), status_code=exc.status_code,
                        headers=getattr(exc, "headers", None))


async def _on_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(error_body("unavailable", "the service cannot reach its database; "
                                   "retry shortly with the same Idempotency-Key"),
                        status_code=503, headers={"Retry-After": "2"})


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(error_body("internal", "internal error; it has been logged"),
                        status_code=500)


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the one shape."""
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    for unavailable in UNAVAILABLE:
        app.add_exception_handler(unavailable, _on_unavailable)
    app.add_exception_handler(Exception, _on_unexpected)


# OpenAPI descriptions of every error status a route may answer; routes pick theirs.
ERROR_DESCRIPTIONS = {
    400: {"description": "The body could not be decoded (e.g. not UTF-8)"},
    401: {"description": "Missing, expired or invalid bearer token"},
    403: {"description": "The caller's role may not do this"},
    404: {"description": "No such resource, or not one the caller may see"},
    408: {"description": "The request body did not arrive in time (see docs/operations.md)"},
    409: {"description": "The action does not fit the current state; the message names it"},
    413: {"description": "The request body is too large"},
    415: {"description": "The body is not application/json"},
    422: {"description": "Invalid input; `error.fields` names each bad field"},
    429: {"description": "Too many writes from this caller; retry after `Retry-After` seconds"},
    503: {"description": "The database is unreachable; retry with the same Idempotency-Key"},
}
ERROR_RESPONSES = {c: ERROR_DESCRIPTIONS[c] for c in (401, 403, 422)}


def error_responses(*codes: int, model: type | None = None,
                    described: dict[int, str] | None = None) -> dict:
    """OpenAPI `responses` for these statuses in the one error shape (`model`); `described`
    gives route-specific descriptions."""
    described = described or {}
    return {code: {"description": described.get(code, ERROR_DESCRIPTIONS[code]["description"]),
                   **({"model": model} if model else {})} for code in codes}
