"""The consumer loop on a fake Kafka client: failures rewind to the last commit, never kill it."""

import asyncio
from types import SimpleNamespace

import asyncpg
from aiokafka import TopicPartition
from aiokafka.errors import CommitFailedError

from redgrid_shared import consumer as consumer_module
from redgrid_shared.consumer import ConsumerLoop

TP = TopicPartition("redgrid.intake.events", 0)


class FakeKafka:
    """Serves the records from the current position; commits may be set to fail."""

    def __init__(self, records, failures):
        self.records, self.failures = records, list(failures)
        self.position, self.committed_offset = 0, None

    async def getmany(self, timeout_ms):
        batch = self.records[self.position:]
        self.position = len(self.records)
        if not batch:
            await asyncio.sleep(0.01)
        return {TP: batch} if batch else {}

    async def commit(self, offsets):
        if self.failures:
            raise self.failures.pop(0)
        self.committed_offset = offsets[TP]

    def assignment(self):
        return {TP}

    async def committed(self, tp):
        return self.committed_offset

    async def seek_to_beginning(self, tp):
        self.position = 0

    def seek(self, tp, offset):
        self.position = offset


async def _run(records, failures, monkeypatch, outcomes=None):
    applied = []

    async def fake_process(pool, records, handler):
        for record in records:
            if outcomes:
                outcome = outcomes.pop(0)
                if isinstance(outcome, Exception):
                    raise outcome
            applied.append(record.offset)
        return ["applied"] * len(records)

    monkeypatch.setattr(consumer_module, "process_batch", fake_process)
    monkeypatch.setattr(consumer_module, "MAX_BACKOFF_SECONDS", 0.01)
    loop = ConsumerLoop(pool=None, bootstrap="unused:9092", group_id="g",
                        topics=(TP.topic,), handler=None)
    kafka = FakeKafka(records, failures)
    loop._consumer = kafka
    task = asyncio.create_task(loop.run())
    try:
        async with asyncio.timeout(10):
            while kafka.committed_offset != len(records):
                assert not task.done(), task
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return applied


def _records(n):
    return [SimpleNamespace(offset=i, topic=TP.topic, partition=0) for i in range(n)]


async def test_a_refused_commit_rewinds_to_the_last_commit_and_the_loop_goes_on(monkeypatch):
    applied = await _run(_records(3), [CommitFailedError("rebalanced")], monkeypatch)
    assert applied == [0, 1, 2, 0, 1, 2]  # redelivered from the commit; dedupe absorbs it


async def test_a_database_outage_mid_batch_is_retried_not_skipped(monkeypatch):
    outage = asyncpg.exceptions.CannotConnectNowError("starting up")
    applied = await _run(_records(3), [], monkeypatch, outcomes=[None, outage])
    assert applied == [0, 0, 1, 2]  # offset 1 was never skipped


async def test_the_next_batch_is_applied_while_a_commit_is_in_flight(monkeypatch):
    applied, commits, gate = [], [], asyncio.Event()

    async def fake_process(pool, records, handler):
        applied.extend(r.offset for r in records)
        return ["applied"] * len(records)

    class SlowCommits(FakeKafka):
        async def commit(self, offsets):
            commits.append((dict(offsets), len(applied)))
            await gate.wait()
            self.committed_offset = offsets[TP]

        async def stop(self):
            pass

    monkeypatch.setattr(consumer_module, "process_batch", fake_process)
    loop = ConsumerLoop(pool=None, bootstrap="unused:9092", group_id="g",
                        topics=(TP.topic,), handler=None)
    kafka = loop._consumer = SlowCommits(_records(3), [])
    task = asyncio.create_task(loop.run())
    try:
        async with asyncio.timeout(10):
            while not commits:
                await asyncio.sleep(0.01)
            kafka.records = _records(5)  # two more arrive while the first commit waits
            while len(applied) < 5:
                assert not task.done(), task
                await asyncio.sleep(0.01)
            assert kafka.committed_offset is None  # applied ahead of the commit in flight
            gate.set()
            while kafka.committed_offset != 5:
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await loop.stop()
    # One commit for the first batch, one carrying the later offsets; each names only
    # offsets already applied when it was sent.
    assert [offsets[TP] for offsets, _ in commits] == [3, 5]
    assert all(offsets[TP] <= applied_then for offsets, applied_then in commits)
