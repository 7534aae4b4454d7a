"""Batches whose results are sent but not yet acknowledged, settled in order in the
background while the handler routes the next batch.

Waiting inside the handler for a batch's acknowledgements and its commit made every batch
pay 20 to 30 ms of broker round trips before the next poll; and because aiokafka fetches one
batch ahead, a record waited through about two such cycles before it was even routed
(docs/performance.md). So the handler registers a batch (``begin``), sends its results and
hands it over (``settle``); a task per batch then waits for the batch before it, for its
own deliveries, and commits exactly that batch's end offsets. Commits therefore only move
forward, one batch at a time, as before.

A failure (a delivery, or anything in the handler) rewinds the consumer to the first record
of the earliest unsettled batch on each partition and starts a new *generation*: the other
batches of the old one are being redone, so they neither commit nor rewind again. The
handler waits out the backoff before its next batch (``retry_delay``). At most
``MAX_UNSETTLED`` batches are unsettled at once; a crash redoes them all (duplicates,
never a gap: docs/reliability.md).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeAlias, TypeVar

from aiokafka import ConsumerRecord, TopicPartition
from aiokafka.errors import IllegalStateError, KafkaError

from claimscrub.workers.observability.logging import get_logger
from claimscrub.workers.runtime.backoff import Backoff
from claimscrub.workers.runtime.producer import Delivery

log = get_logger(__name__)

# The batch being routed and the one before it, whose acknowledgements and commit overlap
# the routing: a third would only add duplicates after a crash, never speed.
MAX_UNSETTLED = 2

Offsets = dict[TopicPartition, int]
Record: TypeAlias = ConsumerRecord[bytes, bytes]
Item = TypeVar("Item")
Item_contra = TypeVar("Item_contra", contravariant=True)


class Committer(Protocol):
    """What settling needs of the consumer that read a batch: aiokafka's consumer, or the
    in-memory stand-in under FastStream's test broker (``workers._framework``)."""

    async def commit(self, offsets: Offsets) -> None: ...

    def seek(self, partition: TopicPartition, offset: int) -> None: ...


class SettleObserver(Protocol[Item_contra]):
    """Who hears how a batch ended: its deliveries' outcomes, then each item once settled
    (``ClaimObserver``: metrics and the per-claim log line)."""

    def published(self, observed: Sequence[Item_contra], outcomes: Sequence[object]) -> None: ...

    def done(self, observed: Item_contra) -> None: ...


@dataclass(slots=True, eq=False)
class Batch(Generic[Item]):
    """One poll's records: where to rewind to redo them, and what to commit when done."""

    generation: int
    records: Sequence[Record]
    consumer: Committer
    first: Offsets = field(init=False)
    end: Offsets = field(init=False)
    observed: Sequence[Item] = ()
    task: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.first, self.end = {}, {}
        for record in self.records:
            partition = TopicPartition(record.topic, record.partition)
            self.first[partition] = min(self.first.get(partition, record.offset), record.offset)
            self.end[partition] = max(self.end.get(partition, 0), record.offset + 1)


class Settlement(Generic[Item]):
    """The unsettled batches of one consumer, in the order they were polled."""

    def __init__(self, observer: SettleObserver[Item], backoff: Backoff) -> None:
        self.observer = observer
        self.backoff = backoff
        self.generation = 0
        self.unsettled: deque[Batch[Item]] = deque()
        self.retry_delay: float | None = None  # set by a failure, taken by the next batch

    def begin(self, records: Sequence[Record], consumer: Committer) -> Batch[Item]:
        batch: Batch[Item] = Batch(self.generation, records, consumer)
        self.unsettled.append(batch)
        return batch

    def current(self, batch: Batch[Item]) -> bool:
        """False once a failure rewound past ``batch``: it is being redone."""
        return batch.generation == self.generation

    async def room(self, batch: Batch[Item]) -> None:
        """Wait until fewer than ``MAX_UNSETTLED`` batches are ahead of ``batch``."""
        while self.current(batch) and len(self.unsettled) > MAX_UNSETTLED:
            oldest = self.unsettled[0].task
            assert oldest is not None, "only the newest batch is without a task"
            await asyncio.wait([oldest])

    def settle(
        self, batch: Batch[Item], observed: Sequence[Item], deliveries: Sequence[Delivery]
    ) -> asyncio.Task[None]:
        """Acknowledge and commit ``batch`` in the background, after the one before it."""
        previous = self.unsettled[-2].task if len(self.unsettled) > 1 else None
        batch.observed = observed
        batch.task = asyncio.create_task(self._settle(batch, previous, deliveries))
        return batch.task

    async def drain(self, timeout_s: float) -> None:
        """Wait (up to ``timeout_s``) for every batch handed over to settle."""
        tasks = [batch.task for batch in self.unsettled if batch.task is not None]
        if tasks:
            await asyncio.wait(tasks, timeout=timeout_s)

    def failed(self, batch: Batch[Item], error: BaseException) -> None:
        """Rewind to redo every unsettled batch, unless an earlier failure already did.
        The error's type only: its text may quote a record (PHI)."""
        if not self.current(batch):
            return
        delay = self.backoff.next_delay()
        earliest = self.unsettled[0]
        first = earliest.records[0]
        log.error(
            "batch_failed",
            error_type=type(error).__name__,
            topic=first.topic,
            partition=first.partition,
            first_offset=first.offset,
            records=sum(len(unsettled.records) for unsettled in self.unsettled),
            attempt=self.backoff.failures,
            retry_in_s=round(delay, 3),
        )
        rewind: Offsets = {}
        for unsettled in self.unsettled:
            for partition, offset in unsettled.first.items():
                rewind[partition] = min(rewind.get(partition, offset), offset)
        for partition, offset in rewind.items():
            # A partition no longer ours is redone by its new owner from the last commit.
            with suppress(IllegalStateError):
                earliest.consumer.seek(partition, offset)
        self.generation += 1
        self.unsettled.clear()
        self.retry_delay = delay

    async def _settle(
        self,
        batch: Batch[Item],
        previous: asyncio.Task[None] | None,
        deliveries: Sequence[Delivery],
    ) -> None:
        try:
            if previous is not None:
                await asyncio.wait([previous])
            outcomes = await asyncio.gather(*deliveries, return_exceptions=True)
            self.observer.published(batch.observed, outcomes)
            if not self.current(batch):
                return
            error = next((item for item in outcomes if isinstance(item, BaseException)), None)
            if error is not None:
                self.failed(batch, error)
                return
            await _commit(batch)
        except Exception as error:  # anything unforeseen redoes the batch
            self.failed(batch, error)
            return
        if self.unsettled and self.unsettled[0] is batch:
            self.unsettled.popleft()
        self.backoff.reset()
        for item in batch.observed:
            self.observer.done(item)


async def _commit(batch: Batch[Item]) -> None:
    """Commit the end of ``batch`` on each of its partitions. A failed commit loses nothing:
    the results are published and the next commit covers them; if the partitions moved
    meanwhile (a rebalance), their new owner redoes them, which makes duplicates, not gaps."""
    try:
        await batch.consumer.commit(batch.end)
    except KafkaError as error:
        first = batch.records[0]
        log.warning(
            "commit_failed",
            error_type=type(error).__name__,
            topic=first.topic,
            first_offset=first.offset,
            records=len(batch.records),
        )
