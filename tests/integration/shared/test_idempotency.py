"""run_command on real PostgreSQL: one effect per key and caller, whatever the concurrency;
a key is scoped by (community, role, caller) so nobody replays anyone else's answer."""

import asyncio
import uuid

import pytest

from redgrid_shared.auth import Principal
from redgrid_shared.errors import ApiError
from redgrid_shared.idempotency import run_command


def caller(**overrides) -> Principal:
    return Principal(**{"sub": "u-x", "role": "resident", "community": "erqiaoxi", **overrides})


@pytest.fixture
async def effects(pool):
    """A table counting effects, and an effect that records one row and answers with it."""
    table = f"effects_{uuid.uuid4().hex[:8]}"
    await pool.execute(f"CREATE TABLE {table} (n serial PRIMARY KEY, who text NOT NULL)")

    def effect_for(who: Principal):
        async def effect(conn):
            await asyncio.sleep(0)  # let concurrent retries interleave inside the transaction
            n = await conn.fetchval(f"INSERT INTO {table} (who) VALUES ($1) RETURNING n",
                                    who.community)
            return 201, {"n": n, "community": who.community}
        return effect

    async def count() -> int:
        return await pool.fetchval(f"SELECT count(*) FROM {table}")

    yield effect_for, count
    await pool.execute(f"DROP TABLE {table}")


async def call(pool, who: Principal, key: str, effect_for, payload=None):
    return await run_command(pool, principal=who, key=key, operation="report",
                             payload=payload or {"a": 1}, effect=effect_for(who))


async def test_concurrent_identical_retries_have_one_effect(pool, effects):
    effect_for, count = effects
    key = f"k-{uuid.uuid4()}"
    results = await asyncio.gather(*(call(pool, caller(), key, effect_for) for _ in range(8)))
    assert await count() == 1
    assert len({r.body["n"] for r in results}) == 1
    assert sorted(r.replayed for r in results) == [False] + [True] * 7


async def test_the_same_key_with_another_body_is_422_and_has_no_effect(pool, effects):
    effect_for, count = effects
    key = f"k-{uuid.uuid4()}"
    await call(pool, caller(), key, effect_for)
    with pytest.raises(ApiError) as err:
        await call(pool, caller(), key, effect_for, payload={"a": 2})
    assert err.value.status == 422 and "header.idempotency-key" in err.value.fields
    assert await count() == 1


@pytest.mark.parametrize("other", [
    caller(community="other"),  # resident u-x of another community
    caller(role="repairer"),  # the same sub with another role
    caller(sub="u-y"),  # another person
], ids=["other-community", "other-role", "other-person"])
async def test_the_same_key_from_another_caller_is_never_a_replay(pool, effects, other):
    effect_for, count = effects
    key = f"report-1-{uuid.uuid4().hex[:6]}"  # one key, as two apps may well both choose
    first = await call(pool, caller(), key, effect_for)
    theirs = await call(pool, other, key, effect_for)
    assert not theirs.replayed and theirs.body["n"] != first.body["n"]
    assert theirs.body["community"] == other.community
    assert await count() == 2
    # And each still replays their own.
    again = await call(pool, other, key, effect_for)
    assert again.replayed and again.body == theirs.body


async def test_a_failed_effect_remembers_nothing(pool, effects):
    _, count = effects
    key = f"k-{uuid.uuid4()}"

    async def refuse(conn):
        raise ApiError(409, "wrong_status", "no")
    with pytest.raises(ApiError):
        await run_command(pool, principal=caller(), key=key, operation="x", payload={},
                          effect=refuse)
    assert await pool.fetchval("SELECT count(*) FROM idempotency_keys WHERE key = $1", key) == 0


async def test_authorize_runs_before_a_replay(pool, effects):
    effect_for, _ = effects
    key = f"k-{uuid.uuid4()}"
    await call(pool, caller(), key, effect_for)

    async def no_longer_allowed(conn):
        raise ApiError(404, "not_found", "gone")
    with pytest.raises(ApiError) as err:
        await run_command(pool, principal=caller(), key=key, operation="report",
                          payload={"a": 1}, effect=effect_for(caller()),
                          authorize=no_longer_allowed)
    assert err.value.status == 404
