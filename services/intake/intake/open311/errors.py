"""Domain errors of the Open311 interface; the router maps them to the spec's HTTP codes."""


class BadRequest(Exception):
    """An argument is missing or wrong (400)."""


class NotFound(Exception):
    """No such jurisdiction, service, request or token (404)."""


class KeyRefused(Exception):
    """The api_key is missing, unknown, revoked or for another jurisdiction (403)."""
