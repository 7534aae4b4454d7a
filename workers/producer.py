"""A fresh Kafka producer for the worker after a failed publish.

aiokafka's idempotent producer cannot recover from a failed delivery: the failed batch
spent its sequence numbers, so the broker refuses every later batch for that partition
with ``OutOfOrderSequenceNumber``, for good. The Java client handles this by resetting its
producer id or bumping its epoch (KIP-360); aiokafka 0.14 does not. It happens for real
when a broker is away for longer than the request timeout (40 s): batches for a partition
without a leader then expire, and the worker would stall until restarted. So before a
failed batch is redone the worker swaps FastStream's producer for a new one, which gets a
new producer id and starts every sequence at 0 (its results are keyed and redone in order,
so nothing is lost or reordered; what the old producer did deliver comes again as
duplicates with the same event ids).

FastStream has no public way to do this; ``renew_producer`` reconnects the publisher it
holds with a producer built from the broker's own connection arguments, so settings such
as ``acks``, idempotence, security and ``max_request_size`` stay the same.
"""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from faststream.kafka.publisher.producer import AioKafkaFastProducerImpl


async def renew_producer(broker: KafkaBroker) -> None:
    """Stop the broker's producer and start a new one in its place. A no-op for FastStream's
    in-memory test broker. Raises what ``AIOKafkaProducer.start`` raises (e.g. while the
    broker is down), leaving no producer: the caller tries again later."""
    publisher = broker.config.producer
    if not isinstance(publisher, AioKafkaFastProducerImpl):
        return
    await publisher.disconnect()
    # The broker's own producer arguments (private: see the module doc).
    producer = AIOKafkaProducer(**broker._connection_kwargs)
    try:
        await publisher.connect(producer, serializer=publisher.serializer, codec=publisher.codec)
    except BaseException:
        await producer.stop()  # what start() opened before it failed
        raise
