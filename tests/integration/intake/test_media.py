"""Photos on real PostgreSQL and a real folder: upload, attach to a report, who may read,
size limits, nothing half-written, and the sweep. Neighbours: a second community with the
same person ids, and a second resident in the same community."""

import os
import time
import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest
import pytest_asyncio

from intake import consumer
from intake.main import create_app
from intake.media import handlers, store
from intake.settings import Settings
from redgrid_shared.consumer import apply_once
from redgrid_shared.topics import DISPATCH_EVENTS
from tests.unit.intake.builders import SECRET, auth, issue_assigned, principal, report
from tests.unit.intake.photos import GPS_IFD, exif_of, noisy_jpeg, photo

MAX_BYTES = 64 * 1024


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def app(fresh_database_url, kafka_bootstrap, media_dir):
    settings = Settings(database_url=fresh_database_url, kafka_bootstrap_servers=kafka_bootstrap,
                        consumer_group=f"intake-test-{uuid.uuid4().hex[:8]}", jwt_secret=SECRET,
                        relay_poll_seconds=0.2, db_pool_min=1, db_pool_max=8,
                        media_dir=media_dir, media_max_bytes=MAX_BYTES)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


def person() -> str:
    return f"u-{uuid.uuid4().hex[:8]}"


async def upload(client, data: bytes, *, name="p.jpg", mime="image/jpeg", **who) -> httpx.Response:
    return await client.post("/v1/media", files={"file": (name, data, mime)}, headers=auth(**who))


async def uploaded(client, **who) -> str:
    response = await upload(client, photo("JPEG"), **who)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def files(media_dir) -> set[str]:
    return set(os.listdir(media_dir)) if media_dir.exists() else set()


async def test_an_upload_stores_a_clean_copy_and_its_row(client, pool, media_dir):
    me = person()
    response = await upload(client, photo("JPEG", orientation=6), name="x.png",
                            mime="image/png", sub=me)
    assert response.status_code == 201
    view = response.json()
    assert view["content_type"] == "image/jpeg"  # the bytes decide, not the header
    assert (view["width"], view["height"]) == (48, 64)
    assert response.headers["location"] == view["url"] == f"/v1/media/{view['id']}"
    stored = (media_dir / view["id"]).read_bytes()
    assert exif_of(stored).get_ifd(GPS_IFD) == {} and b"Exif" not in stored
    row = await pool.fetchrow("SELECT * FROM media WHERE id = $1", view["id"])
    assert (row["community"], row["uploaded_by"], row["size_bytes"], row["issue_id"]) == (
        "erqiaoxi", me, len(stored), None)

    read = await client.get(view["url"], headers=auth(sub=me))
    assert read.status_code == 200 and read.content == stored
    assert read.headers["content-type"] == "image/jpeg"
    assert read.headers["cache-control"] == "private, no-store"


async def test_an_unattached_photo_is_its_uploaders_alone(client):
    me = person()
    media_id = await uploaded(client, sub=me)
    for who in ({"sub": person()}, {"sub": me, "community": "other"},
                {"sub": "a-1", "role": "admin"}, {"sub": "s-1", "role": "steward",
                                                   "grids": ("g-03",)}):
        response = await client.get(f"/v1/media/{media_id}", headers=auth(**who))
        assert response.status_code == 404, who
    absent = await client.get(f"/v1/media/med-{uuid.uuid4().hex}", headers=auth(sub=me))
    assert absent.status_code == 404


async def test_a_report_attaches_its_photos_and_its_readers_see_them(client, pool):
    me = person()
    media_id = await uploaded(client, sub=me)
    response = await client.post("/v1/issues", json=report(photos=[media_id]),
                                 headers=auth(sub=me))
    assert response.status_code == 201
    issue = response.json()
    assert issue["photos"] == [media_id]
    assert await pool.fetchval("SELECT issue_id FROM media WHERE id = $1", media_id) == issue["id"]
    event = await pool.fetchrow("SELECT data FROM events WHERE stream_id = $1",
                                f"issue-{issue['id']}")
    assert event["data"]["photos"] == [media_id]

    assert await apply_once(pool, DISPATCH_EVENTS, issue_assigned(issue["id"], grid_id="g-07"),
                            consumer.handle)
    url = f"/v1/media/{media_id}"
    for who in ({"sub": me}, {"sub": "s-7", "role": "steward", "grids": ("g-07",)},
                {"sub": "op-1", "role": "operator"}):
        assert (await client.get(url, headers=auth(**who))).status_code == 200, who
    for who in ({"sub": person()}, {"sub": me, "community": "other"},
                {"sub": "op-1", "role": "operator", "community": "other"},
                {"sub": "s-8", "role": "steward", "grids": ("g-08",)}):
        assert (await client.get(url, headers=auth(**who))).status_code == 404, who


async def test_a_steward_attaches_the_photo_they_took_for_a_resident(client, pool):
    steward = {"sub": "s-3", "role": "steward", "grids": ("g-03",)}
    media_id = await uploaded(client, **steward)
    resident = person()
    response = await client.post("/v1/issues", headers=auth(**steward), json=report(
        photos=[media_id], on_behalf_of=resident, source="grid_visit"))
    assert response.status_code == 201
    # The resident the report is for reads it through the issue.
    assert (await client.get(f"/v1/media/{media_id}", headers=auth(sub=resident))
            ).status_code == 200


@pytest.mark.parametrize("owner", [{"sub": "u-neighbour"},
                                   {"sub": "SAME", "community": "other"}],
                         ids=["other-resident", "same-id-other-community"])
async def test_a_report_may_not_list_someone_elses_photo(client, pool, owner):
    me = person()
    owner = {**owner, "sub": me if owner["sub"] == "SAME" else owner["sub"]}
    theirs = await uploaded(client, **owner)
    mine = await uploaded(client, sub=me)
    events = await pool.fetchval("SELECT count(*) FROM events")
    response = await client.post("/v1/issues", json=report(photos=[mine, theirs]),
                                 headers=auth(sub=me))
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"body.photos.1"}
    # Nothing of the report was written, and my own photo is still free to use.
    assert await pool.fetchval("SELECT count(*) FROM events") == events
    assert await pool.fetchval("SELECT count(*) FROM media WHERE id = ANY($1::text[]) "
                               "AND issue_id IS NOT NULL", [mine, theirs]) == 0


async def test_a_photo_belongs_to_one_report(client):
    me = person()
    media_id = await uploaded(client, sub=me)
    first = await client.post("/v1/issues", json=report(photos=[media_id]), headers=auth(sub=me))
    assert first.status_code == 201
    second = await client.post("/v1/issues", json=report(photos=[media_id]), headers=auth(sub=me))
    assert second.status_code == 422
    assert "another report" in second.json()["error"]["fields"]["body.photos.0"]


async def test_a_photo_over_the_size_limit_is_413_and_nothing_is_stored(client, pool, media_dir):
    big = noisy_jpeg((220, 220))
    assert MAX_BYTES < len(big) < MAX_BYTES + 64 * 1024  # passes the body limit, not the photo's
    before, rows = files(media_dir), await pool.fetchval("SELECT count(*) FROM media")
    response = await upload(client, big)
    assert response.status_code == 413
    assert "body.file" in response.json()["error"]["fields"]
    # A body far over the limit is cut off while it streams in.
    huge = await upload(client, noisy_jpeg((400, 400)))
    assert huge.status_code == 413
    assert huge.json()["error"]["code"] == "payload_too_large"
    assert files(media_dir) == before
    assert await pool.fetchval("SELECT count(*) FROM media") == rows


async def test_an_upload_retried_with_its_key_stores_one_photo(client, pool, media_dir):
    me, data = person(), photo("PNG")
    headers = {**auth(sub=me), "Idempotency-Key": f"up-{me}"}
    first = await client.post("/v1/media", files={"file": ("a.png", data)}, headers=headers)
    again = await client.post("/v1/media", files={"file": ("a.png", data)}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert await pool.fetchval("SELECT count(*) FROM media WHERE uploaded_by = $1", me) == 1
    other = await client.post("/v1/media", files={"file": ("b.png", photo("WEBP"))},
                              headers=headers)
    assert other.status_code == 422


async def test_a_row_that_fails_to_commit_leaves_no_file(app, pool, media_dir, monkeypatch):
    async def failing_insert(conn, row):
        raise RuntimeError("database said no")

    monkeypatch.setattr(store, "insert", failing_insert)
    before = files(media_dir)
    with pytest.raises(RuntimeError):
        await handlers.upload(pool, storage=app.state.media_storage,
                              principal=principal(sub=person()), data=photo(),
                              idempotency_key=None,
                              limits=handlers.Limits(MAX_BYTES, 10**7))
    assert files(media_dir) == before


async def test_the_sweep_removes_orphan_files_and_unclaimed_photos(client, pool, media_dir, app):
    storage = app.state.media_storage
    me = person()
    claimed, unclaimed = await uploaded(client, sub=me), await uploaded(client, sub=me)
    assert (await client.post("/v1/issues", json=report(photos=[claimed]),
                              headers=auth(sub=me))).status_code == 201
    orphan = f"med-{uuid.uuid4().hex}"
    (media_dir / orphan).write_bytes(b"left by a crash")
    hour_ago = time.time() - 3 * 3600
    os.utime(media_dir / orphan, (hour_ago, hour_ago))
    await pool.execute("UPDATE media SET created_at = created_at - interval '8 days' "
                       "WHERE id = ANY($1::text[])", [claimed, unclaimed])

    result = await handlers.sweep(pool, storage=storage, now=datetime.now(timezone.utc))
    assert unclaimed in result.unattached and claimed not in result.unattached
    assert orphan in result.orphan_files
    left = files(media_dir)
    assert claimed in left and unclaimed not in left and orphan not in left
    assert await pool.fetchval("SELECT count(*) FROM media WHERE id = $1", unclaimed) == 0
    # A fresh upload (its row not yet old) is never an orphan.
    fresh = await uploaded(client, sub=me)
    await handlers.sweep(pool, storage=storage, now=datetime.now(timezone.utc),
                         grace=timedelta(0))
    assert fresh in files(media_dir)
