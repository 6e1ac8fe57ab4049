"""Read partitions from offset 0 to the end of the log: rebuilds and checks that replay it.

"The end" is the larger of end_offsets() and each partition's fetched highwater, reached
with no record arriving for `idle_seconds`: the local broker's end_offsets() can report less
than the log holds after batched produces (97 said, 128 readable), so no single answer is
trusted.
"""

import time
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

OnRecords = Callable[[list[ConsumerRecord]], Awaitable[None]]


async def partitions_of(kafka: AIOKafkaConsumer, topics: tuple[str, ...]) -> list[TopicPartition]:
    """Every partition of the topics, in order."""
    await kafka.topics()  # a fresh client has no metadata until asked
    return [TopicPartition(topic, p) for topic in topics
            for p in sorted(kafka.partitions_for_topic(topic) or ())]


async def read_to_end(kafka: AIOKafkaConsumer, partitions: list[TopicPartition],
                      on_records: OnRecords, *, idle_seconds: float = 1.0,
                      timeout_seconds: float = 600) -> int:
    """Feed every record from the beginning until caught up and quiet; returns the count."""
    kafka.assign(partitions)
    await kafka.seek_to_beginning(*partitions)
    mark: dict[TopicPartition, int] = {}
    read, deadline = 0, time.monotonic() + timeout_seconds
    quiet_since = time.monotonic()
    while True:
        batches = await kafka.getmany(timeout_ms=200)
        for records in batches.values():
            await on_records(records)
            read += len(records)
        if any(batches.values()):
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= idle_seconds:
            ends = await kafka.end_offsets(partitions)
            mark = {tp: max(mark.get(tp, 0), ends.get(tp) or 0, kafka.highwater(tp) or 0)
                    for tp in partitions}
            if all([await kafka.position(tp) >= mark[tp] for tp in partitions]):
                return read
        if time.monotonic() > deadline:
            raise TimeoutError(f"not caught up after {timeout_seconds}s ({read} read)")
