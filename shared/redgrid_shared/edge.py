"""The edge: domain errors -> HTTP answers in the one error shape. The only HTTP mapping."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from redgrid_shared.domain import (Conflict, DomainError, Invalid, NotAllowed, NotFound,
                                   TooLarge, Unsupported, WrongStatus)
from redgrid_shared.errors import error_body

STATUS = {NotFound: 404, NotAllowed: 403, Invalid: 422, WrongStatus: 409, Conflict: 409,
          TooLarge: 413, Unsupported: 415}


def http_status(error: DomainError) -> int:
    """The HTTP status of a domain error (400 for a kind this map does not know)."""
    return next((s for kind, s in STATUS.items() if isinstance(error, kind)), 400)


async def _on_domain_error(_: Request, exc: DomainError) -> JSONResponse:
    return JSONResponse(error_body(exc.code, exc.message, exc.fields),
                        status_code=http_status(exc))


def install(app: FastAPI) -> None:
    """Map every DomainError raised under a route to its HTTP answer."""
    app.add_exception_handler(DomainError, _on_domain_error)


def error_example(description: str, code: str, message: str,
                  fields: dict | None = None) -> dict:
    """An OpenAPI `responses` entry with one example error body."""
    example = error_body(code, message, fields)
    return {"description": description, "content": {"application/json": {"example": example}}}
