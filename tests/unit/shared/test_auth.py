import time

import jwt
import pytest

from redgrid_shared.auth import TokenVerifier, mint_token
from redgrid_shared.errors import ApiError

SECRET = "unit-test-secret-of-at-least-32-bytes"


def _verifier():
    return TokenVerifier(secret=SECRET)


def test_a_minted_token_verifies_to_its_claims():
    token = mint_token(secret=SECRET, sub="s-01", role="steward", community="erqiaoxi",
                       grids=["g-01"])
    principal = _verifier().verify(token)
    assert (principal.sub, principal.role, principal.community, principal.grids) == (
        "s-01", "steward", "erqiaoxi", ("g-01",))
    assert principal.is_staff and not principal.is_desk


def _claims(**overrides):
    now = int(time.time())
    claims = {"iss": "redgrid", "aud": "redgrid-api", "sub": "u-1", "role": "resident",
              "community": "erqiaoxi", "exp": now + 60}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.mark.parametrize("claims, code", [
    (_claims(exp=int(time.time()) - 10), "token_expired"),
    (_claims(aud="someone-else"), "invalid_token"),
    (_claims(iss="elsewhere"), "invalid_token"),
    (_claims(exp=None), "invalid_token"),
    (_claims(role="superuser"), "invalid_token"),
    (_claims(sub="u-1\x00"), "invalid_token"),
])
def test_bad_tokens_are_refused_with_401(claims, code):
    token = jwt.encode(claims, SECRET, algorithm="HS256")
    with pytest.raises(ApiError) as info:
        _verifier().verify(token)
    assert info.value.status == 401 and info.value.code == code


def test_a_token_signed_with_another_secret_is_refused():
    token = mint_token(secret="another-secret-of-at-least-32-bytes", sub="u-1", role="resident", community="erqiaoxi")
    with pytest.raises(ApiError) as info:
        _verifier().verify(token)
    assert info.value.status == 401


def test_the_none_algorithm_is_never_accepted():
    token = jwt.encode(_claims(), None, algorithm="none")
    with pytest.raises(ApiError):
        _verifier().verify(token)
