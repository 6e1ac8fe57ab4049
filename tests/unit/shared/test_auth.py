import time
from datetime import datetime

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
              "community": "erqiaoxi", "exp": now + 24 * 3600}  # built at collection time
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


class _Clock:
    """Stands in for time.time inside auth and PyJWT, moved by hand."""

    def __init__(self):
        self.now = time.time()

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """One hand-moved clock for the verifier's memory and for PyJWT's own exp check."""
    fake = _Clock()

    class FakeDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.fromtimestamp(fake.now, tz)

    monkeypatch.setattr("redgrid_shared.auth.time.time", fake)
    monkeypatch.setattr("jwt.api_jwt.datetime", FakeDatetime)
    return fake


def test_a_remembered_token_is_refused_once_it_expires(clock):
    verifier = _verifier()
    token = jwt.encode(_claims(exp=int(clock.now) + 60), SECRET, algorithm="HS256")
    first = verifier.verify(token)
    assert verifier.verify(token) is first  # answered from memory
    clock.now += 61
    with pytest.raises(ApiError) as refused:
        verifier.verify(token)
    assert refused.value.code == "token_expired"


def test_a_remembered_token_is_verified_again_after_the_cache_window(clock, monkeypatch):
    verifier = TokenVerifier(secret=SECRET, cache_seconds=30)
    token = jwt.encode(_claims(exp=int(clock.now) + 3600), SECRET, algorithm="HS256")
    verifier.verify(token)
    decoded = []
    real = jwt.decode
    monkeypatch.setattr("redgrid_shared.auth.jwt.decode",
                        lambda *a, **k: decoded.append(1) or real(*a, **k))
    verifier.verify(token)
    assert decoded == []
    clock.now += 31
    verifier.verify(token)
    assert decoded == [1]


def test_a_refused_token_is_never_remembered():
    verifier = _verifier()
    token = jwt.encode(_claims(), "another-secret-of-at-least-32-bytes!", algorithm="HS256")
    for _ in range(2):
        with pytest.raises(ApiError):
            verifier.verify(token)


def test_the_memory_is_bounded():
    verifier = TokenVerifier(secret=SECRET, cache_size=2)
    tokens = [jwt.encode(_claims(sub=f"u-{i}"), SECRET, algorithm="HS256") for i in range(5)]
    assert [verifier.verify(t).sub for t in tokens] == [f"u-{i}" for i in range(5)]
    assert len(verifier._verified) <= 2
