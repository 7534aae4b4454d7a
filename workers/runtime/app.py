"""The FastStream worker: claims.submitted in, one result per message out, at least once.

Delivery design (docs/reliability.md has the guarantees and the tests that prove them).
At-least-once, with results whose event ids are derived from the source event so that
consumers can drop duplicates; not Kafka transactions, because FastStream 0.7 has none and
aiokafka's ``send_offsets_to_transaction`` takes only a group id (no generation, KIP-447),
so fencing a zombie worker after a rebalance would need a transactional producer per input
partition, beside FastStream rather than inside it (the doc weighs it in full).

- A batch subscriber (``batch=True``, up to ``CLAIMSCRUB_BATCH_MAX_RECORDS`` records)
  with ``AckPolicy.MANUAL`` and auto-commit off. ``AckPolicy.ACK`` would commit even when
  the handler raised, and ``NACK_ON_ERROR`` would redeliver at once in a tight loop, so the
  handler decides itself.
- Every record of the batch is routed through ``workers.runtime.pipeline.route`` (the same path as
  ``claimscrub scrub``), so a bad message becomes a dead letter instead of an exception,
  and every result fits ``CLAIMSCRUB_MAX_RESULT_BYTES`` (the producer's limit is set just
  above it), so no result can fail on every attempt for its size.
- Results are sent in input order, each keyed by claim id (dead letters by the original
  key), to the producer's default partitioner: one partition per key keeps every revision
  of a claim in order, and the idempotent producer (``acks="all"``) keeps that order across
  its own retries. The results go straight to an aiokafka producer the worker owns
  (``workers.runtime.producer``), one ``send`` each, and their deliveries are awaited together:
  FastStream's ``broker.publish`` cost ~170 µs per result, and its
  ``publish_batch`` writes a whole batch to one partition, which would break keying.
- The handler does not wait for those deliveries: it hands the batch to
  ``workers.runtime.settle.Settlement`` and polls the next one, so the broker's acknowledgements
  and the commit overlap the routing of the next batch. Batches settle in order: only when
  the broker has acknowledged every result of a batch, and its predecessor has settled, is
  the end of that batch committed (its own offsets, not the consumer's position, which is
  already further on). A failed commit is logged and left to the next one.
- If any send fails, or anything else goes wrong, nothing more is committed: the consumer
  is rewound to the first record of the earliest unsettled batch on each partition, and
  after an exponential backoff with jitter (``CLAIMSCRUB_RETRY_BACKOFF_INITIAL_S``
  doubling up to ``CLAIMSCRUB_RETRY_BACKOFF_MAX_S``) those batches are processed again.
  Results that did reach the broker are then published twice with the same event ids.
  Retries are unbounded on purpose: stopping would lose claims, and a broker outage is the
  usual cause. Polling again between attempts (rather than retrying inside the handler)
  keeps the consumer in its group however long an outage lasts, and each attempt after a
  failure starts with a new producer (``workers.runtime.producer``: aiokafka's idempotent producer
  never recovers from a failed delivery by itself).
- On SIGTERM the worker first waits for the batches handed over to settle, then FastStream
  stops polling and waits for the batch in hand, which then settles before its handler
  returns (all within ``CLAIMSCRUB_SHUTDOWN_TIMEOUT_S``; a backoff pause ends at once);
  past that a batch is abandoned uncommitted and redone by whoever gets its partitions.
  The result producer stops after that (``WorkerBroker.stop``), once its sends are done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from aiokafka import ConsumerRecord
from faststream import AckPolicy, FastStream
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.message import StreamMessage

from claimscrub.contracts import MessageSource
from claimscrub.workers._framework import (
    InMemoryCommitter,
    batch_committer,
    batch_records,
    subscriber_running,
)
from claimscrub.workers.observability.logging import FASTSTREAM_LOGGER, get_logger
from claimscrub.workers.observability.observe import ClaimObserver, Observability, Observed
from claimscrub.workers.runtime.backoff import Backoff, pause
from claimscrub.workers.runtime.pipeline import Routed, ScrubEngine, route
from claimscrub.workers.runtime.producer import Delivery, KafkaSender, ResultSender
from claimscrub.workers.runtime.settle import Settlement
from claimscrub.workers.settings import Settings, Topics

log = get_logger(__name__)

# aiokafka's default max_partition_fetch_bytes: a fetch that can hold no more returns.
FETCH_MIN_BYTES = 1024 * 1024


class WorkerBroker(KafkaBroker):
    """FastStream's Kafka broker, which also starts and stops the worker's result sender.

    On the broker rather than in app hooks, because the tests and the demo run the broker
    without a FastStream app. The sender starts before the subscriber takes its first
    batch, and stops only after the subscriber has finished the batch in hand. Stopping
    first lets the handler settle the batches it handed over, while the consumer that
    commits them still runs.
    """

    sender: ResultSender
    handler: BatchHandler
    shutdown_timeout_s: float

    async def start(self) -> None:
        # FastStream's clients first: a wrong address or password fails here, as before.
        await self.connect()
        await self.sender.start()
        await super().start()

    async def stop(
        self,
        exc_type: type[BaseException] | None = None,
        exc_val: BaseException | None = None,
        exc_tb: TracebackType | None = None,
    ) -> None:
        try:
            await self.handler.drain(self.shutdown_timeout_s)
            await super().stop(exc_type, exc_val, exc_tb)
        finally:
            await self.sender.stop()


def build_broker(
    settings: Settings,
    engine: ScrubEngine | None = None,
    observability: Observability | None = None,
    sender: Callable[[KafkaBroker], ResultSender] | None = None,
) -> WorkerBroker:
    """A broker with the scrub subscriber registered; ``engine`` defaults to the rules,
    ``observability`` (metrics registry, tracing) to what ``settings`` ask for, and
    ``sender`` (given the broker) to the worker's own Kafka producer."""
    if observability is None:
        observability = Observability.from_settings(settings)
    if engine is None:
        from claimscrub.scrubbers import default_engine  # noqa: PLC0415 (loads reference data)

        default = default_engine(settings.cms_bundle())
        observability.reference_data(default.reference.ruleset, default.reference.cms)
        engine = default
    # FastStream still starts a producer of its own, with the admin client that /readyz
    # asks (``consumer_only`` would skip both); nothing publishes through it.
    broker = WorkerBroker(
        settings.KAFKA_BOOTSTRAP_SERVERS,
        security=settings.security(),
        client_id="claimscrub",
        logger=FASTSTREAM_LOGGER,
        graceful_timeout=settings.CLAIMSCRUB_SHUTDOWN_TIMEOUT_S,
        middlewares=observability.middlewares(),
    )
    broker.sender = KafkaSender(settings) if sender is None else sender(broker)
    observer = observability.observer()
    handler = BatchHandler(broker.sender, engine, settings.topics(), settings, observer)
    broker.handler, broker.shutdown_timeout_s = handler, settings.CLAIMSCRUB_SHUTDOWN_TIMEOUT_S
    subscriber = broker.subscriber(
        settings.topics().submitted,
        batch=True,
        group_id=settings.CLAIMSCRUB_GROUP_ID,
        max_records=settings.CLAIMSCRUB_BATCH_MAX_RECORDS,
        batch_timeout_ms=settings.CLAIMSCRUB_BATCH_TIMEOUT_MS,
        auto_offset_reset="earliest",
        # aiokafka fetches one batch ahead and keeps it until the next poll; by default
        # that fetch returns with the first record to arrive, so the rest of each cycle's
        # records waited a whole extra cycle. Held for the batch timeout instead, the fetch
        # returns about when the handler polls again (docs/performance.md: p50 at 300
        # claims/s 48 -> 27 ms). A backlog fills the minimum at once, so it never waits.
        fetch_max_wait_ms=settings.CLAIMSCRUB_BATCH_TIMEOUT_MS,
        fetch_min_bytes=FETCH_MIN_BYTES,
        ack_policy=AckPolicy.MANUAL,
        decoder=_values_as_bytes,
        session_timeout_ms=settings.CLAIMSCRUB_SESSION_TIMEOUT_MS,
        # Kafka wants heartbeats well within the session; a third is its own rule of thumb.
        heartbeat_interval_ms=min(3_000, settings.CLAIMSCRUB_SESSION_TIMEOUT_MS // 3),
    )
    subscriber(handler.handle)
    # FastStream clears `running` first thing on stop: a backoff pause then ends early.
    handler.running = lambda: subscriber_running(subscriber)
    return broker


def build_app(
    settings: Settings,
    engine: ScrubEngine | None = None,
    observability: Observability | None = None,
) -> FastStream:
    return FastStream(build_broker(settings, engine, observability), logger=FASTSTREAM_LOGGER)


async def _values_as_bytes(message: StreamMessage[Any]) -> Any:
    """Keep message values as bytes. FastStream's default decoder parses JSON when a
    ``content-type`` header says so and would raise on a malformed value before the
    handler runs, leaving it neither routed nor dead-lettered."""
    return message.body


class BatchHandler:
    """Routes and sends one batch of records at a time, and hands it to ``Settlement`` to
    be acknowledged and committed while the next one is routed (see module doc)."""

    def __init__(
        self,
        sender: ResultSender,
        engine: ScrubEngine,
        topics: Topics,
        settings: Settings,
        observer: ClaimObserver,
    ) -> None:
        self.sender = sender
        self.observer = observer
        self.engine = engine
        self.topics = topics
        self.limits = settings.limits()
        backoff = Backoff(
            settings.CLAIMSCRUB_RETRY_BACKOFF_INITIAL_S, settings.CLAIMSCRUB_RETRY_BACKOFF_MAX_S
        )
        self.settlement: Settlement[Observed] = Settlement(observer, backoff)
        # Stands in for the consumer's commits under FastStream's TestKafkaBroker.
        self.in_memory = InMemoryCommitter()
        self.running: Callable[[], bool] = lambda: True
        self.drain_deadline: float | None = None  # loop time by which shutdown stops waiting

    async def handle(self, message: KafkaMessage) -> None:
        records = batch_records(message)
        batch = self.settlement.begin(records, batch_committer(message, self.in_memory))
        try:
            if not await self._recovered():
                return  # stopping during the backoff: the batch stays uncommitted
            await self.settlement.room(batch)
            if not self.settlement.current(batch):
                return  # a failure before it rewound the consumer: it comes again
            observed = [self.observer.route(record, self._route) for record in records]
            deliveries = await self._send_all(observed)
        except Exception as error:
            self.settlement.failed(batch, error)
            return
        settled = self.settlement.settle(batch, observed, deliveries)
        if self.drain_deadline is not None:
            left = self.drain_deadline - asyncio.get_running_loop().time()
            await asyncio.wait([settled], timeout=max(left, 0))

    async def drain(self, timeout_s: float) -> None:
        """Settle every batch handed over, and from now on each batch before its handler
        returns; all within ``timeout_s``. For shutdown: commits need the consumer, which
        stops with the subscriber."""
        self.drain_deadline = asyncio.get_running_loop().time() + timeout_s
        await self.settlement.drain(timeout_s)

    async def _recovered(self) -> bool:
        """After a failure: wait out the backoff, then replace the producer, which may hold
        spent sequence numbers (workers/runtime/producer.py). False if the worker is stopping."""
        delay, self.settlement.retry_delay = self.settlement.retry_delay, None
        if delay is None:
            return True
        await pause(delay, self.running)
        if not self.running():
            return False
        # stop() waits for the old producer's pending sends: none can land after the redone
        # batch's results.
        await self.sender.stop()
        await self.sender.start()
        return True

    def _route(self, record: ConsumerRecord[bytes, bytes]) -> Routed:
        source = MessageSource(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key.decode("utf-8", "backslashreplace") if record.key else None,
        )
        now = datetime.now(UTC)
        return route(
            record.value or b"",
            source,
            self.engine,
            now,
            topics=self.topics,
            raw_key=record.key,
            limits=self.limits,
        )

    async def _send_all(self, observed: Sequence[Observed]) -> list[Delivery]:
        """Hand every result to the producer in input order; their deliveries complete
        later (``Settlement`` waits for them)."""
        deliveries = []
        for item in observed:
            result = item.result
            with self.observer.publishing(item):
                deliveries.append(
                    await self.sender.send(result.topic, result.value, result.key, item.headers)
                )
        return deliveries
