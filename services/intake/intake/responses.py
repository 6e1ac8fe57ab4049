"""OpenAPI error answers of intake's routes, in the one error shape."""

from intake.models import ErrorResponse
from redgrid_shared.errors import error_responses

ISSUE_404 = "No such issue, or not one the caller may see"
# Writes pass the input guard (400, 408, 413, 415), the rate limit (429) and the database (503).
WRITE = (400, 401, 403, 404, 408, 409, 413, 415, 422, 429, 503)
READ = (401, 404, 422, 503)


def errors(*codes: int, described: dict[int, str] | None = None) -> dict:
    """`responses=` for a route: these statuses, with the ErrorResponse model."""
    return error_responses(*codes, model=ErrorResponse,
                           described={404: ISSUE_404, **(described or {})})
