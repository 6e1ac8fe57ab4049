"""Per-caller rate limit on writes, with the `limits` library (moving window).

Every POST, PUT, PATCH and DELETE counts against its caller: the verified token's
(community, role, sub), the same identity idempotency keys are scoped by, so two people with
one id in two communities never share a budget; a request without a valid token counts
against its client address (it will be 401 anyway). Over the limit: 429 in the one error
shape with `Retry-After` (seconds). Limits use the library's notation, e.g.
`30/minute;300/hour` (RATE_LIMIT_WRITES; empty disables). Counters live in memory per
process unless RATE_LIMIT_STORAGE_URI names a shared store (e.g. `redis://host:6379`).
"""

import json
import math
import time

from fastapi.responses import JSONResponse
from limits import RateLimitItem, parse_many
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.types import ASGIApp, Receive, Scope, Send

from redgrid_shared import errors
from redgrid_shared.auth import TokenVerifier

LIMITED_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def parse_limits(text: str) -> list[RateLimitItem]:
    """`30/minute;300/hour` -> limit items; empty -> none (no limit). ValueError if malformed."""
    return parse_many(text) if text.strip() else []


def async_storage_uri(uri: str) -> str:
    """The `limits` URI of the async flavour of a storage (`memory://` -> `async+memory://`)."""
    return uri if uri.startswith("async+") else f"async+{uri}"


class WriteRateLimit:
    """Plain ASGI middleware; reads and GETs pass untouched."""

    def __init__(self, app: ASGIApp, *, limits: str, storage_uri: str,
                 verifier: TokenVerifier):
        self.app = app
        self._items = parse_limits(limits)
        self._limiter = MovingWindowRateLimiter(storage_from_string(async_storage_uri(storage_uri)))
        self._verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in LIMITED_METHODS or not self._items:
            await self.app(scope, receive, send)
            return
        caller = self.caller_key(scope)
        for item in self._items:
            if not await self._limiter.hit(item, caller):
                stats = await self._limiter.get_window_stats(item, caller)
                wait = max(1, math.ceil(stats.reset_time - time.time()))
                await _too_many(item, wait)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def caller_key(self, scope: Scope) -> str:
        """The verified caller's identity, else `addr:<client address>`."""
        header = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
        scheme, _, token = header.decode("latin-1").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            try:
                who = self._verifier.verify(token.strip())
                return json.dumps([who.community, who.role, who.sub], ensure_ascii=False)
            except errors.ApiError:
                pass
        client = scope.get("client") or ("unknown", 0)
        return f"addr:{client[0]}"


def _too_many(item: RateLimitItem, wait: int) -> JSONResponse:
    return JSONResponse(
        errors.error_body("rate_limited", f"too many writes: at most {item}; retry in {wait} s"),
        status_code=429, headers={"Retry-After": str(wait)})
