"""Every intake route (issues, actions, categories, photos, Open311 keys) x every role, no token, the same ids in a second community, and a
neighbour: who gets what (never another community's data)."""

import uuid

import pytest

from redgrid_shared import catalog
from tests.integration.intake.flow import assigned, resolved
from tests.unit.intake.builders import auth, report
from tests.unit.intake.photos import photo

OWNER = "owner"
# name -> (role, sub, community, grids); the owner's sub is filled in per issue.
CALLERS = {
    "anonymous": None,
    OWNER: ("resident", None, "erqiaoxi", ()),
    "neighbour": ("resident", "u-neighbour", "erqiaoxi", ()),
    "owner-id-other-community": ("resident", None, "other", ()),
    "steward-of-grid": ("steward", "s-01", "erqiaoxi", ("g-03",)),
    "steward-other-grid": ("steward", "s-09", "erqiaoxi", ("g-09",)),
    "steward-of-grid-other-community": ("steward", "s-01", "other", ("g-03",)),
    "repairer-of-grid": ("repairer", "r-01", "erqiaoxi", ("g-03",)),
    "repairer-with-owner-id": ("repairer", None, "erqiaoxi", ()),
    "operator": ("operator", "o-1", "erqiaoxi", ()),
    "admin": ("admin", "a-1", "erqiaoxi", ()),
    "operator-other-community": ("operator", "o-1", "other", ()),
    "admin-other-community": ("admin", "a-1", "other", ()),
}
SEES = {OWNER, "steward-of-grid", "repairer-of-grid", "operator", "admin"}


def headers_of(name: str, owner: str) -> dict:
    if CALLERS[name] is None:
        return {}
    role, sub, community, grids = CALLERS[name]
    return auth(sub=sub or owner, role=role, community=community, grids=grids)


def read_expect(name: str) -> int:
    return 401 if name == "anonymous" else 200 if name in SEES else 404


def action_expect(name: str, ok: int, anyone_visible: bool = False) -> int:
    if name == "anonymous":
        return 401
    if name not in SEES:
        return 404
    return ok if name == OWNER or anyone_visible else 403


ACTIONS = {  # path tail -> (issue state, body, answer for those allowed, staff may too)
    "comments": ("assigned", {"text": "请尽快"}, 201, True),
    "cancel": ("assigned", {"reason": "不需要了"}, 202, False),
    "confirm": ("resolved", None, 202, False),
    "reopen": ("resolved", {"reason": "又坏了"}, 202, False),
    "rating": ("resolved", {"score": 4}, 201, False),
}


@pytest.mark.parametrize("name", list(CALLERS))
@pytest.mark.parametrize("action", list(ACTIONS))
async def test_resident_actions(client, pool, action, name):
    state, body, ok, staff_too = ACTIONS[action]
    owner = f"u-{uuid.uuid4().hex[:8]}"
    walk = resolved if state == "resolved" else assigned
    issue, _ = await walk(client, pool, sub=owner)
    response = await client.post(f"/v1/issues/{issue['id']}/{action}", json=body,
                                 headers=headers_of(name, owner))
    assert response.status_code == action_expect(name, ok, staff_too), response.text
    if response.status_code >= 400:
        assert set(response.json()) == {"error"} and issue["id"] not in response.text.replace(
            f"no issue {issue['id']} visible to you", "")


@pytest.mark.parametrize("name", list(CALLERS))
async def test_reads(client, pool, name):
    owner = f"u-{uuid.uuid4().hex[:8]}"
    issue, _ = await assigned(client, pool, sub=owner)
    headers = headers_of(name, owner)
    for path in (f"/v1/issues/{issue['id']}", f"/v1/issues/{issue['id']}/timeline"):
        response = await client.get(path, headers=headers)
        assert response.status_code == read_expect(name), (path, response.text)
        if response.status_code != 200:
            assert "2-301" not in response.text and "kitchen" not in response.text
    listed = await client.get("/v1/issues", params={"limit": 100}, headers=headers)
    if name == "anonymous":
        assert listed.status_code == 401
    else:
        assert listed.status_code == 200
        ids = [i["id"] for i in listed.json()["items"]]
        assert (issue["id"] in ids) is (name in SEES), name
        assert all(i["community"] == CALLERS[name][2] for i in listed.json()["items"])


REPORT_EXPECT = {"anonymous": 401, "repairer-of-grid": 403, "repairer-with-owner-id": 403}


@pytest.mark.parametrize("name", list(CALLERS))
async def test_reporting(client, name):
    owner = f"u-{uuid.uuid4().hex[:8]}"
    role = CALLERS[name][0] if CALLERS[name] else None
    body = report() if role in (None, "resident") else report(on_behalf_of=owner)
    response = await client.post("/v1/issues", json=body, headers=headers_of(name, owner))
    assert response.status_code == REPORT_EXPECT.get(name, 201), response.text
    if response.status_code == 201:
        assert response.json()["community"] == CALLERS[name][2]


@pytest.mark.parametrize("name", list(CALLERS))
async def test_categories_answer_everyone(client, name):
    response = await client.get("/v1/categories", headers=headers_of(name, "u-1"))
    assert response.status_code == 200 and len(response.json()) == len(catalog.CATEGORIES)


UPLOAD_EXPECT = {"anonymous": 401, "repairer-of-grid": 403, "repairer-with-owner-id": 403}


async def upload(client, headers: dict):
    return await client.post("/v1/media", files={"file": ("p.jpg", photo(), "image/jpeg")},
                             headers=headers)


@pytest.mark.parametrize("name", list(CALLERS))
async def test_uploading_photos(client, pool, name):
    owner = f"u-{uuid.uuid4().hex[:8]}"
    response = await upload(client, headers_of(name, owner))
    assert response.status_code == UPLOAD_EXPECT.get(name, 201), response.text
    if response.status_code == 201:
        role, sub, community, _ = CALLERS[name]
        row = await pool.fetchrow("SELECT * FROM media WHERE id = $1", response.json()["id"])
        assert (row["community"], row["uploaded_by"], row["uploader_role"]) == (
            community, sub or owner, role)


@pytest.mark.parametrize("name", list(CALLERS))
async def test_reading_photos(client, pool, name):
    owner = f"u-{uuid.uuid4().hex[:8]}"
    mine = headers_of(OWNER, owner)
    listed, kept = [(await upload(client, mine)).json()["id"] for _ in range(2)]
    issue, _ = await assigned(client, pool, sub=owner, photos=[listed])
    headers = headers_of(name, owner)
    # A photo a report lists follows the report; one no report lists is its uploader's alone.
    for media_id, expect in ((listed, read_expect(name)),
                             (kept, 401 if name == "anonymous" else 200 if name == OWNER
                              else 404)):
        response = await client.get(f"/v1/media/{media_id}", headers=headers)
        assert response.status_code == expect, (media_id == listed, response.text)
        if expect == 200:
            assert response.headers["content-type"] == "image/jpeg"
        else:
            assert set(response.json()) == {"error"}


KEY_ADMINS = {"admin", "admin-other-community"}


def key_expect(name: str, ok: int) -> int:
    return 401 if name == "anonymous" else ok if name in KEY_ADMINS else 403


@pytest.mark.parametrize("name", list(CALLERS))
async def test_open311_keys(client, name):
    admin = headers_of("admin", "a-1")
    theirs = await client.post("/v1/open311/keys", json={"name": "erqiaoxi app"}, headers=admin)
    assert theirs.status_code == 201
    key_id = theirs.json()["id"]
    headers = headers_of(name, "a-1")

    issued = await client.post("/v1/open311/keys", json={"name": "an app"}, headers=headers)
    assert issued.status_code == key_expect(name, 201), issued.text
    if issued.status_code == 201:
        assert issued.json()["community"] == CALLERS[name][2]

    listed = await client.get("/v1/open311/keys", headers=headers)
    assert listed.status_code == key_expect(name, 200), listed.text
    if listed.status_code == 200:
        assert {k["community"] for k in listed.json()} == {CALLERS[name][2]}
        assert (key_id in {k["id"] for k in listed.json()}) is (name == "admin")
        assert "api_key" not in listed.text

    revoked = await client.post(f"/v1/open311/keys/{key_id}/revoke", headers=headers)
    # Another community's admin cannot tell the key exists.
    assert revoked.status_code == (404 if name == "admin-other-community"
                                   else key_expect(name, 200)), revoked.text
    if revoked.status_code == 200:
        assert revoked.json()["revoked_at"] is not None
