"""``workers.settle``: batches commit in poll order whatever order their deliveries complete
in, a failure rewinds every unsettled batch once, and nothing of a rewound generation
commits. (The same design against a real broker: tests/integration/test_reliability_*.)"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from typing import Any

from aiokafka import ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaTimeoutError

from claimscrub.workers.runtime.backoff import Backoff
from claimscrub.workers.runtime.settle import MAX_UNSETTLED, Batch, Settlement

TOPIC = "claims.submitted"


class RecordingConsumer:
    """The two calls ``Settlement`` makes of aiokafka's consumer, recorded."""

    def __init__(self) -> None:
        self.commits: list[dict[TopicPartition, int]] = []
        self.seeks: list[tuple[TopicPartition, int]] = []

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        await asyncio.sleep(0)
        self.commits.append(dict(offsets))

    def seek(self, partition: TopicPartition, offset: int) -> None:
        self.seeks.append((partition, offset))


class Observer:
    """``ClaimObserver``'s two hooks here: acknowledged deliveries counted, records done."""

    def __init__(self) -> None:
        self.done_records: list[int] = []
        self.acknowledged = 0

    def published(self, observed: Sequence[Any], outcomes: Sequence[object]) -> None:
        self.acknowledged += sum(not isinstance(item, BaseException) for item in outcomes)

    def done(self, item: int) -> None:
        self.done_records.append(item)


def _records(partition: int, offsets: range) -> list[ConsumerRecord[bytes, bytes]]:
    return [
        ConsumerRecord(TOPIC, partition, offset, 0, 0, None, b"{}", None, 0, 2, [])
        for offset in offsets
    ]


def _settlement() -> tuple[Settlement, Observer]:
    observer = Observer()
    settlement = Settlement(observer, Backoff(0.5, 30.0, rng=random.Random(1)))  # type: ignore[arg-type]
    return settlement, observer


def _pending(count: int) -> list[asyncio.Future[Any]]:
    loop = asyncio.get_running_loop()
    return [loop.create_future() for _ in range(count)]


def _handed_over(
    settlement: Settlement,
    consumer: RecordingConsumer,
    records: list[ConsumerRecord[bytes, bytes]],
    items: list[int],
) -> tuple[Batch, list[asyncio.Future[Any]], asyncio.Task[None]]:
    """A batch begun and handed over as the handler does, one pending delivery per item."""
    batch = settlement.begin(records, consumer)
    deliveries = _pending(len(items))
    task = settlement.settle(batch, items, deliveries)  # type: ignore[arg-type]
    return batch, deliveries, task


async def test_batches_commit_in_poll_order_when_later_deliveries_complete_first() -> None:
    settlement, observer = _settlement()
    consumer = RecordingConsumer()
    _, first_deliveries, _ = _handed_over(settlement, consumer, _records(0, range(0, 3)), [0, 1, 2])
    second_records = _records(0, range(3, 5)) + _records(1, range(7, 9))
    _, second_deliveries, second_task = _handed_over(
        settlement, consumer, second_records, [3, 4, 5, 6]
    )

    for delivery in second_deliveries:
        delivery.set_result(None)
    await asyncio.sleep(0.01)
    assert consumer.commits == [], "the second batch waits for the first"

    for delivery in first_deliveries:
        delivery.set_result(None)
    await second_task

    partition_0, partition_1 = TopicPartition(TOPIC, 0), TopicPartition(TOPIC, 1)
    assert consumer.commits == [{partition_0: 3}, {partition_0: 5, partition_1: 9}]
    assert observer.done_records == [0, 1, 2, 3, 4, 5, 6]
    assert not settlement.unsettled
    assert consumer.seeks == []


async def test_a_failed_delivery_rewinds_every_unsettled_batch_once_and_commits_none() -> None:
    settlement, observer = _settlement()
    consumer = RecordingConsumer()
    _, first_deliveries, first_task = _handed_over(
        settlement, consumer, _records(0, range(10, 12)), [10, 11]
    )
    second_records = _records(0, range(12, 14)) + _records(1, range(4, 6))
    second, second_deliveries, second_task = _handed_over(
        settlement, consumer, second_records, [12, 13, 4, 5]
    )

    first_deliveries[0].set_result(None)
    first_deliveries[1].set_exception(KafkaTimeoutError())
    for delivery in second_deliveries:
        delivery.set_exception(KafkaTimeoutError())
    await asyncio.gather(first_task, second_task)

    assert sorted(consumer.seeks) == [(TopicPartition(TOPIC, 0), 10), (TopicPartition(TOPIC, 1), 4)]
    assert consumer.commits == []
    assert observer.done_records == []
    assert observer.acknowledged == 1
    assert settlement.retry_delay is not None
    assert 0.25 <= settlement.retry_delay <= 0.5
    assert not settlement.current(second)
    assert not settlement.unsettled


async def test_a_batch_of_a_rewound_generation_never_commits_even_when_delivered() -> None:
    settlement, _ = _settlement()
    consumer = RecordingConsumer()
    old, deliveries, task = _handed_over(settlement, consumer, _records(0, range(0, 2)), [0, 1])
    failing = settlement.begin(_records(0, range(2, 4)), consumer)
    settlement.failed(failing, RuntimeError("the handler broke"))  # e.g. a send raised

    for delivery in deliveries:
        delivery.set_result(None)
    await task

    assert consumer.commits == []
    assert consumer.seeks == [(TopicPartition(TOPIC, 0), 0)]
    settlement.failed(old, KafkaTimeoutError())  # a late failure of the old generation
    assert consumer.seeks == [(TopicPartition(TOPIC, 0), 0)], "rewound once, not again"


async def test_a_new_batch_waits_while_the_most_batches_are_unsettled() -> None:
    settlement, _ = _settlement()
    consumer = RecordingConsumer()
    _, oldest_deliveries, _ = _handed_over(settlement, consumer, _records(0, range(0, 1)), [0])
    for offset in range(1, MAX_UNSETTLED):
        batch = settlement.begin(_records(0, range(offset, offset + 1)), consumer)
        settlement.settle(batch, [offset], [])  # type: ignore[arg-type]
    newest = settlement.begin(_records(0, range(9, 10)), consumer)

    waiting = asyncio.create_task(settlement.room(newest))
    await asyncio.sleep(0.01)
    assert not waiting.done()

    oldest_deliveries[0].set_result(None)
    await asyncio.wait_for(waiting, timeout=1)
    assert consumer.commits[0] == {TopicPartition(TOPIC, 0): 1}
