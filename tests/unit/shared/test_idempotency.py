"""The pure parts of idempotent commands: key checks, fingerprints and key scopes."""

import pytest

from redgrid_shared.auth import Principal
from redgrid_shared.errors import ApiError
from redgrid_shared.idempotency import check_key, request_hash, scope_of


def who(**overrides) -> Principal:
    return Principal(**{"sub": "u-x", "role": "resident", "community": "erqiaoxi", **overrides})


def test_a_scope_differs_by_community_role_and_person():
    scopes = {scope_of(who()), scope_of(who(community="other")), scope_of(who(role="repairer")),
              scope_of(who(sub="u-y"))}
    assert len(scopes) == 4


def test_separators_in_ids_cannot_make_two_callers_share_a_scope():
    assert scope_of(who(community="a:b", sub="c")) != scope_of(who(community="a", sub="b:c"))
    assert scope_of(who(community='a","b')) != scope_of(who(community="a", sub='b","u-x'))


def test_the_fingerprint_covers_operation_and_body():
    base = request_hash({"op": "cancel:iss-1", "payload": {"reason": "x"}})
    assert base == request_hash({"payload": {"reason": "x"}, "op": "cancel:iss-1"})
    assert base != request_hash({"op": "cancel:iss-2", "payload": {"reason": "x"}})
    assert base != request_hash({"op": "cancel:iss-1", "payload": {"reason": "y"}})


@pytest.mark.parametrize("key", ["", "k" * 201])
def test_empty_or_overlong_keys_are_422_naming_the_header(key):
    with pytest.raises(ApiError) as err:
        check_key(key)
    assert err.value.status == 422 and "header.idempotency-key" in err.value.fields


def test_absent_and_ordinary_keys_pass():
    assert check_key(None) is None and check_key("k" * 200) == "k" * 200
