"""Photo routes: POST /v1/media (multipart upload) and GET /v1/media/{id} (the bytes)."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from intake.media import handlers
from intake.media.models import MEDIA_EXAMPLE, MediaView
from intake.media.storage import MediaStorage
from intake.models import ErrorResponse
from redgrid_shared.auth import Caller
from redgrid_shared.deps import IdempotencyKey, PoolDep
from redgrid_shared.errors import ERROR_RESPONSES

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


def _errors(*codes: int) -> dict:
    described = {**ERROR_RESPONSES,
                 403: {"description": "Repairers may not upload photos"},
                 404: {"description": "No such photo, or not one the caller may see"},
                 413: {"description": "The photo is over MEDIA_MAX_BYTES (8 MiB by default) "
                                      "or MEDIA_MAX_PIXELS (40 million); `fields` names "
                                      "`body.file`"},
                 415: {"description": "Not multipart/form-data, or `file` is not a JPEG, PNG "
                                      "or WebP image (judged by its bytes)"}}
    return {c: {**described[c], "model": ErrorResponse} for c in codes}


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
        responses={201: {"description": "Stored", "headers": {"Location": {
                       "description": "`/v1/media/{id}`", "schema": {"type": "string"}}}},
                   **_errors(401, 403, 413, 415, 422)},
    )
    async def upload_media(
        file: Annotated[UploadFile, File(description="The photo: JPEG, PNG or WebP")],
        caller: Caller, pool: PoolDep, key: IdempotencyKey, storage: StorageDep,
        limits: LimitsDep,
    ) -> JSONResponse:
        data = await file.read(limits.max_bytes + 1)
        result = await handlers.upload(pool, storage=storage, principal=caller, data=data,
                                       limits=limits, idempotency_key=key)
        response = result.response()
        response.headers["Location"] = result.body["url"]
        return response

    @router.get(
        "/media/{media_id}", summary="Read a photo",
        description="The stored bytes with their sniffed `Content-Type`. For the uploader, and "
                    "once a report lists the photo, for whoever may see that report (its "
                    "resident, the grid's staff, the community's desk).",
        response_class=Response,
        responses={200: {"description": "The photo",
                         "content": {t: {"schema": {"type": "string", "format": "binary"}}
                                     for t in IMAGE_TYPES}},
                   **_errors(401, 404)},
    )
    async def read_media(media_id: MediaIdPath, caller: Caller, pool: PoolDep,
                         storage: StorageDep) -> Response:
        content_type, data = await handlers.read(pool, storage=storage, principal=caller,
                                                 media_id=media_id)
        return Response(data, media_type=content_type, headers={
            "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
            "Content-Disposition": "inline"})

    return router
