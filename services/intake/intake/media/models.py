"""API models of photo uploads."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

MediaId = Annotated[str, StringConstraints(pattern=r"^med-[0-9a-f]{32}$")]
ContentType = Literal["image/jpeg", "image/png", "image/webp"]

MEDIA_EXAMPLE = {
    "id": "med-4f1c9a0e2b7d4c6a8e3f5b1d0c2a9e7f", "content_type": "image/jpeg",
    "size_bytes": 184320, "width": 1280, "height": 960,
    "created_at": "2025-03-14T01:29:40Z",
    "url": "/v1/media/med-4f1c9a0e2b7d4c6a8e3f5b1d0c2a9e7f",
}


class MediaView(BaseModel):
    """A stored photo: list its `id` in a report's `photos`, fetch the bytes at `url`."""

    model_config = ConfigDict(json_schema_extra={"examples": [MEDIA_EXAMPLE]})

    id: MediaId
    content_type: ContentType = Field(description="What the bytes are, as sniffed from them")
    size_bytes: int = Field(description="Size of the stored copy (re-encoded, no metadata)")
    width: int
    height: int
    created_at: datetime
    url: str = Field(description="GET it with a bearer token to read the photo")
