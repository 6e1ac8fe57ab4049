"""Photo routes: POST /v1/media (multipart upload) and GET /v1/media/{id} (the bytes)."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from intake.media import handlers
from intake.media.models import MEDIA_EXAMPLE, MediaView
from intake.media.storage import MediaStorage
from intake.responses import READ, WRITE, errors
from redgrid_shared import guards
from redgrid_shared.auth import Caller
from redgrid_shared.deps import ClockDep, IdempotencyKey, PoolDep

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")


async def get_storage(request: Request) -> MediaStorage:
    return request.app.state.media_storage


async def get_limits(request: Request) -> handlers.Limits:
    settings = request.app.state.settings
    return handlers.Limits(max_bytes=settings.media_max_bytes,
                           max_pixels=settings.media_max_pixels)


StorageDep = Annotated[MediaStorage, Depends(get_storage)]
LimitsDep = Annotated[handlers.Limits, Depends(get_limits)]
MediaIdPath = Annotated[str, Path(description="Media id from POST /v1/media",
                                  examples=[MEDIA_EXAMPLE["id"]], max_length=64)]


READ_ERRORS = {404: "No such photo, or not one the caller may see",
               422: "The media id is too long"}
UPLOAD_ERRORS = {
    400: "The multipart body could not be parsed (no boundary, a broken part)",
    403: "Repairers may not upload photos",
    408: f"The upload did not arrive whole within {guards.UPLOAD_TIMEOUT_SECONDS:g} s of the "
         "request (see docs/operations.md); the connection is closed",
    413: "The photo is over MEDIA_MAX_BYTES (8 MiB by default) or MEDIA_MAX_PIXELS "
         "(40 million); `fields` names `body.file`",
    415: "Not multipart/form-data, or `file` is not a JPEG, PNG or WebP image (judged by its "
         "bytes)",
    422: "The `file` part is missing, or the Idempotency-Key is invalid; `error.fields` "
         "names it",
}
# The multipart body: its one part, the types it may hold, and an example of the form.
UPLOAD_BODY = {"requestBody": {"content": {"multipart/form-data": {
    "encoding": {"file": {"contentType": ", ".join(IMAGE_TYPES)}},
    "example": {"file": "(the bytes of a JPEG, PNG or WebP photo, e.g. IMG_0412.jpg)"},
}}}}
PHOTO = {"description": "The photo's bytes, in the type sniffed when it was stored",
         "headers": {"Cache-Control": {"description": "`private, no-store`: a photo is "
                                                      "personal data, no cache keeps it",
                                       "schema": {"type": "string"}}},
         "content": {t: {"schema": {"type": "string", "format": "binary"}}
                     for t in IMAGE_TYPES}}


def build_router() -> APIRouter:
    """The routes (their body limit is `limits.UploadLimit`, installed by main)."""
    router = APIRouter(prefix="/v1", tags=["media"])

    @router.post(
        "/media", status_code=201, response_model=MediaView, summary="Upload a photo",
        description="Send one JPEG, PNG or WebP photo as the multipart field `file`. The type "
                    "is read from the bytes; the stored copy is decoded and encoded again, so "
                    "EXIF (with any GPS location) and other metadata are gone, and the EXIF "
                    "orientation is applied. List the returned `id` in a report's `photos`. "
                    "Residents, stewards, operators and admins may upload; a photo stays "
                    "readable only by its uploader until a report lists it, then by whoever "
                    "may see that report. Photos no report lists are deleted after 7 days.",
        openapi_extra=UPLOAD_BODY,
        responses={201: {"description": "Stored", "headers": {"Location": {
                       "description": "`/v1/media/{id}`", "schema": {"type": "string"}}}},
                   **errors(*(c for c in WRITE if c not in (404, 409)), described=UPLOAD_ERRORS)},
    )
    async def upload_media(
        file: Annotated[UploadFile, File(description="The photo: JPEG, PNG or WebP")],
        caller: Caller, pool: PoolDep, key: IdempotencyKey, storage: StorageDep,
        limits: LimitsDep, clock: ClockDep,
    ) -> JSONResponse:
        data = await file.read(limits.max_bytes + 1)
        result = await handlers.upload(pool, storage=storage, principal=caller, data=data,
                                       limits=limits, idempotency_key=key, clock=clock)
        response = result.response()
        response.headers["Location"] = result.body["url"]
        return response

    @router.get(
        "/media/{media_id}", summary="Read a photo",
        description="The stored bytes with their sniffed `Content-Type`. For the uploader, and "
                    "once a report lists the photo, for whoever may see that report (its "
                    "resident, the grid's staff, the community's desk).",
        response_class=Response,
        responses={200: PHOTO, **errors(*READ, described=UPLOAD_ERRORS)},
    )
    async def read_media(media_id: MediaIdPath, caller: Caller, pool: PoolDep,
                         storage: StorageDep) -> Response:
        content_type, data = await handlers.read(pool, storage=storage, principal=caller,
                                                 media_id=media_id)
        return Response(data, media_type=content_type, headers={
            "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
            "Content-Disposition": "inline"})

    return router
