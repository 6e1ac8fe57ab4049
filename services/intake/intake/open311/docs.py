"""OpenAPI examples of the Open311 answers, in JSON and in XML, built by the same code that
writes the real answers (so the examples cannot drift from them)."""

from datetime import date, datetime, timezone

from intake.models import ErrorResponse
from intake.open311 import formats, handlers, services, status

_AT = datetime(2026, 11, 24, 1, 30, tzinfo=timezone.utc)
_ROW = {"id": "iss-3f9c2a7d41b0e865", "status": "escalated", "category": "repair.seepage",
        "building": "b-03", "grid_id": "g-03", "meeting_date": date(2026, 12, 4),
        "signoff_due_at": _AT, "completion_limit_minutes": 1440, "completion_due_at": None,
        "department": None, "close_due_at": None, "created_at": _AT, "updated_at": _AT}
_REQUEST = status.public_request(_ROW)
EXAMPLES = {
    "discovery": ("discovery", handlers.discovery("http://intake.example.org/open311/v2",
                                                  ["erqiaoxi"])),
    "services": ("services", [services.service("repair.pipe"),
                              services.service("repair.paid")]),
    "definition": ("service_definition", services.definition("repair.paid")),
    "requests": ("service_requests", [_REQUEST]),
    "request": ("service_requests", [_REQUEST]),
    "created": ("service_requests", [{"service_request_id": "iss-3f9c2a7d41b0e865",
                                      "service_notice": services.notice("repair.pipe"),
                                      "account_id": None}]),
}
ERRORS = {400: "start_date to end_date may not span more than 90 days",
          403: "invalid api_key: unknown or revoked",
          404: "service_request_id iss-0000000000000000 was not found"}


def _content(root: str, value) -> dict:
    return {"application/json": {"example": formats.jsonable(value)},
            "text/xml": {"schema": {"type": "string"},
                         "example": formats.to_xml(root, value).decode()}}


def answers(name: str | None, *errors: int) -> dict:
    """`responses=` of a route: its answer and errors, each in JSON and XML."""
    described = {400: "A missing or wrong argument (format, jurisdiction_id, dates, status, "
                      "service_code, attributes, address_id, description)",
                 403: "api_key missing, unknown, revoked or for another jurisdiction",
                 404: "No such jurisdiction, service, request or token"}
    result: dict = {}
    if name is not None:
        root, value = EXAMPLES[name]
        result[201 if name == "created" else 200] = {"description": "The answer",
                                                     "content": _content(root, value)}
    for code in (400, *errors):
        body = [{"code": code, "description": ERRORS[code]}]
        result[code] = {"description": described[code], "content": _content("errors", body)}
    # Refusals before routing (a body over 256 KiB, not in time, with NUL characters; too
    # many posts) and an unreachable database keep the project's shape.
    result["default"] = {"description": "Refused before routing (408 body not in time, 413, "
                                        "415, 422 NUL character, 429 too many posts from "
                                        "this address) or the database is unreachable "
                                        "(503): the project's error shape",
                         "model": ErrorResponse}
    return result


POST_FORM = {"requestBody": {"required": True, "content": {
    "application/x-www-form-urlencoded": {
        "schema": {
            "type": "object", "required": ["api_key", "service_code", "address_id",
                                           "description"],
            "properties": {
                "api_key": {"type": "string"}, "jurisdiction_id": {"type": "string"},
                "service_code": {"type": "string", "example": "repair.pipe"},
                "address_id": {"type": "string", "description": "Building id",
                               "example": "b-03"},
                "address_string": {"type": "string"}, "lat": {"type": "number"},
                "long": {"type": "number"},
                "description": {"type": "string", "maxLength": 2000},
                "email": {"type": "string"}, "device_id": {"type": "string"},
                "account_id": {"type": "string"}, "first_name": {"type": "string"},
                "last_name": {"type": "string"}, "phone": {"type": "string"},
                "media_url": {"type": "string", "description": "Ignored: not fetched"},
            },
            "additionalProperties": {"type": "string",
                                     "description": "attribute[code]=value answers"}},
        "example": {"api_key": "o311_…", "service_code": "repair.paid",
                    "address_id": "b-03", "description": "卫生间水管漏水",
                    "attribute[agree_to_pay]": "yes", "attribute[vulnerable]": "elderly"}}}}}
