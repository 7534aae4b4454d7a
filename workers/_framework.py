"""Everything the worker needs of FastStream, aiokafka and uvicorn beyond their public API.

The runtime and the health checks reach these libraries' internals only through this
module, and tests/workers/test_framework.py pins every attribute used here, so an upgrade
that moves one fails that test and is mended in this one file.

- FastStream 0.7 (batch subscriber): the records of a poll are the message's
  ``raw_message`` and its consumer is ``message.consumer``: aiokafka's, or under
  ``TestKafkaBroker`` a stand-in whose ``commit()`` takes no offsets; a subscriber has
  ``running``, its consume ``tasks`` and its aiokafka ``consumer``.
- aiokafka: ``commit(offsets)`` and ``seek`` of the consumer (public), used as a
  ``Committer``.
- uvicorn 0.54: ``Server.lifespan.error_occurred`` and ``Server._captured_signals``.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol, cast

import uvicorn
from aiokafka import ConsumerRecord, TopicPartition
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.message import FakeConsumer

Offsets = dict[TopicPartition, int]
Records = tuple[ConsumerRecord[bytes, bytes], ...]


class Committer(Protocol):
    """What settling a batch needs of a consumer: commit given offsets, rewind."""

    async def commit(self, offsets: Offsets) -> None: ...

    def seek(self, partition: TopicPartition, offset: int) -> None: ...


class InMemoryCommitter:
    """The committer under FastStream's ``TestKafkaBroker``, whose stand-in consumer cannot
    commit offsets: it keeps them, so in-memory tests see what a real run would commit."""

    def __init__(self) -> None:
        self.committed: Offsets = {}
        self.seeks: list[tuple[TopicPartition, int]] = []

    async def commit(self, offsets: Offsets) -> None:
        self.committed.update(offsets)

    def seek(self, partition: TopicPartition, offset: int) -> None:
        self.seeks.append((partition, offset))


def batch_records(message: KafkaMessage) -> Records:
    """The records of one poll, as a batch subscriber receives them."""
    records: Records = message.raw_message
    return records


def batch_committer(message: KafkaMessage, in_memory: InMemoryCommitter) -> Committer:
    """The consumer that read ``message``, or ``in_memory`` under the test broker."""
    consumer = message.consumer
    if isinstance(consumer, FakeConsumer):
        return in_memory
    # FastStream types it as its own protocol (a commit without offsets); a batch
    # subscriber's consumer is aiokafka's, whose commit takes them.
    return cast("Committer", consumer)


def subscriber_running(subscriber: Any) -> bool:
    """False once FastStream began stopping the subscriber (it clears this first)."""
    return bool(subscriber.running)


def consume_tasks(subscriber: Any) -> list[asyncio.Task[Any]]:
    """The subscriber's consume tasks (FastStream's ``TasksMixin``); a task that failed is
    restarted as a new one, so the loop is dead only when every task is done."""
    tasks: list[asyncio.Task[Any]] = getattr(subscriber, "tasks", [])
    return tasks


def assigned_partitions(subscriber: Any) -> int:
    """How many partitions the subscriber's consumer holds (0 before it started)."""
    consumer = getattr(subscriber, "consumer", None)
    return 0 if consumer is None else len(consumer.assignment())


def lifespan_failed(server: uvicorn.Server) -> bool:
    """Whether the ASGI lifespan (the broker's start) ended in an error."""
    return bool(server.lifespan.error_occurred)


def forget_caught_signals(server: uvicorn.Server) -> None:
    """uvicorn re-raises the signals it caught once it has shut down; forgetting them lets
    the process exit 0 after a SIGTERM it handled."""
    server._captured_signals.clear()
