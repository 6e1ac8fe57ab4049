"""A report claims its photos: every id must be a photo the submitter uploaded (same
community, person and role) that no other report lists. Runs inside the report's transaction."""

import asyncpg

from intake.media import store
from redgrid_shared.auth import Principal
from redgrid_shared.domain import Invalid


def uploaded_by(principal: Principal, media) -> bool:
    """The photo is this caller's: same community, same person id, same role (a staff
    member who shares a resident's id is someone else)."""
    return (media["community"], media["uploaded_by"], media["uploader_role"]) == (
        principal.community, principal.sub, principal.role)


def photo_problems(principal: Principal, photos: list[str], rows: dict) -> dict[str, str]:
    """Field -> why, for each listed photo the submitter may not attach (pure)."""
    problems: dict[str, str] = {}
    seen: set[str] = set()
    for i, media_id in enumerate(photos):
        row, field = rows.get(media_id), f"body.photos.{i}"
        if media_id in seen:
            problems[field] = "this photo is listed twice"
        elif row is None or not uploaded_by(principal, row):
            # Absent, another community's or another person's: one answer, nothing disclosed.
            problems[field] = "no photo with this id was uploaded by you (POST /v1/media)"
        elif row["issue_id"] is not None:
            problems[field] = "this photo belongs to another report"
        seen.add(media_id)
    return problems


async def attach_photos(conn: asyncpg.Connection, *, principal: Principal, photos: list[str],
                        issue_id: str) -> None:
    """Mark the photos as the issue's, or Invalid naming each bad `body.photos.N`."""
    if not photos:
        return
    rows = await store.lock_many(conn, sorted(set(photos)))
    problems = photo_problems(principal, photos, rows)
    if problems:
        raise Invalid.each(problems)
    await store.attach(conn, photos, issue_id)
