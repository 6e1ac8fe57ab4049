"""Consumer loop: a polled batch per partition -> `apply.process_batch` (effects + dedupe
rows + parked records, one transaction) -> offset committed after. A redelivered event finds
its dedupe row and changes nothing. When the database is unreachable nothing is parked: the
loop backs off and re-reads from the last commit.

Offset commits run beside the loop: once a batch's transaction has committed its offset is
handed to one committer task and the loop goes on to the next batch. A commit only ever
names offsets whose effects are committed, so at-least-once holds. After a commit the
committer waits `commit_interval` seconds; offsets applied meanwhile go out together in the
next one (fewer commit requests for the broker and the loop; a crash redelivers at most that
much more, which dedupe absorbs). A failed commit is raised in the loop at its next batch,
which then rewinds to the committed offsets as before.

Fetch wait: a broker may hold a fetch on an idle partition for `fetch_max_wait_ms`. Apache
Kafka answers as soon as data arrives, so a long wait costs nothing there. The local Tansu
broker re-checks only at half the remaining wait (W/2, 3W/4, ...; docs/benchmarks.md), so a
short wait is needed for latency, and a short wait polls all day. The loop therefore uses
`busy_wait_ms` while records flow and switches to `idle_wait_ms` after `idle_after` seconds
without any; the first record after a quiet spell waits at most about idle_wait_ms / 2.
"""

import asyncio
import logging
import time

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from prometheus_client import Counter

from redgrid_shared.apply import (  # noqa: F401  (re-exported: the loop's public surface)
    TRANSIENT, Handler, apply_once, park, process_batch, process_record)

log = logging.getLogger(__name__)
CONSUMED = Counter("redgrid_events_consumed_total", "Events consumed",
                   ["group", "outcome"])
MAX_BACKOFF_SECONDS = 10.0
STOP_COMMIT_SECONDS = 5.0


class ConsumerLoop:
    """Runs a consumer group over topics, committing offsets only after effects commit."""

    def __init__(self, *, pool: asyncpg.Pool, bootstrap: str, group_id: str,
                 topics: tuple[str, ...], handler: Handler, fetch_max_wait_ms: int = 500,
                 idle_fetch_max_wait_ms: int | None = None, idle_after: float = 2.0,
                 commit_interval: float = 0.2, **consumer_options):
        self._pool, self._handler, self.group = pool, handler, group_id
        self._consumer = AIOKafkaConsumer(
            *topics, bootstrap_servers=bootstrap, group_id=group_id,
            enable_auto_commit=False, auto_offset_reset="earliest",
            max_poll_records=500, fetch_max_wait_ms=fetch_max_wait_ms, **consumer_options,
        )
        self._busy_wait = fetch_max_wait_ms
        self._idle_wait = idle_fetch_max_wait_ms or fetch_max_wait_ms
        self._idle_after, self._last_records = idle_after, time.monotonic()
        self.committed: dict[TopicPartition, int] = {}
        self.processed = 0
        self._uncommitted: dict[TopicPartition, int] = {}  # applied, offset not yet committed
        self._committer: asyncio.Task | None = None
        self._commit_interval = commit_interval
        self._commit_failed: BaseException | None = None

    async def start(self) -> None:
        await self._consumer.start()

    async def stop(self) -> None:
        """Commit what is applied, waiting a few seconds at most (a lost commit only means a
        redelivery), then leave the group."""
        if self._committer is not None:
            await asyncio.wait({self._committer}, timeout=STOP_COMMIT_SECONDS)
            self._committer.cancel()
            await asyncio.gather(self._committer, return_exceptions=True)
        await self._consumer.stop()

    def lag(self) -> dict[TopicPartition, int]:
        """Records behind the broker's end per assigned partition (as last fetched)."""
        out = {}
        for tp in self._consumer.assignment():
            end = self._consumer.highwater(tp)
            if end is not None:
                out[tp] = max(0, end - self.committed.get(tp, 0))
        return out

    async def run(self) -> None:
        """Consume until cancelled; after any failure, back off and resume every partition
        from its last commit, so nothing is skipped and the loop never dies."""
        backoff, rewind = 0.5, False
        while True:
            try:
                if rewind:
                    await self._rewind()
                    rewind = False
                await self._consume_batch()
                backoff = 0.5
            except asyncio.CancelledError:
                raise
            except KafkaError as exc:
                # e.g. a commit refused after a rebalance took the partition away: its new
                # owner re-reads from the last commit, and dedupe absorbs the overlap.
                log.warning("%s: %s; resuming from committed offsets", self.group, exc)
                rewind = True
            except Exception:
                log.exception("%s: cannot apply events now; retrying in %.1fs", self.group,
                              backoff)
                rewind = True
            if rewind:
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    async def _consume_batch(self) -> None:
        if self._commit_failed is not None:
            failed, self._commit_failed = self._commit_failed, None
            raise failed
        batches = await self._consumer.getmany(timeout_ms=1000)
        self._pace(bool(batches))
        for tp in self._consumer.assignment() - self.committed.keys():
            self.committed[tp] = await self._consumer.committed(tp) or 0  # for lag()
        for tp, records in batches.items():
            for outcome in await process_batch(self._pool, records, self._handler):
                CONSUMED.labels(self.group, outcome).inc()
            self.processed += len(records)
            # Committed after every effect of the batch is: a crash before it redelivers the
            # batch, and the dedupe rows make that harmless.
            self._commit_soon(tp, records[-1].offset + 1)

    def _commit_soon(self, tp: TopicPartition, offset: int) -> None:
        """Hand an applied offset to the committer; start it unless it is running."""
        self._uncommitted[tp] = offset
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_applied(),
                                                  name=f"commit:{self.group}")

    async def _commit_applied(self) -> None:
        """Commit the applied offsets, then those applied meanwhile, until none are left; a
        failure waits for the loop."""
        # One turn of the event loop first: the outbox relay this batch's transaction just
        # woke sends before the commit's request is built.
        await asyncio.sleep(0)
        while self._uncommitted:
            offsets, self._uncommitted = self._uncommitted, {}
            try:
                await self._consumer.commit(offsets)
            except Exception as exc:
                self._commit_failed = exc
                return
            self.committed.update(offsets)
            await asyncio.sleep(self._commit_interval)

    def _pace(self, got_records: bool) -> None:
        """Short fetch waits while records flow, long ones once the topics are quiet."""
        now = time.monotonic()
        if got_records:
            self._last_records = now
        wait = self._busy_wait if now - self._last_records < self._idle_after else self._idle_wait
        fetcher = getattr(self._consumer, "_fetcher", None)
        # aiokafka reads this attribute each time it builds a fetch request.
        if fetcher is not None and hasattr(fetcher, "_fetch_max_wait_ms"):
            fetcher._fetch_max_wait_ms = wait

    async def _rewind(self) -> None:
        """Seek each partition still assigned back to its committed offset."""
        for tp in self._consumer.assignment():
            committed = await self._consumer.committed(tp)
            if committed is None:
                await self._consumer.seek_to_beginning(tp)
            else:
                self.committed[tp] = committed
                self._consumer.seek(tp, committed)
