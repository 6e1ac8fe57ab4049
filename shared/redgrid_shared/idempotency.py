"""Idempotent commands: every POST/PUT of every service runs through `run_command`.

A response is remembered per (community, role, caller, key) in the same transaction as the
effect, so a retry sees the whole effect and its first response, or neither. The scope is the
caller's whole identity: the same key from another community, another role or another person
is a different key and can never replay someone else's response. Routes authorise the caller
before calling in (and `authorize` runs inside, before any replay), so a replay follows the
caller's own authorisation. Concurrent retries of one key queue on an advisory lock: one effect.
"""

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg
from fastapi.responses import JSONResponse

from redgrid_shared.auth import Principal
from redgrid_shared.errors import ApiError
from redgrid_shared.eventstore import ConcurrencyConflict

log = logging.getLogger(__name__)
MAX_KEY_LENGTH = 200
# A lost optimistic-concurrency race is decided again on the new state, a few times at most.
CONFLICT_ATTEMPTS = 5
Effect = Callable[[asyncpg.Connection], Awaitable[tuple[int, dict]]]
Check = Callable[[asyncpg.Connection], Awaitable[None]]
# Releases under way (a task needs a reference until it is done).
_releasing: set[asyncio.Task] = set()


@dataclass(frozen=True)
class CommandResult:
    status: int
    body: dict
    replayed: bool = False

    def response(self) -> JSONResponse:
        """The HTTP answer; a replay says so in `Idempotent-Replayed: true`."""
        headers = {"Idempotent-Replayed": "true"} if self.replayed else None
        return JSONResponse(self.body, status_code=self.status, headers=headers)


def request_hash(payload: object) -> str:
    """A stable fingerprint of the operation and its request."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def check_key(key: str | None) -> str | None:
    """Validate the header value; None when absent."""
    if key is None:
        return None
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ApiError(422, "invalid_request", "Idempotency-Key must be 1-200 characters",
                       {"header.idempotency-key": f"1 to {MAX_KEY_LENGTH} characters"})
    return key


def scope_of(principal: Principal) -> str:
    """The key's owner: community, role and person together (JSON, so no separator clash)."""
    return json.dumps([principal.community, principal.role, principal.sub], ensure_ascii=False)


async def run_command(pool: asyncpg.Pool, *, principal: Principal, key: str | None,
                      operation: str, payload: object, effect: Effect,
                      authorize: Check | None = None,
                      retry_on: tuple[type[Exception], ...] = (ConcurrencyConflict,)
                      ) -> CommandResult:
    """Run `effect` in one transaction, or replay the response this caller got for `key`.

    `operation` names the route and target (e.g. `accept:iss-1`), so one key reused on another
    route or body is 422. An `effect` that loses an optimistic-concurrency race is run again on
    the new state; raising ApiError rolls everything back and remembers nothing.
    """
    fingerprint = request_hash({"op": operation, "payload": payload})
    scope = scope_of(principal)
    for _ in range(CONFLICT_ATTEMPTS):
        conn = await pool.acquire()
        try:
            async with conn.transaction():
                if authorize is not None:
                    await authorize(conn)
                if key is not None:
                    previous = await _claim(conn, scope, key, fingerprint)
                    if previous is not None:
                        return previous
                status, body = await effect(conn)
                if key is not None:
                    await conn.execute(
                        """INSERT INTO idempotency_keys (principal, key, request_hash, status, body)
                           VALUES ($1, $2, $3, $4, $5)""", scope, key, fingerprint, status, body)
                return CommandResult(status, body)
        except retry_on:
            continue
        finally:
            _release_soon(pool, conn)
    raise ApiError(409, "concurrent_update", f"{operation} kept changing under concurrent "
                                             "updates; retry")


async def run_statement(pool: asyncpg.Pool, effect: Effect) -> CommandResult:
    """Run `effect`, which writes with a single statement (so it commits on its own, all or
    nothing), on a pooled connection outside a transaction; the connection goes back after
    the answer, as in `run_command`. For commands with no key to remember."""
    conn = await pool.acquire()
    try:
        return CommandResult(*await effect(conn))
    finally:
        _release_soon(pool, conn)


def _release_soon(pool: asyncpg.Pool, conn: asyncpg.Connection) -> None:
    """Give the connection back without holding up the answer: the transaction is over, and
    the release still sends the outbox NOTIFY an append left pending (db.py), a round trip
    the caller need not wait for. The pool's close waits for these releases."""
    task = asyncio.get_running_loop().create_task(pool.release(conn))
    _releasing.add(task)
    task.add_done_callback(_released)


def _released(task: asyncio.Task) -> None:
    _releasing.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.warning("releasing a connection after a command failed: %s", task.exception())


async def _claim(conn: asyncpg.Connection, scope: str, key: str,
                 fingerprint: str) -> CommandResult | None:
    """Take the key's lock for this transaction (one effect per key, however many retries
    race), then the stored response if there is one: one statement, see the shared SQL
    `idempotency_claim`."""
    row = await conn.fetchrow(
        "SELECT request_hash, status, body FROM idempotency_claim($1, $2)", scope, key)
    if row is None:
        return None
    if row["request_hash"] != fingerprint:
        raise ApiError(422, "idempotency_key_reused",
                       "this Idempotency-Key was used with a different request",
                       {"header.idempotency-key": "already used for another request"})
    return CommandResult(row["status"], row["body"], replayed=True)
