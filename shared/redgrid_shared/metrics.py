"""Gauges an operator of a Kafka system watches, collected when /metrics is scraped:
consumer lag per partition, unpublished outbox rows, unresolved dead letters. They exist
from the first scrape; NaN says "not known now" (e.g. the database is down)."""

import asyncio
import logging
import math

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Gauge, generate_latest

log = logging.getLogger(__name__)
LAG = Gauge("redgrid_consumer_lag", "Records between a group's committed offset and the end "
            "of the partition, as of the last fetch", ["group", "topic", "partition"])
OUTBOX = Gauge("redgrid_outbox_unpublished", "Stored events the relay has not published yet",
               ["service"])
DEAD = Gauge("redgrid_dead_letters", "Consumed records parked and not resolved yet",
             ["service"])


async def collect(runtime) -> None:
    """Refresh the gauges of one service process from its runtime."""
    service = runtime.settings.service_name
    LAG.clear()  # partitions a rebalance took away must not linger with their last value
    for loop in runtime.consumers:
        for tp, lag in loop.lag().items():
            LAG.labels(loop.group, tp.topic, str(tp.partition)).set(lag)
    try:
        if runtime.pool is None:
            raise ConnectionError("no database yet")
        async with asyncio.timeout(1.0):
            row = await runtime.pool.fetchrow(
                """SELECT (SELECT count(*) FROM events WHERE published_at IS NULL) AS outbox,
                          (SELECT count(*) FROM dead_letters WHERE resolved_at IS NULL) AS dead""")
        OUTBOX.labels(service).set(row["outbox"])
        DEAD.labels(service).set(row["dead"])
    except Exception as exc:  # a scrape must answer even when the database does not
        log.debug("metrics: database figures unavailable: %s", exc)
        OUTBOX.labels(service).set(math.nan)
        DEAD.labels(service).set(math.nan)


def expose(app: FastAPI, runtime) -> None:
    """GET /metrics: refresh this service's gauges, then the whole registry."""
    OUTBOX.labels(runtime.settings.service_name).set(math.nan)
    DEAD.labels(runtime.settings.service_name).set(math.nan)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        await collect(runtime)
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
