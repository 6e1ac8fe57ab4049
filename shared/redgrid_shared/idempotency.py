"""Idempotency-Key support: the first response for (caller, key) is replayed on retries.

The remembered response is written in the same transaction as the effect, so a retry
either sees the whole effect and its response, or neither.
"""

import hashlib
import json

import asyncpg

from redgrid_shared.errors import ApiError

MAX_KEY_LENGTH = 200


def request_hash(payload: object) -> str:
    """A stable fingerprint of the request body."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def check_key(key: str | None) -> str | None:
    """Validate the header value; None when absent."""
    if key is None:
        return None
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ApiError(422, "invalid_request", "Idempotency-Key must be 1-200 characters",
                       {"header.idempotency-key": f"1 to {MAX_KEY_LENGTH} characters"})
    return key


async def replay(conn: asyncpg.Connection, principal: str, key: str | None,
                 fingerprint: str) -> tuple[int, dict] | None:
    """The stored (status, body) for this key, or None; 422 if reused with another body."""
    if key is None:
        return None
    row = await conn.fetchrow(
        "SELECT request_hash, status, body FROM idempotency_keys WHERE principal=$1 AND key=$2",
        principal, key)
    if row is None:
        return None
    if row["request_hash"] != fingerprint:
        raise ApiError(422, "idempotency_key_reused",
                       "this Idempotency-Key was used with a different request",
                       {"header.idempotency-key": "already used for another request"})
    return row["status"], row["body"]


async def remember(conn: asyncpg.Connection, principal: str, key: str | None, fingerprint: str,
                   status: int, body: dict) -> None:
    """Store the response for the key inside the caller's transaction."""
    if key is None:
        return
    await conn.execute(
        """INSERT INTO idempotency_keys (principal, key, request_hash, status, body)
           VALUES ($1, $2, $3, $4, $5)""", principal, key, fingerprint, status, body)
