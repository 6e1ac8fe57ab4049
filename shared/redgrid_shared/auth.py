"""Bearer JWT verification (PyJWT, algorithms pinned) and the caller's claims.

Development uses HS256 with REDGRID_JWT_SECRET; production sets REDGRID_JWT_ALGORITHM=RS256
and REDGRID_JWKS_URL, and keys come from the identity provider's JWKS.
"""

import logging
import time
from typing import Annotated, Literal

import jwt
from cachetools import TLRUCache
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from redgrid_shared.errors import ApiError

log = logging.getLogger(__name__)
ISSUER = "redgrid"
AUDIENCE = "redgrid-api"
Role = Literal["resident", "steward", "repairer", "operator", "admin"]
STAFF_ROLES = frozenset({"steward", "repairer"})
# Verified tokens kept per process (a phone sends the same token with every request).
CACHE_SIZE = 4096
CACHE_SECONDS = 300.0


class Principal(BaseModel):
    """Who is calling: the verified claims of the bearer token."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    sub: str = Field(min_length=1)
    role: Role
    community: str = Field(min_length=1)
    grids: tuple[str, ...] = ()

    @field_validator("sub", "community", "grids")
    @classmethod
    def _printable(cls, value):
        # A NUL cannot be stored in PostgreSQL text; such a token is simply not valid.
        values = value if isinstance(value, tuple) else (value,)
        if any("\x00" in v for v in values):
            raise ValueError("must not contain NUL characters")
        return value

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_desk(self) -> bool:
        """Operators and admins see the whole community."""
        return self.role in ("operator", "admin")


class TokenVerifier:
    """Verifies bearer tokens: signature, exp, iss and aud all required."""

    def __init__(self, *, secret: str, algorithm: str = "HS256", jwks_url: str | None = None,
                 cache_size: int = CACHE_SIZE, cache_seconds: float = CACHE_SECONDS):
        self._algorithm = algorithm
        self._secret = secret
        self._jwks = jwt.PyJWKClient(jwks_url) if jwks_url else None
        # token -> (principal, when to forget it); least recently used goes first when full
        self._verified: TLRUCache | None = TLRUCache(
            maxsize=cache_size, ttu=lambda _token, hit, _now: hit[1],
            timer=lambda: time.time()) if cache_size > 0 else None
        self._cache_seconds = cache_seconds

    def verify(self, token: str) -> Principal:
        """Claims of a valid token, or ApiError 401 saying what was wrong. A token verified
        before is answered from memory until it expires (or `cache_seconds` pass, so a key
        withdrawn from the JWKS stops being honoured soon); refusals are never remembered."""
        if self._verified is None:
            return self._decode(token)[0]
        hit = self._verified.get(token)
        if hit is not None:
            return hit[0]
        principal, expires = self._decode(token)
        self._verified[token] = (principal, min(expires, time.time() + self._cache_seconds))
        return principal

    def _decode(self, token: str) -> tuple[Principal, float]:
        try:
            key = self._jwks.get_signing_key_from_jwt(token).key if self._jwks else self._secret
            claims = jwt.decode(
                token, key, algorithms=[self._algorithm], audience=AUDIENCE, issuer=ISSUER,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
            return Principal.model_validate(claims), float(claims["exp"])
        except jwt.ExpiredSignatureError:
            raise ApiError(401, "token_expired", "invalid token: it has expired") from None
        except (jwt.PyJWTError, ValidationError) as exc:
            # The reason stays in the log: echoing a library's words tells a prober too much.
            log.info("refused a bearer token: %s", str(exc).splitlines()[0])
            raise ApiError(401, "invalid_token", "invalid token") from None


def mint_token(*, secret: str, sub: str, role: str, community: str,
               grids: tuple[str, ...] | list[str] = (), ttl_seconds: int = 86400) -> str:
    """A development HS256 token with the claims PRODUCT.md fixes."""
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": sub, "role": role, "community": community,
              "grids": list(grids), "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, secret, algorithm="HS256")


async def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the verified caller, or 401."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "missing_token", "missing token: send Authorization: Bearer <token>")
    verifier: TokenVerifier = request.app.state.verifier
    return verifier.verify(token.strip())


async def optional_principal(request: Request) -> Principal | None:
    """FastAPI dependency for public routes that answer per community when a token is sent:
    no Authorization header -> None; a bad token is still 401, never silently anonymous."""
    if "authorization" not in request.headers:
        return None
    return await current_principal(request)


Caller = Annotated[Principal, Depends(current_principal)]
OptionalCaller = Annotated[Principal | None, Depends(optional_principal)]


def require_role(principal: Principal, *roles: str) -> None:
    """403 unless the caller has one of the roles."""
    if principal.role not in roles:
        raise ApiError(403, "forbidden", f"this action needs one of the roles: {', '.join(roles)}")
