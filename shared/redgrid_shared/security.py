"""What every response of every service carries to be safe in a phone app or a browser,
and the one call that mounts it with the write rate limit (`install`).

- `X-Content-Type-Options: nosniff`; `X-Frame-Options: DENY` and CSP
  `frame-ancestors 'none'` (no framing, so no click-jacking); `Referrer-Policy: no-referrer`.
- `Cache-Control: no-store` unless a route chose its own: answers carry personal data by
  default, and no shared cache should keep them.
- No `Server` banner (uvicorn runs with `server_header=False`, see service.serve).
"""

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from redgrid_shared.ratelimit import WriteRateLimit
from redgrid_shared.settings import ServiceSettings

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


class SecurityHeaders:
    """Plain ASGI middleware adding the headers above to every HTTP response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                headers.setdefault("Cache-Control", "no-store")
                if "server" in headers:
                    del headers["server"]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI, settings: ServiceSettings) -> None:
    """Mount the write rate limit, then the headers outermost so every answer has them."""
    app.add_middleware(WriteRateLimit, limits=settings.rate_limit_writes,
                       storage_uri=settings.rate_limit_storage_uri, verifier=app.state.verifier)
    app.add_middleware(SecurityHeaders)
