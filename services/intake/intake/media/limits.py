"""The body limit of photo uploads: larger than the JSON limit, and answered in the project's
error shape. A declared Content-Length over it is refused before any byte is read; a body
that streams past it (chunked, or lying about its length) is cut off as it arrives."""

from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from redgrid_shared import errors

# Room for the multipart envelope (boundaries, part headers) around the largest photo.
MULTIPART_SLACK = 64 * 1024


class UploadLimit:
    """Plain ASGI middleware for one upload path."""

    def __init__(self, app: ASGIApp, *, path: str, max_photo_bytes: int):
        self.app = app
        self.path = path
        self.limit = max_photo_bytes + MULTIPART_SLACK

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self._too_large()(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                # Raised inside the route's body parsing: the error handlers answer it.
                raise HTTPException(413, f"the upload is over {self.limit} bytes")
            return message

        await self.app(scope, counted, send)

    def _too_large(self) -> JSONResponse:
        return JSONResponse(errors.error_body(
            "payload_too_large", f"the upload is over {self.limit} bytes",
            {"body": f"at most {self.limit} bytes (a photo of MEDIA_MAX_BYTES plus the "
                     "multipart envelope)"}), status_code=413)
