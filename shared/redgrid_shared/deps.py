"""FastAPI dependency aliases shared by the services' routes."""

from typing import Annotated

import asyncpg
from fastapi import Depends, Header, Request

from redgrid_shared.clock import Clock, system_clock
from redgrid_shared.errors import ApiError
from redgrid_shared.idempotency import check_key


# Async dependencies run on the event loop; sync ones would each cost a thread hop.
class _NoDatabaseYet:
    """Stands in for the pool while start-up still waits for PostgreSQL: any use is a 503,
    raised only when a route reaches the database (after auth and validation)."""

    def __getattr__(self, name: str):
        raise ApiError(503, "unavailable", "the service is starting and cannot reach its "
                       "database yet; retry shortly with the same Idempotency-Key")


async def get_pool(request: Request) -> asyncpg.Pool:
    pool = request.app.state.runtime.pool
    return _NoDatabaseYet() if pool is None else pool


async def get_idempotency_key(
    idempotency_key: Annotated[str | None, Header(
        description="Repeat a POST safely: the first response for this key is replayed",
        examples=["7f6c1f9e-report-1"])] = None,
) -> str | None:
    return check_key(idempotency_key)


async def get_clock(request: Request) -> Clock:
    """The app's clock (`app.state.clock`, set by create_app(clock=...)), else wall time."""
    return getattr(request.app.state, "clock", system_clock)


PoolDep = Annotated[asyncpg.Pool, Depends(get_pool)]
IdempotencyKey = Annotated[str | None, Depends(get_idempotency_key)]
ClockDep = Annotated[Clock, Depends(get_clock)]
