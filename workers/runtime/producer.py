"""How the worker's results reach Kafka: a producer of its own, replaced after a failure.

``BatchHandler`` (workers/runtime/app.py) hands each result to a ``ResultSender``, which returns the
result's delivery, and commits only once every delivery of the batch is acknowledged. The
worker's sender is ``KafkaSender``: an ``AIOKafkaProducer`` built from ``Settings``,
started and stopped with the broker (``workers.app.WorkerBroker``). Results go to it
directly, not through FastStream's ``broker.publish``, whose command object, correlation
id and middleware chain cost ~170 µs per result (docs/performance.md); the handler
records the trace context and the publish metrics itself instead. (The unit tests send
to FastStream's in-memory test broker instead: ``tests/in_memory.py``.)

Why a failed delivery means a new producer: aiokafka's idempotent producer cannot recover
from one. The failed batch spent its sequence numbers, so the broker refuses every later
batch for that partition with ``OutOfOrderSequenceNumber``, for good. The Java client
handles this by resetting its producer id or bumping its epoch (KIP-360); aiokafka 0.14
does not. It happens for real when a broker is away for longer than the request timeout
(40 s): batches for a partition without a leader then expire, and the worker would stall
until restarted. So before a failed batch is redone the handler replaces the producer
(``stop``, then ``start``): the new one gets a new producer id and starts every sequence at
0. Its results are keyed and redone in order, so nothing is lost or reordered; what the old
producer did deliver comes again as duplicates with the same event ids. ``stop`` waits for
the old producer's pending sends, so none of them can land after the new producer's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Protocol, TypeAlias

from aiokafka import AIOKafkaProducer

from claimscrub.workers.commands.kafka_admin import client_options
from claimscrub.workers.settings import Settings

# Completes when the broker has acknowledged the result, or fails with the reason it did not.
Delivery: TypeAlias = "asyncio.Future[Any]"

# The producer refuses a record whose estimated size (value, key, headers, record overhead)
# is over max_request_size; results are kept within CLAIMSCRUB_MAX_RESULT_BYTES (value and
# key) by the pipeline, so this leaves room for the rest.
REQUEST_HEADROOM_BYTES = 64 * 1024


def producer_options(settings: Settings) -> dict[str, Any]:
    """``AIOKafkaProducer`` arguments: the worker's connection and security, and the
    delivery settings the guarantees rest on (docs/reliability.md)."""
    return {
        **client_options(settings),  # bootstrap servers, SASL / TLS
        "client_id": "claimscrub",
        "acks": "all",
        "enable_idempotence": True,
        "max_request_size": settings.CLAIMSCRUB_MAX_RESULT_BYTES + REQUEST_HEADROOM_BYTES,
        # linger_ms stays 0: the handler hands a whole batch over before it waits for the
        # deliveries, so the producer's batches fill anyway (5 ms of linger measured no
        # faster), and a linger would only delay each batch's last results.
    }


class ResultSender(Protocol):
    """Where the batch handler's results go: ``KafkaSender`` in the worker."""

    async def start(self) -> None: ...

    async def send(
        self, topic: str, value: bytes, key: bytes | None, headers: Mapping[str, str]
    ) -> Delivery:
        """Hand one result over, in call order; the delivery completes later."""
        ...

    async def stop(self) -> None: ...


class KafkaSender:
    """Results to Kafka on an idempotent producer with ``acks="all"`` (see module doc)."""

    def __init__(self, settings: Settings) -> None:
        self._options = producer_options(settings)
        self._producer: AIOKafkaProducer | None = None

    @property
    def producer(self) -> AIOKafkaProducer | None:
        """The producer in use; None before ``start`` and after ``stop``."""
        return self._producer

    async def start(self) -> None:
        """Start a new producer. Raises what ``AIOKafkaProducer.start`` raises (e.g. while
        the broker is down), leaving none: the handler tries again with its batch."""
        producer = AIOKafkaProducer(**self._options)
        try:
            await producer.start()
        except BaseException:
            await producer.stop()  # what start() opened before it failed
            raise
        self._producer = producer

    async def send(
        self, topic: str, value: bytes, key: bytes | None, headers: Mapping[str, str]
    ) -> Delivery:
        if self._producer is None:
            raise RuntimeError("the result producer is not started")
        # Default partitioner: the key alone picks the partition, so a claim's results
        # stay on one partition in order.
        delivery: Delivery = await self._producer.send(
            topic,
            value,
            key=key,
            headers=[(name, text.encode()) for name, text in headers.items()],
        )
        return delivery

    async def stop(self) -> None:
        """Stop the producer once its pending sends have completed (or failed)."""
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()
