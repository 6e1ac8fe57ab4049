"""Photo use cases: upload (sniff, clean, store), read (only by who may see it), sweep.

Order of writes: the file is stored first, then its row commits; a row is deleted before
its file. So every committed row has its file, and a crash leaves at most a file without a
row, which the upload removes at once when it can and the sweep removes later otherwise.
"""

import asyncio
import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from intake import handlers as issues
from intake import store as issue_store
from intake.media import images, store
from intake.media.links import uploaded_by
from intake.media.models import MediaView
from intake.media.storage import MediaStorage
from redgrid_shared import idempotency
from redgrid_shared.auth import Principal
from redgrid_shared.clock import Clock, system_clock
from redgrid_shared.domain import NotAllowed, NotFound, TooLarge, Unsupported

log = logging.getLogger(__name__)
# Who may upload: whoever may file a report (repairers do not).
UPLOADER_ROLES = frozenset({"resident"}) | issues.PROXY_ROLES


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pixels: int


@dataclass(frozen=True)
class SweepResult:
    unattached: list[str]
    orphan_files: list[str]


def new_media_id() -> str:
    return f"med-{uuid.uuid4().hex}"


def view(row) -> MediaView:
    return MediaView(id=row["id"], content_type=row["content_type"],
                     size_bytes=row["size_bytes"], width=row["width"], height=row["height"],
                     created_at=row["created_at"], url=f"/v1/media/{row['id']}")


def may_read(principal: Principal, media, issue) -> bool:
    """The uploader, or anyone who may see the issue that lists the photo."""
    if media["community"] != principal.community:
        return False
    if uploaded_by(principal, media):
        return True
    return issue is not None and issues.can_see(principal, issue)


def clean_or_refuse(data: bytes, limits: Limits) -> images.CleanImage:
    """The clean copy, or TooLarge / Unsupported naming `body.file`."""
    if len(data) > limits.max_bytes:
        raise TooLarge(f"the photo is over {limits.max_bytes} bytes",
                       {"body.file": f"at most {limits.max_bytes} bytes"})
    try:
        return images.clean(data, max_pixels=limits.max_pixels)
    except images.ImageTooLarge as exc:
        raise TooLarge("the photo has too many pixels",
                       {"body.file": f"at most {limits.max_pixels} pixels: {exc}"}) from None
    except images.NotAnImage as exc:
        raise Unsupported("body.file is not a JPEG, PNG or WebP image",
                          {"body.file": str(exc)}) from None


async def upload(pool: asyncpg.Pool, *, storage: MediaStorage, principal: Principal,
                 data: bytes, limits: Limits, idempotency_key: str | None,
                 clock: Clock = system_clock,
                 new_id: Callable[[], str] = new_media_id) -> idempotency.CommandResult:
    """Store a clean copy of the photo and its row; 201 with its view."""
    if principal.role not in UPLOADER_ROLES:
        raise NotAllowed("this role may not upload photos")
    image = await asyncio.to_thread(clean_or_refuse, data, limits)
    written: list[str] = []

    async def effect(conn: asyncpg.Connection) -> tuple[int, dict]:
        media_id = new_id()
        written.append(media_id)
        await storage.put(media_id, image.data)
        row = await store.insert(conn, {
            "id": media_id, "community": principal.community, "uploaded_by": principal.sub,
            "uploader_role": principal.role,
            "content_type": image.content_type, "size_bytes": len(image.data),
            "width": image.width, "height": image.height, "sha256": image.sha256,
            "created_at": clock()})
        return 201, view(row).model_dump(mode="json")

    try:
        return await idempotency.run_command(
            pool, principal=principal, key=idempotency_key, operation="upload_media",
            payload={"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)},
            effect=effect)
    finally:
        await _discard_uncommitted(pool, storage, written)


async def read(pool: asyncpg.Pool, *, storage: MediaStorage, principal: Principal,
               media_id: str) -> tuple[str, bytes]:
    """(content type, bytes) of a photo the caller may see, else 404."""
    async with pool.acquire() as conn:
        media = await store.fetch(conn, media_id)
        issue = (await issue_store.fetch_issue(conn, media["issue_id"])
                 if media is not None and media["issue_id"] else None)
    if media is None or not may_read(principal, media, issue):
        raise NotFound(f"no photo {media_id} visible to you")
    data = await storage.get(media_id)
    if data is None:
        log.error("photo %s has a row but no stored file", media_id)
        raise NotFound(f"photo {media_id} is not available")
    return media["content_type"], data


async def sweep(pool: asyncpg.Pool, *, storage: MediaStorage, now: datetime,
                unattached_for: timedelta = timedelta(days=7),
                grace: timedelta = timedelta(hours=1), batch: int = 1000) -> SweepResult:
    """Delete photos no report listed within `unattached_for`, then files without a row."""
    async with pool.acquire() as conn, conn.transaction():
        gone = await store.delete_unattached(conn, before=now - unattached_for, limit=batch)
    for media_id in gone:  # rows first: a crash here leaves files the next pass removes
        await storage.delete(media_id)
    # `grace` outlives any upload in flight (its file is written just before its row).
    keys = await storage.keys_older_than(now - grace)
    async with pool.acquire() as conn:
        known = await store.existing(conn, keys)
    orphans = [k for k in keys if k not in known]
    for key in orphans:
        await storage.delete(key)
    return SweepResult(gone, orphans)


async def _discard_uncommitted(pool: asyncpg.Pool, storage: MediaStorage,
                               written: list[str]) -> None:
    """Remove files this upload wrote whose row did not commit (if that can be told now)."""
    if not written:
        return
    try:
        async with pool.acquire() as conn:
            known = await store.existing(conn, written)
        for media_id in written:
            if media_id not in known:
                await storage.delete(media_id)
    except Exception:  # the database is away: the sweep will find these files later
        log.warning("left %d uncommitted photo file(s) for the sweep", len(written))
