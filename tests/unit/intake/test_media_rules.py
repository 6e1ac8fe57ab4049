"""Who may attach and who may read a photo (pure rules), with neighbours of the same id."""

from intake.media.handlers import may_read
from intake.media.links import photo_problems
from tests.unit.intake.builders import COMMUNITY, principal

A, B, C = ("med-" + c * 32 for c in "abc")


def media(id=A, community=COMMUNITY, uploaded_by="u-1", issue_id=None,
          uploader_role="resident") -> dict:
    return {"id": id, "community": community, "uploaded_by": uploaded_by,
            "uploader_role": uploader_role, "issue_id": issue_id}


def issue(**overrides) -> dict:
    row = {"community": COMMUNITY, "reporter_id": "u-1", "reported_by": "u-1",
           "reported_by_role": "resident", "grid_id": "g-1"}
    row.update(overrides)
    return row


def test_own_unattached_photos_may_be_attached():
    rows = {A: media(A), B: media(B)}
    assert photo_problems(principal(sub="u-1"), [A, B], rows) == {}


def test_each_bad_photo_is_named_by_its_position():
    rows = {A: media(A), B: media(B, uploaded_by="u-2"), C: media(C, issue_id="iss-x")}
    problems = photo_problems(principal(sub="u-1"), [A, B, C, A, "med-" + "d" * 32], rows)
    assert set(problems) == {"body.photos.1", "body.photos.2", "body.photos.3", "body.photos.4"}
    assert "another report" in problems["body.photos.2"]
    assert "twice" in problems["body.photos.3"]
    # Someone else's photo and a missing one read the same: nothing is disclosed.
    assert problems["body.photos.1"] == problems["body.photos.4"]


def test_the_same_person_id_in_another_community_may_not_attach():
    rows = {A: media(A, community="other")}
    assert set(photo_problems(principal(sub="u-1"), [A], rows)) == {"body.photos.0"}


def test_staff_attach_what_they_uploaded_not_what_the_resident_did():
    steward = principal(sub="s-1", role="steward", grids=("g-1",))
    assert photo_problems(steward, [A], {A: media(A, uploaded_by="s-1",
                                                   uploader_role="steward")}) == {}
    assert photo_problems(steward, [A], {A: media(A, uploaded_by="u-1")}) != {}


def test_a_steward_sharing_a_residents_id_may_not_attach_the_residents_photo():
    twin = principal(sub="u-1", role="steward", grids=("g-1",))
    assert set(photo_problems(twin, [A], {A: media(A)})) == {"body.photos.0"}


def test_the_uploader_reads_an_unattached_photo_nobody_else_does():
    assert may_read(principal(sub="u-1"), media(), None)
    assert not may_read(principal(sub="u-2"), media(), None)
    assert not may_read(principal(sub="a-1", role="admin"), media(), None)
    assert not may_read(principal(sub="u-1", community="other"), media(), None)
    for role in ("steward", "repairer", "operator"):  # the same id in another role
        assert not may_read(principal(sub="u-1", role=role), media(), None), role


def test_an_attached_photo_follows_its_issue():
    attached = media(uploaded_by="s-9", uploader_role="steward", issue_id="iss-1")
    assert may_read(principal(sub="u-1"), attached, issue())  # the resident it was filed for
    assert may_read(principal(sub="s-1", role="steward", grids=("g-1",)), attached, issue())
    assert may_read(principal(sub="op", role="operator"), attached, issue())
    assert not may_read(principal(sub="u-2"), attached, issue())
    assert not may_read(principal(sub="s-2", role="steward", grids=("g-2",)), attached, issue())
    neighbour = principal(sub="u-1", community="other")
    assert not may_read(neighbour, attached, issue())
